"""Customer visits and the contact log, contact cadence by grade, the reactivation queue, planned
visits and their calendar feed, complaint cases and operations review meetings (R-V1 to R-V7)."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.extensions import db


class Channel(Choice):
    VISIT = "visit", _l("Visit"), "good"
    PHONE = "phone", _l("Phone call"), "info"
    EMAIL = "email", _l("E-mail"), "neutral"
    CHAT = "chat", _l("Chat (WeChat/LINE)"), "neutral"
    MEETING = "meeting", _l("Meeting"), "good"


class Purpose(Choice):
    REVISIT = "regular_revisit", _l("Regular revisit")
    COMPLAINT = "complaint_follow_up", _l("Complaint follow-up")
    REACTIVATION = "reactivation", _l("Reactivation")
    RATE_REVIEW = "rate_review", _l("Rate review")
    OPERATIONS_REVIEW = "operations_review", _l("Operations review meeting")
    CARE = "care_message", _l("Care message")
    QUOTE_FOLLOW_UP = "quote_follow_up", _l("Quote follow-up")


# A revisit (定期回訪, R-V2) is a contact made to review the relationship: a regular revisit by
# any channel, an operations review meeting, or any visit in person.
REVISIT_PURPOSES = (Purpose.REVISIT, Purpose.OPERATIONS_REVIEW)
REVISIT_CHANNELS = (Channel.VISIT,)


class ContactEntry(db.Model):
    """One contact with a customer (R-V1): who, how, why, what came of it, and what happens next.

    Entries are history: they are written once; only their next action is ticked off later.
    Contacts other features report (a quote's follow-up; collections calls later) are entries too,
    naming their source (source_type, source_id)."""

    __tablename__ = "contact_log"
    __table_args__ = (
        sa.Index("ix_contact_log_at_id", "at", "id"),
        sa.Index("ix_contact_log_agent_at", "agent_id", "at", "id"),
        sa.Index("ix_contact_log_customer_at", "customer_id", "at", "id"),
        sa.Index("ix_contact_log_channel_at", "channel", "at", "id"),
        sa.Index("ix_contact_log_purpose_at", "purpose", "at", "id"),
        # Next actions still to do, per owner, by due date.
        sa.Index("ix_contact_log_next_open", "next_owner_id", "next_due_on", "id",
                 sqlite_where=sa.text("next_due_on IS NOT NULL AND next_done_at IS NULL"),
                 postgresql_where=sa.text("next_due_on IS NOT NULL AND next_done_at IS NULL")),
        # A contact is greeted once per occasion (care reminders).
        sa.Index("uq_contact_log_occasion", "contact_id", "occasion", unique=True,
                 sqlite_where=sa.text("occasion IS NOT NULL"), postgresql_where=sa.text("occasion IS NOT NULL")),
        sa.Index("ix_contact_log_source", "source_type", "source_id"),
        sa.CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime]
    channel: Mapped[Channel] = mapped_column(ChoiceColumn(Channel, 10))
    purpose: Mapped[Purpose] = mapped_column(ChoiceColumn(Purpose, 24))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(sa.String(80), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str] = mapped_column(sa.String(300), default="")
    satisfaction: Mapped[int | None]
    next_action: Mapped[str] = mapped_column(sa.String(300), default="")
    next_due_on: Mapped[date | None]
    next_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    next_done_at: Mapped[datetime | None]
    next_done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    source_type: Mapped[str | None] = mapped_column(sa.String(30))
    source_id: Mapped[int | None]
    occasion: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    agent = relationship("User", foreign_keys=[agent_id])
    next_owner = relationship("User", foreign_keys=[next_owner_id])
    next_done_by = relationship("User", foreign_keys=[next_done_by_id])
    contact = relationship("Contact")

    __mapper_args__ = {"version_id_col": version}

    @property
    def owner_id(self) -> int | None:
        """Who owns the entry's next action (policy: visits.next_action)."""
        return self.next_owner_id

    @property
    def has_open_action(self) -> bool:
        return bool(self.next_action) and self.next_done_at is None

    @property
    def is_visit(self) -> bool:
        return self.channel == Channel.VISIT


class CadenceRule(db.Model):
    """R-V2: how often each grade is contacted and revisited, in days (handbook #89; supervisors
    change it)."""

    __tablename__ = "contact_cadence"

    grade: Mapped[str] = mapped_column(sa.String(1), primary_key=True)
    contact_days: Mapped[int]
    revisit_days: Mapped[int]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class VisitSettings(db.Model):
    """The contact log's other settings (one row): when a silent customer counts as dormant (R-V3)."""

    __tablename__ = "visit_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dormant_days: Mapped[int] = mapped_column(default=180)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class CustomerCadence(db.Model):
    """Where a customer stands on its cadence (R-V2): the last contact and revisit, and when the
    next of each falls due by the grades it had along the way. Kept current by the contact log, grade
    changes and the settings; lists read it through (owner, due date)."""

    __tablename__ = "customer_cadence"
    __table_args__ = (
        sa.Index("ix_customer_cadence_owner_due", "owner_id", "due_on", "customer_id"),
        sa.Index("ix_customer_cadence_due", "due_on", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    grade: Mapped[str] = mapped_column(sa.String(1))
    last_contact_at: Mapped[datetime | None]
    last_revisit_at: Mapped[datetime | None]
    contact_due_on: Mapped[date]
    revisit_due_on: Mapped[date]
    due_on: Mapped[date]                  # the sooner of the two
    updated_at: Mapped[datetime] = mapped_column(default=now)

    customer = relationship("Customer")


class ReactivationState(Choice):
    OPEN = "open", _l("To call"), "warn"
    WORKING = "working", _l("In progress"), "info"
    VISIT_BOOKED = "visit_booked", _l("Visit booked"), "good"
    CLOSED = "closed", _l("Closed"), "neutral"


class Outcome(Choice):
    """What a reactivation call or visit came to (R-V3)."""
    REACHED = "reached", _l("Reached"), "info"
    VISIT_BOOKED = "visit_booked", _l("Visit booked"), "good"
    NOT_INTERESTED = "not_interested", _l("Not interested"), "neutral"
    WRONG_CONTACT = "wrong_contact", _l("Wrong contact"), "warn"
    OUT_OF_BUSINESS = "out_of_business", _l("Gone out of business"), "bad"
    VISITED = "visited", _l("Visited"), "good"
    REVIVED = "revived", _l("Active again"), "good"


# Outcomes of a call or visit that end the customer's time in the queue.
CLOSING = (Outcome.NOT_INTERESTED, Outcome.OUT_OF_BUSINESS, Outcome.VISITED, Outcome.REVIVED)


class Reactivation(db.Model):
    """A dormant customer in the reactivation queue (R-V3): silent since, worked oldest-first by its
    owner, call first, then a visit."""

    __tablename__ = "reactivation"
    __table_args__ = (
        sa.Index("ix_reactivation_owner_queue", "owner_id", "silent_since", "id",
                 sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")),
        sa.Index("ix_reactivation_queue", "silent_since", "id",
                 sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")),
        sa.Index("uq_reactivation_open_customer", "customer_id", unique=True,
                 sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    silent_since: Mapped[datetime]
    listed_at: Mapped[datetime] = mapped_column(default=now)
    state: Mapped[ReactivationState] = mapped_column(ChoiceColumn(ReactivationState, 20),
                                                     default=ReactivationState.OPEN)
    attempts: Mapped[int] = mapped_column(default=0)
    last_outcome: Mapped[Outcome | None] = mapped_column(ChoiceColumn(Outcome, 20))
    last_attempt_at: Mapped[datetime | None]
    next_step: Mapped[str] = mapped_column(sa.String(300), default="")
    next_step_on: Mapped[date | None]
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("planned_visit.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    owner = relationship("User")
    attempts_made: Mapped[list["ReactivationAttempt"]] = relationship(
        back_populates="reactivation", order_by="ReactivationAttempt.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReactivationAttempt(db.Model):
    """One call or visit to a dormant customer and what it came to (results per agent)."""

    __tablename__ = "reactivation_attempt"
    __table_args__ = (sa.Index("ix_reactivation_attempt_at", "at", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reactivation_id: Mapped[int] = mapped_column(sa.ForeignKey("reactivation.id", ondelete="CASCADE"), index=True)
    contact_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_log.id", ondelete="SET NULL"))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    channel: Mapped[Channel] = mapped_column(ChoiceColumn(Channel, 10))
    outcome: Mapped[Outcome] = mapped_column(ChoiceColumn(Outcome, 20))

    reactivation: Mapped[Reactivation] = relationship(back_populates="attempts_made")
    agent = relationship("User")


class VisitState(Choice):
    PLANNED = "planned", _l("Planned"), "info"
    DONE = "done", _l("Done"), "good"
    CANCELLED = "cancelled", _l("Cancelled"), "neutral"


class PlannedVisit(db.Model):
    """A visit to a customer on an agent's calendar; once it has happened it is logged as a contact."""

    __tablename__ = "planned_visit"
    __table_args__ = (
        sa.Index("ix_planned_visit_agent_starts", "agent_id", "starts_at", "id"),
        sa.Index("ix_planned_visit_starts", "starts_at", "id"),
        sa.Index("ix_planned_visit_customer", "customer_id", "starts_at", "id"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    purpose: Mapped[Purpose] = mapped_column(ChoiceColumn(Purpose, 24))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"))
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[VisitState] = mapped_column(ChoiceColumn(VisitState, 12), default=VisitState.PLANNED)
    contact_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_log.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    agent = relationship("User", foreign_keys=[agent_id])
    contact = relationship("Contact")

    __mapper_args__ = {"version_id_col": version}

    @property
    def owner_id(self) -> int:
        """The agent whose calendar it is on (policy: visits.visit)."""
        return self.agent_id


class CalendarFeed(db.Model):
    """A user's private iCalendar address: the token is derived from the nonce with the server's key
    and only its SHA-256 is kept; revoked feeds answer like a missing page."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]


class Severity(Choice):
    URGENT = "urgent", _l("Urgent"), "bad"
    NORMAL = "normal", _l("Normal"), "warn"
    LOW = "low", _l("Low"), "neutral"


class Category(Choice):
    DELAY = "delay", _l("Delay")
    DAMAGE = "damage", _l("Damage")
    LOSS = "loss", _l("Loss")
    DOCUMENTS = "documents", _l("Documents")
    BILLING = "billing", _l("Billing")
    ATTITUDE = "service_attitude", _l("Service attitude")


class CaseState(Choice):
    RECEIVED = "received", _l("Received"), "bad"
    RESPONDED = "responded", _l("Responded"), "warn"
    RESOLVED = "resolved", _l("Resolved"), "info"
    CLOSED = "closed", _l("Closed"), "good"


class ClaimState(Choice):
    NONE = "none", _l("No claim"), "neutral"
    FILED = "filed", _l("Claim filed"), "warn"
    REVIEW = "under_review", _l("Under review"), "warn"
    ACCEPTED = "accepted", _l("Accepted"), "info"
    REJECTED = "rejected", _l("Rejected"), "neutral"
    PAID = "paid", _l("Paid"), "good"


# A claim still being decided keeps the case open (the call-back waits for the decision).
CLAIM_PENDING = (ClaimState.FILED, ClaimState.REVIEW)


class ComplaintCase(db.Model):
    """A complaint (客訴, R-V6) as a case with a closed loop: received, first response (within an
    hour when urgent), evidence, root cause, solution, claim, prevention, and the customer's
    satisfaction call-back that closes it."""

    __tablename__ = "complaint_case"
    __table_args__ = (
        sa.Index("ix_complaint_case_received", "received_at", "id"),
        sa.Index("ix_complaint_case_owner", "owner_id", "received_at", "id"),
        sa.Index("ix_complaint_case_state", "state", "received_at", "id"),
        sa.Index("ix_complaint_case_customer", "customer_id", "received_at"),
        # Cases still waiting for their first response, by when it is due.
        sa.Index("ix_complaint_case_waiting", "response_due_at", "id",
                 sqlite_where=sa.text("first_response_at IS NULL"),
                 postgresql_where=sa.text("first_response_at IS NULL")),
        sa.Index("ix_complaint_case_owner_waiting", "owner_id", "response_due_at", "id",
                 sqlite_where=sa.text("first_response_at IS NULL"),
                 postgresql_where=sa.text("first_response_at IS NULL")),
        sa.CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    channel: Mapped[Channel] = mapped_column(ChoiceColumn(Channel, 10))
    received_at: Mapped[datetime]
    reported_by: Mapped[str] = mapped_column(sa.String(80), default="")
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"))
    shipment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shipment.id", ondelete="SET NULL"))
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quote.id", ondelete="SET NULL"))
    category: Mapped[Category] = mapped_column(ChoiceColumn(Category, 20))
    severity: Mapped[Severity] = mapped_column(ChoiceColumn(Severity, 10))
    summary: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[CaseState] = mapped_column(ChoiceColumn(CaseState, 12), default=CaseState.RECEIVED)
    response_due_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    first_response_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    escalated_at: Mapped[datetime | None]
    root_cause: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    prevention: Mapped[str] = mapped_column(sa.Text, default="")
    claim_state: Mapped[ClaimState] = mapped_column(ChoiceColumn(ClaimState, 20), default=ClaimState.NONE)
    claim_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    claim_currency: Mapped[str | None] = mapped_column(sa.String(3))
    satisfaction: Mapped[int | None]
    callback_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    owner = relationship("User", foreign_keys=[owner_id])
    first_response_by = relationship("User", foreign_keys=[first_response_by_id])
    contact = relationship("Contact")
    shipment = relationship("Shipment")
    quote = relationship("Quote")
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id",
                                                     cascade="all, delete-orphan")
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="case", order_by="Evidence.id",
                                                      cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    def response_overdue(self, moment: datetime) -> bool:
        """No first response although it is due (for urgent cases, an hour after receipt)."""
        return self.first_response_at is None and moment > self.response_due_at

    def responded_late(self) -> bool:
        return self.first_response_at is not None and self.first_response_at > self.response_due_at


class CaseStep(Choice):
    RECEIVED = "received", _l("Complaint received")
    RESPONDED = "responded", _l("First response")
    ESCALATED = "escalated", _l("First response overdue: the supervisor was alerted")
    EVIDENCE = "evidence", _l("Evidence added")
    RESOLVED = "resolved", _l("Root cause, solution and prevention recorded")
    CLAIM = "claim", _l("Claim")
    HANDLER = "handler", _l("Handler changed")
    CALLBACK = "callback", _l("Satisfaction call-back")
    CLOSED = "closed", _l("Case closed")


class CaseEvent(db.Model):
    """A step of a complaint case: on the case's page and on the customer's timeline."""

    __tablename__ = "complaint_event"
    __table_args__ = (sa.Index("ix_complaint_event_customer_at", "customer_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("complaint_case.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    step: Mapped[CaseStep] = mapped_column(ChoiceColumn(CaseStep, 12))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    case: Mapped[ComplaintCase] = relationship(back_populates="events")
    by = relationship("User")


class Evidence(db.Model):
    """A file collected for a complaint: type and size checked, kept under the instance folder by its
    SHA-256 (outside the web root), served only to staff through the case."""

    __tablename__ = "complaint_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("complaint_case.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(160))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    case: Mapped[ComplaintCase] = relationship(back_populates="evidence")
    uploaded_by = relationship("User")


class ReviewMeeting(db.Model):
    """An operations review meeting with a customer (seed 002): minutes and who attended; the
    meeting is a contact in the log, and its action items stay on their owners' desks until done."""

    __tablename__ = "review_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"), index=True)
    contact_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("contact_log.id"), unique=True)
    held_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    attendees_ours: Mapped[str] = mapped_column(sa.String(500), default="")
    attendees_customer: Mapped[str] = mapped_column(sa.String(500), default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    customer = relationship("Customer")
    entry = relationship(ContactEntry)
    recorded_by = relationship("User")
    actions: Mapped[list["ActionItem"]] = relationship(back_populates="meeting", order_by="ActionItem.id",
                                                       cascade="all, delete-orphan")


class ActionItem(db.Model):
    """An action agreed at a review meeting: an owner and a due date, open until done."""

    __tablename__ = "review_action"
    __table_args__ = (
        sa.Index("ix_review_action_open", "owner_id", "due_on", "id",
                 sqlite_where=sa.text("done_at IS NULL"), postgresql_where=sa.text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("review_meeting.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    text: Mapped[str] = mapped_column(sa.String(300))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    due_on: Mapped[date]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[ReviewMeeting] = relationship(back_populates="actions")
    customer = relationship("Customer")
    owner = relationship("User", foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version}
