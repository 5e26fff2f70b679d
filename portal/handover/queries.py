"""Reads for the handover screens: a note with its items, the desks, the supervisors' board,
history with its filters, and the customer's timeline entries."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from portal.auth.models import User
from portal.core.pagination import Page, keyset_page
from portal.core.text import like_pattern, search_term
from portal.core.timeline import TimelineEntry
from portal.extensions import db
from portal.customers.models import Customer
from portal.handover.models import Addendum, HandoverItem, HandoverNote, NoteEntry, NoteKind, NoteState


def current_draft(author: User) -> HandoverNote | None:
    return db.session.scalar(sa.select(HandoverNote).where(
        HandoverNote.author_id == author.id, HandoverNote.state == NoteState.DRAFT,
        HandoverNote.kind == NoteKind.SHIFT).order_by(HandoverNote.id.desc()).limit(1))


def load_note(note_id: int) -> HandoverNote | None:
    return db.session.scalar(
        sa.select(HandoverNote).where(HandoverNote.id == note_id).options(
            joinedload(HandoverNote.shift), joinedload(HandoverNote.author), joinedload(HandoverNote.recipient),
            joinedload(HandoverNote.acknowledged_by), joinedload(HandoverNote.customer),
            joinedload(HandoverNote.previous_owner),
            selectinload(HandoverNote.addenda).joinedload(Addendum.author),
            selectinload(HandoverNote.entries).options(
                joinedload(NoteEntry.carried_by),
                joinedload(NoteEntry.item).options(
                    joinedload(HandoverItem.customer), joinedload(HandoverItem.raised_by),
                    joinedload(HandoverItem.done_by),
                    selectinload(HandoverItem.entries).joinedload(NoteEntry.note)))))


def _list_options():
    """What every note list shows, loaded up front: a fixed number of queries per list."""
    return (joinedload(HandoverNote.shift), joinedload(HandoverNote.author), joinedload(HandoverNote.recipient),
            joinedload(HandoverNote.acknowledged_by), joinedload(HandoverNote.customer),
            selectinload(HandoverNote.entries).joinedload(NoteEntry.item), raiseload("*"))


def _unacknowledged_first(notes):
    return sorted(notes, key=lambda n: (n.is_acknowledged, -(n.submitted_at or n.created_at).timestamp()))


def received_notes(user: User, since: datetime) -> list[HandoverNote]:
    """Notes for this user (or their team) that wait for them, and those they took over lately."""
    addressed = HandoverNote.recipient_id == user.id
    if user.team:
        addressed = sa.or_(addressed, sa.and_(HandoverNote.recipient_id.is_(None), HandoverNote.team == user.team))
    notes = db.session.scalars(
        sa.select(HandoverNote).options(*_list_options())
        .where(addressed, HandoverNote.author_id != user.id, HandoverNote.state != NoteState.DRAFT,
               sa.or_(HandoverNote.state == NoteState.SUBMITTED, HandoverNote.acknowledged_at >= since))
        .order_by(HandoverNote.id.desc()).limit(50)
    ).unique().all()
    return _unacknowledged_first(notes)


def written_notes(user: User, since: datetime) -> list[HandoverNote]:
    notes = db.session.scalars(
        sa.select(HandoverNote).options(*_list_options())
        .where(HandoverNote.author_id == user.id, HandoverNote.state != NoteState.DRAFT,
               sa.or_(HandoverNote.state == NoteState.SUBMITTED, HandoverNote.submitted_at >= since))
        .order_by(HandoverNote.id.desc()).limit(50)
    ).unique().all()
    return _unacknowledged_first(notes)


def board(today: date) -> list[HandoverNote]:
    """The supervisor's board: every note of today and yesterday, unacknowledged first."""
    notes = db.session.scalars(
        sa.select(HandoverNote).options(*_list_options())
        .where(HandoverNote.shift_date >= today - timedelta(days=1), HandoverNote.shift_date <= today,
               HandoverNote.state != NoteState.DRAFT)
        .order_by(HandoverNote.id.desc())
    ).unique().all()
    return _unacknowledged_first(notes)


def waiting_for(user: User) -> int:
    """Notes handed to this user or their team that nobody has acknowledged yet."""
    addressed = HandoverNote.recipient_id == user.id
    if user.team:
        addressed = sa.or_(addressed, sa.and_(HandoverNote.recipient_id.is_(None), HandoverNote.team == user.team))
    return db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote).where(
        addressed, HandoverNote.author_id != user.id, HandoverNote.state == NoteState.SUBMITTED))


@dataclass
class NoteFilters:
    date_from: date | None = None
    date_to: date | None = None
    agent_id: int | None = None
    customer_id: int | None = None
    customer_code: str | None = None
    q: str = ""

    def apply(self, select):
        if self.date_from:
            select = select.where(HandoverNote.shift_date >= self.date_from)
        if self.date_to:
            select = select.where(HandoverNote.shift_date <= self.date_to)
        if self.agent_id:
            select = select.where(sa.or_(HandoverNote.author_id == self.agent_id,
                                         HandoverNote.recipient_id == self.agent_id,
                                         HandoverNote.acknowledged_by_id == self.agent_id))
        items = sa.select(NoteEntry.note_id).join(HandoverItem, HandoverItem.id == NoteEntry.item_id)
        customer = self.customer_id
        if self.customer_code:  # an unknown code matches nothing, not everything
            customer = sa.select(Customer.id).where(Customer.code == self.customer_code).scalar_subquery()
        if customer is not None:
            select = select.where(sa.or_(
                HandoverNote.customer_id == customer,
                HandoverNote.id.in_(items.where(HandoverItem.customer_id == customer))))
        for word in search_term(self.q).split():
            pattern = like_pattern(word)
            select = select.where(sa.or_(
                sa.func.lower(HandoverNote.summary).like(pattern, escape="\\"),
                HandoverNote.id.in_(items.where(sa.func.lower(HandoverItem.text).like(pattern, escape="\\")))))
        return select


def history(filters: NoteFilters, after: str | None = None, size: int = 50) -> Page:
    select = filters.apply(sa.select(HandoverNote).where(HandoverNote.state != NoteState.DRAFT)) \
        .options(*_list_options())
    return keyset_page(select, HandoverNote.shift_date, HandoverNote.id, descending=True, after=after,
                       kind=date, size=size)


def shifts_open(item: HandoverItem) -> int:
    """How many notes the item has stood on: one per shift it stayed open."""
    return len(item.entries)


def timeline_entries(customer_id: int, limit: int) -> list[TimelineEntry]:
    """R-V4: handover items that mention the customer, on its timeline."""
    items = db.session.scalars(
        sa.select(HandoverItem).where(HandoverItem.customer_id == customer_id)
        .options(joinedload(HandoverItem.raised_by), selectinload(HandoverItem.entries))
        .order_by(HandoverItem.id.desc()).limit(limit)
    ).all()
    return [TimelineEntry(at=i.raised_at, kind="handover", template="handover/_timeline_entry.html", subject_id=i.id,
                          data={"text": i.text[:120], "state": i.state,
                                "note_id": max(e.note_id for e in i.entries) if i.entries else None},
                          by=i.raised_by.display_name)
            for i in items]
