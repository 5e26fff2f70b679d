"""Shift handover: shifts, handover notes, and the items that travel from note to note."""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.timeutil import utcnow
from portal.extensions import db


class Priority:
    URGENT = "urgent"
    NORMAL = "normal"
    INFO = "info"
    ALL = (URGENT, NORMAL, INFO)
    RANK = {URGENT: 0, NORMAL: 1, INFO: 2}


class Category:
    ALL = ("customer_request", "booking", "document", "complaint", "collections", "filing", "other")


class NoteState:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"


class NoteKind:
    SHIFT = "shift"          # end of a shift, to the next one (R-H1)
    CUSTOMER = "customer"    # a customer moving to another owner (R-H4)


class Shift(db.Model):
    """A shift definition: the department's day, evening and night, each in its own time zone."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(sa.String(40))
    name_zh: Mapped[str] = mapped_column(sa.String(40))
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    timezone: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at


class HandoverNote(db.Model):
    __tablename__ = "handover_note"
    __table_args__ = (
        sa.Index("ix_handover_note_shift_date_id", "shift_date", "id"),
        sa.Index("ix_handover_note_state_submitted_at", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=NoteKind.SHIFT)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shift.id"))
    shift_date: Mapped[date]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    team: Mapped[str | None] = mapped_column(sa.String(20))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer.id"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default=NoteState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    shift = relationship(Shift)
    author = relationship("User", foreign_keys=[author_id])
    recipient = relationship("User", foreign_keys=[recipient_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])
    customer = relationship("Customer")
    entries: Mapped[list["NoteEntry"]] = relationship(
        back_populates="note", order_by="NoteEntry.position", cascade="all, delete-orphan")
    addenda: Mapped[list["Addendum"]] = relationship(
        back_populates="note", order_by="Addendum.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        return self.state == NoteState.DRAFT

    @property
    def is_acknowledged(self) -> bool:
        return self.state == NoteState.ACKNOWLEDGED


class HandoverItem(db.Model):
    """One thing to pick up. It lives across notes: carried from shift to shift until closed,
    and closing it anywhere closes it everywhere (R-H3)."""

    __tablename__ = "handover_item"
    __table_args__ = (sa.Index("ix_handover_item_state_customer", "state", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    priority: Mapped[str] = mapped_column(sa.String(10), default=Priority.NORMAL)
    category: Mapped[str] = mapped_column(sa.String(30), default="other")
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer.id"), index=True)
    # Any other record the item is about (a quote, a receivable, a filing): its table and id.
    subject_type: Mapped[str | None] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None]
    due_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(sa.String(10), default="open")
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
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
        return self.state == "open"


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    note: Mapped[HandoverNote] = relationship(back_populates="addenda")
    author = relationship("User")
