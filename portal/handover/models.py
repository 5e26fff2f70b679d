"""Shift handover: shifts, handover notes, and the items that travel from note to note."""
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.auth.models import Team
from portal.core.clock import now
from portal.customers.models import Customer
from portal.extensions import db


class Priority(Choice):
    URGENT = "urgent", _l("Urgent"), "bad"
    NORMAL = "normal", _l("Normal"), "info"
    INFO = "info", _l("For information"), "neutral"


class Category(Choice):
    CUSTOMER_REQUEST = "customer_request", _l("Customer request")
    BOOKING = "booking", _l("Booking")
    DOCUMENT = "document", _l("Document")
    COMPLAINT = "complaint", _l("Complaint")
    COLLECTIONS = "collections", _l("Collections")
    FILING = "filing", _l("Government filing")
    OTHER = "other", _l("Other")


class NoteState(Choice):
    DRAFT = "draft", _l("Draft"), "neutral"
    SUBMITTED = "submitted", _l("Unacknowledged"), "warn"     # handed over, waiting for the receiver (R-H2)
    ACKNOWLEDGED = "acknowledged", _l("Acknowledged"), "good"


class NoteKind(Choice):
    SHIFT = "shift", _l("Shift handover")            # end of a shift, to the next one (R-H1)
    CUSTOMER = "customer", _l("Customer handover")   # a customer moving to another owner (R-H4)


class ItemState(Choice):
    OPEN = "open", _l("Open"), "warn"
    DONE = "done", _l("Closed"), "good"


class Shift(db.Model):
    """A shift definition: the department's day, evening and night, each in its own time zone."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The shift's name in each of the portal's languages (shown in the reader's).
    name_en: Mapped[str] = mapped_column(sa.String(40))
    name_zh_hant: Mapped[str] = mapped_column(sa.String(40))
    name_zh_hans: Mapped[str] = mapped_column(sa.String(40))
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def name_in(self, locale: str) -> str:
        return {"zh_Hant": self.name_zh_hant, "zh_Hans": self.name_zh_hans}.get(locale) or self.name_en

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at


class HandoverNote(db.Model):
    __tablename__ = "handover_note"
    __table_args__ = (
        sa.Index("ix_handover_note_shift_date_id", "shift_date", "id"),
        sa.Index("ix_handover_note_state_submitted_at", "state", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoteKind] = mapped_column(ChoiceColumn(NoteKind, 20), default=NoteKind.SHIFT)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"))
    shift_date: Mapped[date]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    team: Mapped[Team | None] = mapped_column(ChoiceColumn(Team, 20))
    # A customer handover (R-H4): whose book the customers (see `customers`) left.
    previous_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[NoteState] = mapped_column(ChoiceColumn(NoteState, 20), default=NoteState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    shift = relationship(Shift)
    author = relationship("User", foreign_keys=[author_id])
    recipient = relationship("User", foreign_keys=[recipient_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    previous_owner = relationship("User", foreign_keys=[previous_owner_id])
    # The customers a customer handover moves: one when a customer is reassigned, a share of a
    # colleague's book when it is handed over.
    customers = relationship(Customer, secondary="handover_note_customer", order_by=Customer.code,
                             viewonly=True)
    entries: Mapped[list["NoteEntry"]] = relationship(
        back_populates="note", order_by="NoteEntry.position", cascade="all, delete-orphan")
    addenda: Mapped[list["Addendum"]] = relationship(
        back_populates="note", order_by="Addendum.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        return self.state == NoteState.DRAFT

    @property
    def is_waiting(self) -> bool:
        """Handed over and not yet acknowledged (R-H2)."""
        return self.state == NoteState.SUBMITTED

    @property
    def is_acknowledged(self) -> bool:
        return self.state == NoteState.ACKNOWLEDGED


class NoteCustomer(db.Model):
    """A customer moved by a customer handover note."""

    __tablename__ = "handover_note_customer"
    __table_args__ = (sa.Index("ix_handover_note_customer_customer", "customer_id", "note_id"),)

    note_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_note.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"), primary_key=True)


class HandoverItem(db.Model):
    """One thing to pick up. It lives across notes: carried from shift to shift until closed,
    and closing it anywhere closes it everywhere (R-H3)."""

    __tablename__ = "handover_item"
    __table_args__ = (sa.Index("ix_handover_item_state_customer", "state", "customer_id"),
                      # the items about one record, on its page (a shipment's, a quote's), newest first
                      sa.Index("ix_handover_item_subject", "subject_type", "subject_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    priority: Mapped[Priority] = mapped_column(ChoiceColumn(Priority, 10), default=Priority.NORMAL)
    category: Mapped[Category] = mapped_column(ChoiceColumn(Category, 30), default=Category.OTHER)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer.id"), index=True)
    # Any other record the item is about (a quote, a receivable, a filing): its table and id.
    subject_type: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    due_at: Mapped[datetime | None]
    state: Mapped[ItemState] = mapped_column(ChoiceColumn(ItemState, 10), default=ItemState.OPEN)
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(default=now)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    done_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    done_by = relationship("User", foreign_keys=[done_by_id])
    entries: Mapped[list["NoteEntry"]] = relationship(back_populates="item", order_by="NoteEntry.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state == ItemState.OPEN


class NoteEntry(db.Model):
    """An item's place on one note; an item carried over has one entry per shift it stayed open."""

    __tablename__ = "handover_entry"
    __table_args__ = (sa.UniqueConstraint("note_id", "item_id", name="uq_handover_entry_note_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_note.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    carried_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    carried_at: Mapped[datetime | None]

    note: Mapped[HandoverNote] = relationship(back_populates="entries")
    item: Mapped[HandoverItem] = relationship(back_populates="entries")
    carried_by = relationship("User")

    @property
    def carried(self) -> bool:
        return self.carried_by_id is not None


class Addendum(db.Model):
    """A correction added to an acknowledged note, which itself never changes (R-H2)."""

    __tablename__ = "handover_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_note.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    note: Mapped[HandoverNote] = relationship(back_populates="addenda")
    author = relationship("User")


# What lists show of a note without loading its items (deferred: list queries undefer them, so a
# page of notes is one statement whatever their items).
HandoverNote.item_count = column_property(
    sa.select(sa.func.count(NoteEntry.id)).where(NoteEntry.note_id == HandoverNote.id)
    .correlate_except(NoteEntry).scalar_subquery(), deferred=True)
HandoverNote.open_count = column_property(
    sa.select(sa.func.count(NoteEntry.id)).join(HandoverItem, HandoverItem.id == NoteEntry.item_id)
    .where(NoteEntry.note_id == HandoverNote.id, HandoverItem.state == ItemState.OPEN)
    .correlate_except(NoteEntry, HandoverItem).scalar_subquery(), deferred=True)
HandoverNote.customer_count = column_property(
    sa.select(sa.func.count(NoteCustomer.customer_id)).where(NoteCustomer.note_id == HandoverNote.id)
    .correlate_except(NoteCustomer).scalar_subquery(), deferred=True)
HandoverNote.first_customer_name = column_property(
    sa.select(sa.func.coalesce(Customer.name_zh, Customer.name_en, Customer.code))
    .join(NoteCustomer, NoteCustomer.customer_id == Customer.id)
    .where(NoteCustomer.note_id == HandoverNote.id).order_by(NoteCustomer.customer_id).limit(1)
    .correlate_except(NoteCustomer, Customer).scalar_subquery(), deferred=True)
HandoverNote.first_item_text = column_property(
    sa.select(HandoverItem.text).join(NoteEntry, NoteEntry.item_id == HandoverItem.id)
    .where(NoteEntry.note_id == HandoverNote.id).order_by(NoteEntry.id).limit(1)
    .correlate_except(NoteEntry, HandoverItem).scalar_subquery(), deferred=True)
