"""Reads for the handover screens: a note with its items, the desks, the supervisors' board,
history with its filters, and the customer's timeline entries."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload, undefer

from portal.auth.models import User
from portal.core.pagination import Page, keyset_page
from portal.core import search
from portal.core.policy import BOOK_HOLDERS, Role, can
from portal.core.timeline import TimelineEntry
from portal.extensions import db
from portal.customers.models import Customer
from portal.handover.models import Addendum, HandoverItem, HandoverNote, NoteCustomer, NoteEntry, NoteKind, NoteState


def current_draft(author: User) -> HandoverNote | None:
    return db.session.scalar(sa.select(HandoverNote).where(
        HandoverNote.author_id == author.id, HandoverNote.state == NoteState.DRAFT,
        HandoverNote.kind == NoteKind.SHIFT).order_by(HandoverNote.id.desc()).limit(1))


def load_note(note_id: int) -> HandoverNote | None:
    return db.session.scalar(
        sa.select(HandoverNote).where(HandoverNote.id == note_id).options(
            joinedload(HandoverNote.shift), joinedload(HandoverNote.author), joinedload(HandoverNote.recipient),
            joinedload(HandoverNote.acknowledged_by), selectinload(HandoverNote.customers),
            joinedload(HandoverNote.previous_owner),
            selectinload(HandoverNote.addenda).joinedload(Addendum.author),
            selectinload(HandoverNote.entries).options(
                joinedload(NoteEntry.carried_by),
                joinedload(NoteEntry.item).options(
                    joinedload(HandoverItem.customer), joinedload(HandoverItem.raised_by),
                    joinedload(HandoverItem.done_by),
                    selectinload(HandoverItem.entries).joinedload(NoteEntry.note)))))


def _list_options():
    """What every note list shows, in the list's one statement: shift, people, customer, and the
    item counts and first item's text (never the items themselves)."""
    return (joinedload(HandoverNote.shift), joinedload(HandoverNote.author), joinedload(HandoverNote.recipient),
            joinedload(HandoverNote.acknowledged_by), undefer(HandoverNote.customer_count),
            undefer(HandoverNote.first_customer_name), undefer(HandoverNote.item_count),
            undefer(HandoverNote.open_count), undefer(HandoverNote.first_item_text), raiseload("*"))


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
    ).all()
    return _unacknowledged_first(notes)


def written_notes(user: User, since: datetime) -> list[HandoverNote]:
    notes = db.session.scalars(
        sa.select(HandoverNote).options(*_list_options())
        .where(HandoverNote.author_id == user.id, HandoverNote.state != NoteState.DRAFT,
               sa.or_(HandoverNote.state == NoteState.SUBMITTED, HandoverNote.submitted_at >= since))
        .order_by(HandoverNote.id.desc()).limit(50)
    ).all()
    return _unacknowledged_first(notes)


def board_waiting(after: str | None = None, size: int = 50) -> Page:
    """The supervisor's board, first part (R-H2): every note handed over and not yet acknowledged,
    whatever its age, longest waiting first."""
    select = sa.select(HandoverNote).where(HandoverNote.state == NoteState.SUBMITTED).options(*_list_options())
    return keyset_page(select, HandoverNote.submitted_at, HandoverNote.id, after=after, kind=datetime, size=size)


def board_recent(today: date, limit: int = 100) -> list[HandoverNote]:
    """The board's second part: notes of today's and yesterday's shifts taken over, newest first."""
    return db.session.scalars(
        sa.select(HandoverNote).options(*_list_options())
        .where(HandoverNote.shift_date >= today - timedelta(days=1), HandoverNote.shift_date <= today,
               HandoverNote.state == NoteState.ACKNOWLEDGED)
        .order_by(HandoverNote.shift_date.desc(), HandoverNote.id.desc()).limit(limit)).all()


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
            moved = sa.select(NoteCustomer.note_id).where(NoteCustomer.customer_id == customer)
            select = select.where(sa.or_(HandoverNote.id.in_(moved),
                                         HandoverNote.id.in_(items.where(HandoverItem.customer_id == customer))))
        found = search.matching("handover_note", self.q)
        if found is not None:
            select = select.where(HandoverNote.id.in_(found))
        return select


def readable_by(reader: User):
    """The notes reader may open, as a condition: the SQL twin of the policy's handover.view rule,
    so a list never offers a note that answers 403 (tests compare the two note by note)."""
    if reader.role in (Role.SUPERVISOR, Role.ADMIN):
        return sa.true()
    if reader.role not in BOOK_HOLDERS:
        return sa.false()
    mine = sa.or_(HandoverNote.author_id == reader.id, HandoverNote.acknowledged_by_id == reader.id,
                  HandoverNote.recipient_id == reader.id)
    if reader.team:
        mine = sa.or_(mine, sa.and_(HandoverNote.recipient_id.is_(None), HandoverNote.team == reader.team))
    return mine


def history(reader: User, filters: NoteFilters, after: str | None = None, size: int = 50) -> Page:
    """Handed-over notes the reader may open, newest shift first."""
    select = filters.apply(sa.select(HandoverNote).where(HandoverNote.state != NoteState.DRAFT,
                                                         readable_by(reader))).options(*_list_options())
    return keyset_page(select, HandoverNote.shift_date, HandoverNote.id, descending=True, after=after,
                       kind=date, size=size)


def shifts_open(item: HandoverItem) -> int:
    """How many shifts the item has stayed open through: the distinct shifts (date and shift) of
    the notes it stood on. A customer handover in the same shift is not another shift."""
    return len({(e.note.shift_date, e.note.shift_id) for e in item.entries})


def timeline_entries(customer_id: int, limit: int, reader: User, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V4: handover items that mention the customer, on its timeline; each links the newest
    note about it the reader may open (none when they may open none)."""
    select = sa.select(HandoverItem).where(HandoverItem.customer_id == customer_id)
    if before is not None:
        select = select.where(HandoverItem.raised_at <= before)
    items = db.session.scalars(
        select.options(joinedload(HandoverItem.raised_by), selectinload(HandoverItem.entries).joinedload(NoteEntry.note))
        .order_by(HandoverItem.raised_at.desc(), HandoverItem.id.desc()).limit(limit)
    ).all()

    def newest_readable(item):
        readable = [e.note_id for e in item.entries if can(reader, "handover.view", e.note)]
        return max(readable) if readable else None

    return [TimelineEntry(at=i.raised_at, kind="handover", template="handover/_timeline_entry.html", subject_id=i.id,
                          data={"text": i.text[:120], "state": i.state, "note_id": newest_readable(i)},
                          by=i.raised_by.display_name)
            for i in items]


def search_documents(session, ids: list[int]) -> dict[int, str]:
    """The search tokens of handover notes: the remarks, the customers handed over, and the text
    and customers of every item on the note (items carried along count on each note)."""
    notes = session.execute(sa.select(HandoverNote.id, HandoverNote.summary).where(HandoverNote.id.in_(ids))).all()
    moved: dict[int, list] = {}
    for row in session.execute(
            sa.select(NoteCustomer.note_id, Customer.code, Customer.name_zh, Customer.name_en)
            .join(Customer, Customer.id == NoteCustomer.customer_id).where(NoteCustomer.note_id.in_(ids))):
        moved.setdefault(row.note_id, []).append(row)
    items: dict[int, list] = {}
    for row in session.execute(
            sa.select(NoteEntry.note_id, HandoverItem.text, Customer.code, Customer.name_zh, Customer.name_en)
            .join(HandoverItem, HandoverItem.id == NoteEntry.item_id)
            .outerjoin(Customer, Customer.id == HandoverItem.customer_id).where(NoteEntry.note_id.in_(ids))):
        items.setdefault(row.note_id, []).append(row)
    documents = {}
    for n in notes:
        on_note, customers = items.get(n.id, []), moved.get(n.id, [])
        documents[n.id] = search.document_tokens(
            n.summary, *(c.code for c in customers), *(i.text for i in on_note), *(i.code for i in on_note),
            names=[*(c.name_zh for c in customers), *(c.name_en for c in customers),
                   *(i.name_zh for i in on_note), *(i.name_en for i in on_note)])
    return documents


def search_source() -> search.Source:
    def notes_of_items(session, items):
        ids = [i.id for i in items if i.id is not None]
        return session.scalars(sa.select(NoteEntry.note_id).where(NoteEntry.item_id.in_(ids))).all() if ids else []

    return search.Source(
        kind="handover_note", model=HandoverNote, documents=search_documents,
        watch={HandoverNote: (("summary",), lambda session, rows: [n.id for n in rows]),
               NoteEntry: (None, lambda session, rows: [e.note_id for e in rows]),
               NoteCustomer: (None, lambda session, rows: [m.note_id for m in rows]),
               HandoverItem: (("text", "customer_id"), notes_of_items)})
