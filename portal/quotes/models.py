"""Quotes: a quotation to a customer, its charge lines, approval decisions and follow-ups."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.extensions import db

MONEY = sa.Numeric(14, 2)
QUANTITY = sa.Numeric(12, 3)


class Mode(Choice):
    FCL = "fcl", _l("FCL")
    LCL = "lcl", _l("LCL")
    SPECIAL = "special", _l("Special equipment")    # open top, flat rack, reefer, out of gauge
    BREAKBULK = "breakbulk", _l("Breakbulk")


GENERAL_CARGO = frozenset({Mode.FCL, Mode.LCL})    # the 5-minute response target (R-Q7)


class Status(Choice):
    DRAFT = "draft", _l("Draft"), "neutral"
    PENDING = "pending", _l("Waiting for approval"), "warn"     # waiting for a supervisor (R-Q1, R-Q6)
    APPROVED = "approved", _l("Approved"), "info"
    RETURNED = "returned", _l("Returned"), "warn"
    SENT = "sent", _l("Sent"), "info"
    # No rate yet: an indicative price and the nearest sailing, confirmed by a new revision (handbook #62).
    PROVISIONAL = "provisional", _l("Provisional quote sent"), "warn"
    WON = "won", _l("Won"), "good"
    LOST = "lost", _l("Lost"), "bad"
    EXPIRED = "expired", _l("Expired"), "neutral"
    # A peer forwarder's inquiry on a lane the company does not work, politely declined (handbook #12).
    DECLINED = "declined", _l("Declined"), "neutral"


# Not yet with the customer: the quote itself may still change.
UNSENT = frozenset({Status.DRAFT, Status.PENDING, Status.APPROVED, Status.RETURNED})
# Open: not yet won, lost or expired (a rate change can still affect it, R-Q10).
OPEN = UNSENT | {Status.SENT, Status.PROVISIONAL}
# Reached the customer: its prices count as the lane's history (R-Q9).
QUOTED = frozenset({Status.SENT, Status.WON, Status.LOST, Status.EXPIRED})
# Went to the customer in writing, provisional prices included: released for good.
WRITTEN = QUOTED | {Status.PROVISIONAL}


class Direction(Choice):
    RECEIVABLE = "receivable", _l("Receivable")
    PAYABLE = "payable", _l("Payable")


class ApprovalReason(Choice):
    """Why a supervisor must see a quote before the customer does (R-Q1, R-Q5, R-Q6)."""
    NEW_HIRE = "new_hire", _l("quote by a new hire")
    BELOW_MINIMUM = "below_minimum", _l("a sell rate below the minimum")
    SELF_SOURCED = "self_sourced", _l("self-sourced rate")
    # R-Q5: a peer forwarder gets the company sell rate in writing; anything lower (the minimum) only by word of mouth.
    MINIMUM_IN_WRITING = "minimum_in_writing", _l("a peer forwarder quoted below the company sell rate")


class LineSource(Choice):
    """Where a charge line's buy and minimum sell rates come from (R-Q4, R-Q6)."""
    CARD = "card", _l("Rate card"), "info"
    OWN = "own", _l("Own channel"), "warn"            # self-sourced: needs a supervisor (R-Q6)
    LOCAL = "local", _l("Cost as entered"), "neutral"  # a local charge no card prices; no minimum


class Decision(Choice):
    APPROVED = "approved", _l("Approved"), "good"
    RETURNED = "returned", _l("Returned"), "warn"


class Quote(db.Model):
    __tablename__ = "quote"
    __table_args__ = (
        sa.UniqueConstraint("number", "revision", name="uq_quote_number_revision"),
        # The history lists current revisions newest inquiry first, filtered by one of these.
        *(sa.Index(f"ix_quote_current_{name}", *columns, "inquiry_at", "id",
                   sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current = true"))
          for name, columns in (("inquiry", ()), ("status", ("status",)), ("agent", ("agent_id",)),
                                ("customer", ("customer_id",)), ("lane", ("pol", "pod")), ("carrier", ("carrier",)),
                                ("container", ("container_type",)))),
        # The lane's latest prices (R-Q9): quotes that reached the customer, newest first.
        sa.Index("ix_quote_lane_sent", "pol", "pod", "container_type", "sent_at", "id",
                 sqlite_where=sa.text("sent_at IS NOT NULL"), postgresql_where=sa.text("sent_at IS NOT NULL")),
        # The approval queue and an agent's recent decisions.
        sa.Index("ix_quote_pending", "updated_at", "id", sqlite_where=sa.text("status = 'pending' AND is_current = 1"),
                 postgresql_where=sa.text("status = 'pending' AND is_current = true")),
        sa.Index("ix_quote_agent_deciding", "agent_id", "updated_at",
                 sqlite_where=sa.text("is_current = 1 AND status IN ('pending', 'approved', 'returned')"),
                 postgresql_where=sa.text("is_current = true AND status IN ('pending', 'approved', 'returned')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"))
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    inquiry_at: Mapped[datetime]
    mode: Mapped[Mode] = mapped_column(ChoiceColumn(Mode, 12))
    pol: Mapped[str] = mapped_column(sa.String(5))
    pod: Mapped[str] = mapped_column(sa.String(5))
    carrier: Mapped[str | None] = mapped_column(sa.String(10))
    container_type: Mapped[str | None] = mapped_column(sa.String(8))
    container_qty: Mapped[int | None]
    pieces: Mapped[int | None]
    gross_weight_kg: Mapped[Decimal | None] = mapped_column(QUANTITY)
    volume_cbm: Mapped[Decimal | None] = mapped_column(QUANTITY)
    commodity: Mapped[str] = mapped_column(sa.String(200), default="")
    dg_class: Mapped[str | None] = mapped_column(sa.String(5))
    un_number: Mapped[str | None] = mapped_column(sa.String(6))
    dg_fees_confirmed: Mapped[bool] = mapped_column(default=False)
    shipper: Mapped[str | None] = mapped_column(sa.String(160))
    dimensions: Mapped[str | None] = mapped_column(sa.String(200))
    ship_date: Mapped[date | None]
    target_price: Mapped[Decimal | None] = mapped_column(MONEY)
    incoterm: Mapped[str | None] = mapped_column(sa.String(3))
    cargo_ready_on: Mapped[date | None]
    valid_until: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())   # handbook #62
    notes: Mapped[str] = mapped_column(sa.Text, default="")        # internal, never to the customer
    remarks: Mapped[str] = mapped_column(sa.Text, default="")      # shown on the quotation
    status: Mapped[Status] = mapped_column(ChoiceColumn(Status, 12), default=Status.DRAFT)
    approval_reasons: Mapped[str] = mapped_column(sa.String(200), default="")
    # What the last approval covered (rules.fingerprint): any change to it voids the approval (R-Q1).
    approval_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime | None]
    response_seconds: Mapped[int | None]
    # Special cargo: "received, pricing with the carrier" stops the 5-minute clock (R-Q7).
    holding_reply_at: Mapped[datetime | None]
    lost_reason: Mapped[str | None] = mapped_column(sa.String(300))
    declined_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    contact = relationship("Contact")
    agent = relationship("User")
    lines: Mapped[list["ChargeLine"]] = relationship(
        back_populates="quote", order_by="ChargeLine.position", cascade="all, delete-orphan")
    decisions: Mapped[list["ApprovalDecision"]] = relationship(
        back_populates="quote", order_by="ApprovalDecision.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.number} r{self.revision}" if self.revision > 1 else self.number

    @property
    def reasons(self) -> list[ApprovalReason]:
        return [r for r in (ApprovalReason.get(code) for code in self.approval_reasons.split(",")) if r]


class ChargeLine(db.Model):
    __tablename__ = "charge_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    charge_code: Mapped[str] = mapped_column(sa.String(10))
    basis: Mapped[str] = mapped_column(sa.String(12))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal("1"))
    # Buy, minimum and company sell rates are the rate card's (or, without a card, the agent's own
    # channel's buy rate): set by the rules, never typed into the quote (R-Q4 to R-Q6).
    buy_rate: Mapped[Decimal | None] = mapped_column(MONEY)        # internal
    sell_rate: Mapped[Decimal] = mapped_column(MONEY)
    min_sell_rate: Mapped[Decimal | None] = mapped_column(MONEY)   # internal, never written (R-Q4)
    company_sell_rate: Mapped[Decimal | None] = mapped_column(MONEY)   # internal: what a peer forwarder is quoted
    currency: Mapped[str] = mapped_column(sa.String(3))
    direction: Mapped[Direction] = mapped_column(ChoiceColumn(Direction, 12), default=Direction.RECEIVABLE)
    includes: Mapped[str] = mapped_column(sa.String(200), default="")  # ALL-IN: the charge codes it covers
    source: Mapped[LineSource] = mapped_column(ChoiceColumn(LineSource, 8), default=LineSource.LOCAL,
                                               server_default=LineSource.LOCAL.value)
    rate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rate.id", ondelete="SET NULL"))

    quote: Mapped[Quote] = relationship(back_populates="lines")
    rate = relationship("Rate")


class ApprovalDecision(db.Model):
    """A supervisor's approval or return of a quote, with who, when and the comment (R-Q1)."""

    __tablename__ = "approval_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    decision: Mapped[Decision] = mapped_column(ChoiceColumn(Decision, 10))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=now)
    # What the supervisor saw: the fingerprint binds an approval, the snapshot shows what changed since.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)

    quote: Mapped[Quote] = relationship(back_populates="decisions")
    decided_by = relationship("User")


class FollowUp(db.Model):
    """A reminder to follow a sent quote up (R-Q8), listed for its agent until done."""

    __tablename__ = "quote_follow_up"
    # An agent's follow-ups still to do, by when they fall due.
    __table_args__ = (sa.Index("ix_quote_follow_up_open", "agent_id", "due_at", sqlite_where=sa.text("done_at IS NULL"),
                               postgresql_where=sa.text("done_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    due_at: Mapped[datetime]
    # Set by the reminder job once due: the agent's navigation counts these until done.
    reminded_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    quote = relationship(Quote)


# Whether a supervisor decided on the quote before (its approval card then shows what changed
# since): deferred, the approval queue loads it with its page in the same statement.
Quote.was_decided = column_property(
    sa.exists().where(ApprovalDecision.quote_id == Quote.id).correlate_except(ApprovalDecision), deferred=True)
