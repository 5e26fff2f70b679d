"""Shift handover (R-H1 to R-H4): notes from one shift to the next, items that nothing drops.
Changes only; reads are in queries.py."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from flask_babel import lazy_gettext as _l

from portal.auth.models import Team, User
from portal.core import audit, links
from portal.core.clock import now
from portal.core.database import lock
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.customers.models import Customer
from portal.extensions import db
from portal.handover.models import (Addendum, Category, HandoverItem, HandoverNote, ItemState, NoteCustomer, NoteEntry,
                                    NoteKind, NoteState, Priority, Shift)
from portal.handover.queries import current_draft

ITEM_FIELDS = ("text", "priority", "category", "customer_id", "due_at", "subject_type", "subject_id")


# --- shifts -------------------------------------------------------------------------------


def active_shifts() -> list[Shift]:
    return db.session.scalars(sa.select(Shift).where(Shift.active.is_(True))
                              .order_by(Shift.position, Shift.starts_at)).all()


def shift_date_of(shift: Shift, moment: datetime) -> date | None:
    """The date of the shift that moment (naive UTC) falls in, or None if it falls outside.

    R-H1: a shift that crosses midnight belongs to the date it started.
    """
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(shift.timezone))
    now = local.time()
    if not shift.crosses_midnight:
        return local.date() if shift.starts_at <= now < shift.ends_at else None
    if now >= shift.starts_at:
        return local.date()
    if now < shift.ends_at:
        return local.date() - timedelta(days=1)
    return None


def shift_at(moment: datetime, shifts: list[Shift] | None = None) -> tuple[Shift, date] | None:
    """The shift running at moment (naive UTC) and its date."""
    for shift in shifts if shifts is not None else active_shifts():
        day = shift_date_of(shift, moment)
        if day is not None:
            return shift, day
    return None


def shift_window(shift: Shift, day: date) -> tuple[datetime, datetime]:
    """Start and end of the shift on day, as naive UTC."""
    zone = ZoneInfo(shift.timezone)
    start = datetime.combine(day, shift.starts_at, zone)
    end = datetime.combine(day + timedelta(days=1) if shift.crosses_midnight else day, shift.ends_at, zone)
    utc = ZoneInfo("UTC")
    return start.astimezone(utc).replace(tzinfo=None), end.astimezone(utc).replace(tzinfo=None)


def save_shift(actor: User, shift: Shift | None, expected_version, fields: dict) -> Shift:
    try:
        ZoneInfo(fields["timezone"])
    except (KeyError, ValueError):
        raise RuleViolation(_l("Choose a time zone."), "timezone") from None
    if fields["starts_at"] == fields["ends_at"]:
        raise RuleViolation(_l("A shift cannot start and end at the same time."), "ends_at")
    if shift is None:
        shift = Shift(**fields)
        db.session.add(shift)
        db.session.flush()
        audit.record(actor, "create", shift, {f: [None, v] for f, v in audit.snapshot(shift, fields).items()})
        return shift
    check_version(shift, expected_version)
    before = audit.snapshot(shift, fields)
    for f, v in fields.items():
        setattr(shift, f, v)
    changes = audit.diff(before, audit.snapshot(shift, fields))
    if changes:
        db.session.flush()
        audit.record(actor, "update", shift, changes)
    return shift


# --- notes ----------------------------------------------------------------------------------


def start_note(author: User, shift: Shift, shift_date: date, recipient: User | None = None,
               team: str | None = None) -> tuple[HandoverNote, int]:
    """R-H1: a draft note for one shift on one date, to the incoming agent or a team.

    The author's open items are carried into it at once (R-H3). Returns the note and how many
    items were carried. One draft at a time: an existing draft is returned as it is.
    """
    draft = current_draft(author)
    if draft is not None:
        return draft, 0
    _check_addressee(author, recipient, team)
    note = HandoverNote(kind=NoteKind.SHIFT, shift_id=shift.id, shift_date=shift_date, author_id=author.id,
                        recipient_id=recipient.id if recipient else None, team=None if recipient else team,
                        summary="", state=NoteState.DRAFT, entries=[], addenda=[])
    db.session.add(note)
    db.session.flush()
    audit.record(author, "create", note, {"shift_id": [None, shift.id], "shift_date": [None, shift_date],
                                          "recipient_id": [None, note.recipient_id], "team": [None, note.team]})
    carried, _closed = carry_over_open_items(author, note)
    return note, carried


def _check_addressee(author: User, recipient: User | None, team: str | None) -> None:
    if recipient is None and not team:
        raise RuleViolation(_l("Choose who takes over: a colleague or a team."), "recipient_id")
    if recipient is None and Team.get(team) is None:
        raise RuleViolation(_l("Choose a team."), "team")
    if recipient is not None:
        if recipient.id == author.id:
            raise RuleViolation(_l("Hand over to someone else, not to yourself."), "recipient_id")
        if not can(author, "handover.receive", recipient):
            raise RuleViolation(_l("Choose an active agent or supervisor."), "recipient_id")


def readdress(author: User, note: HandoverNote, recipient: User | None, team: str | None) -> None:
    _require_draft(author, note)
    _check_addressee(author, recipient, team)
    before = {"recipient_id": note.recipient_id, "team": note.team}
    note.recipient_id = recipient.id if recipient else None
    note.team = None if recipient else team
    _touch(note)
    db.session.flush()
    audit.record(author, "update", note, audit.diff(before, {"recipient_id": note.recipient_id, "team": note.team}))


def _holder_notes():
    """For each item, the newest note it stands on."""
    return (sa.select(NoteEntry.item_id, sa.func.max(NoteEntry.note_id).label("note_id"))
            .group_by(NoteEntry.item_id).subquery())


def carry_over_open_items(actor: User, note: HandoverNote) -> tuple[int, int]:
    """R-H3: open items come along into the writer's new note: those of the notes they took
    over, and those of notes still waiting for them, their team, or a teammate of theirs (the
    receiver was absent) that were handed over before this shift began. Nothing stops at a
    note nobody acknowledged; that note stays on the supervisors' board.

    An item's newest note says who holds it. Its history stays: the earlier entries remain, and
    the new entry records who carried it and when. Returns (items carried, items skipped as
    closed meanwhile).
    """
    latest = _holder_notes()
    receiver = aliased(User)
    addressed = HandoverNote.recipient_id == actor.id
    if actor.team:
        addressed = sa.or_(addressed, sa.and_(HandoverNote.recipient_id.is_(None), HandoverNote.team == actor.team),
                           receiver.team == actor.team)
    shift_began, _end = shift_window(note.shift, note.shift_date)
    waiting_for_us = sa.and_(HandoverNote.state == NoteState.SUBMITTED, HandoverNote.author_id != actor.id,
                             HandoverNote.submitted_at < shift_began, addressed)
    candidates = db.session.scalars(
        sa.select(HandoverItem)
        .join(latest, latest.c.item_id == HandoverItem.id)
        .join(HandoverNote, HandoverNote.id == latest.c.note_id)
        .outerjoin(receiver, receiver.id == HandoverNote.recipient_id)
        .where(HandoverNote.id != note.id, sa.or_(HandoverNote.acknowledged_by_id == actor.id, waiting_for_us))
        .order_by(HandoverItem.id)
    ).all()
    carried = closed = 0
    for item in candidates:
        if not item.is_open:
            closed += 1
            continue
        _append(note, item, carried_by=actor)
        carried += 1
    if carried:
        db.session.flush()
        audit.record(actor, "carry", note, {"items": [None, carried]})
    return carried, closed


def carry_item(actor: User, note: HandoverNote, item: HandoverItem) -> NoteEntry:
    """Carry one open item into a draft; a closed item or one already there is refused."""
    _require_draft(actor, note)
    if not item.is_open:
        raise RuleViolation(_l("This item was closed meanwhile; there is nothing to carry."))
    if any(e.item_id == item.id for e in note.entries):
        raise RuleViolation(_l("This item is already on the note."))
    entry = _append(note, item, carried_by=actor)
    db.session.flush()
    audit.record(actor, "carry", note, {"item_id": [None, item.id]})
    return entry


def _append(note: HandoverNote, item: HandoverItem, carried_by: User | None = None) -> NoteEntry:
    entry = NoteEntry(item=item, position=len(note.entries),
                      carried_by_id=carried_by.id if carried_by else None,
                      carried_at=now() if carried_by else None)
    note.entries.append(entry)
    return entry


def _touch(note: HandoverNote) -> None:
    note.updated_at = now()


def _require_draft(actor: User, note: HandoverNote) -> None:
    if note.author_id != actor.id:
        raise RuleViolation(_l("Only the writer changes a draft note."))
    if not note.is_draft:
        raise RuleViolation(_l("This note was handed over and can no longer be changed. Add an addendum."))


def save_summary(actor: User, note: HandoverNote, text: str) -> None:
    """The draft's general remarks, saved as the writer types (no audit row per keystroke)."""
    _require_draft(actor, note)
    if len(text) > 10_000:
        raise RuleViolation(_l("Keep the remarks under 10,000 characters."), "summary")
    if text != note.summary:
        note.summary = text
        _touch(note)


def add_item(actor: User, note: HandoverNote, fields: dict) -> HandoverItem:
    _require_draft(actor, note)
    fields = _item_fields(fields)
    item = HandoverItem(**fields, state=ItemState.OPEN, raised_by_id=actor.id, entries=[])
    db.session.add(item)
    _append(note, item)
    _touch(note)
    db.session.flush()
    audit.record(actor, "create", item, {f: [None, v] for f, v in fields.items()}, parent=note)
    return item


def _item_fields(fields: dict) -> dict:
    values = {f: fields.get(f) for f in ITEM_FIELDS}
    values["text"] = (values["text"] or "").strip()
    if not values["text"]:
        raise RuleViolation(_l("Say what the next shift needs to know or do."), "text")
    if Priority.get(values["priority"]) is None:
        raise RuleViolation(_l("Choose a priority."), "priority")
    if Category.get(values["category"]) is None:
        raise RuleViolation(_l("Choose a category."), "category")
    if values["customer_id"] is not None and db.session.get(Customer, values["customer_id"]) is None:
        raise RuleViolation(_l("Choose a customer from the list."), "customer_id")
    # The item may point at a record of a feature above handover (a shipment): through the kinds
    # those features register in core.links, never an import of theirs.
    if values["subject_type"] is None or values["subject_id"] is None:
        values["subject_type"] = values["subject_id"] = None
    elif values["subject_type"] not in links.subject_kinds():
        raise RuleViolation(_l("Choose what the item is about."), "subject_type")
    return values


def is_fresh(item: HandoverItem, note: HandoverNote) -> bool:
    """Raised on this draft and on no other note: still the writer's to reword or drop."""
    return note.is_draft and len(item.entries) == 1 and item.entries[0].note_id == note.id


def update_item(actor: User, note: HandoverNote, item: HandoverItem, expected_version, fields: dict) -> None:
    """Reword a fresh item. An item that has been handed over is history (R-H2)."""
    _require_draft(actor, note)
    check_version(item, expected_version)
    if not is_fresh(item, note):
        raise RuleViolation(_l("This item came from an earlier note; close it, or add a new item."))
    fields = _item_fields(fields)
    before = audit.snapshot(item, ITEM_FIELDS)
    for f, v in fields.items():
        setattr(item, f, v)
    changes = audit.diff(before, audit.snapshot(item, ITEM_FIELDS))
    if changes:
        _touch(note)
        db.session.flush()
        audit.record(actor, "update", item, changes, parent=note)


def remove_item(actor: User, note: HandoverNote, item: HandoverItem) -> None:
    """Drop a fresh item from a draft. Carried items stay until someone closes them (R-H3)."""
    _require_draft(actor, note)
    if not is_fresh(item, note):
        raise RuleViolation(_l("Open items carry over until someone closes them; close it instead."))
    entry = item.entries[0]
    note.entries.remove(entry)
    _renumber(note)
    audit.record(actor, "delete", item, {"text": [item.text, None]}, parent=note)
    db.session.delete(item)
    _touch(note)
    db.session.flush()


def move_item(actor: User, note: HandoverNote, item: HandoverItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) on the draft."""
    _require_draft(actor, note)
    entries = list(note.entries)
    index = next((i for i, e in enumerate(entries) if e.item_id == item.id), None)
    if index is None:
        raise RuleViolation(_l("This item is not on the note."))
    target = index + offset
    if 0 <= target < len(entries):
        entries[index], entries[target] = entries[target], entries[index]
        for position, entry in enumerate(entries):
            entry.position = position
        _touch(note)
        db.session.flush()


def _renumber(note: HandoverNote) -> None:
    for position, entry in enumerate(note.entries):
        entry.position = position


def submit_note(actor: User, note: HandoverNote) -> None:
    """Hand the note over. An empty note (no items, no remarks) hands over nothing."""
    _require_draft(actor, note)
    if not note.entries and not note.summary.strip():
        raise RuleViolation(_l("The note is empty: add at least one item or a remark before handing over."))
    note.state = NoteState.SUBMITTED
    note.submitted_at = now()
    _touch(note)
    db.session.flush()
    audit.record(actor, "submit", note, {"state": [NoteState.DRAFT, NoteState.SUBMITTED]})


def acknowledge(actor: User, note: HandoverNote, expected_version=None) -> None:
    """R-H2: the incoming agent (or a member of the receiving team) takes over the note.

    From then on the note is read-only; corrections are addenda.
    """
    lock(db.session, note)
    if expected_version is not None:
        check_version(note, expected_version)
    if note.author_id == actor.id:
        raise RuleViolation(_l("You wrote this note; the person taking over acknowledges it."))
    if note.is_acknowledged:
        who = note.acknowledged_by.display_name if note.acknowledged_by else ""
        raise RuleViolation(_l("%(name)s already acknowledged this note.", name=who))
    if note.state != NoteState.SUBMITTED:
        raise RuleViolation(_l("The note has not been handed over yet."))
    if not can(actor, "handover.acknowledge", note):
        raise RuleViolation(_l("Only the person or team the note is for can acknowledge it."))
    note.state = NoteState.ACKNOWLEDGED
    note.acknowledged_at = now()
    note.acknowledged_by_id = actor.id
    db.session.flush()
    audit.record(actor, "acknowledge", note, {"state": [NoteState.SUBMITTED, NoteState.ACKNOWLEDGED]})


def close_item(actor: User, item: HandoverItem, expected_version) -> None:
    """Close an item: done on every note it stands on, with who and when (R-H3)."""
    lock(db.session, item)
    if not item.is_open:
        who = item.done_by.display_name if item.done_by else ""
        raise RuleViolation(_l("%(name)s already closed this item.", name=who))
    check_version(item, expected_version)
    item.state, item.done_by_id, item.done_at = ItemState.DONE, actor.id, now()
    db.session.flush()
    audit.record(actor, "close", item, {"state": [ItemState.OPEN, ItemState.DONE]}, parent=_newest_note(item))


def reopen_item(actor: User, item: HandoverItem, expected_version) -> None:
    lock(db.session, item)
    if item.is_open:
        raise RuleViolation(_l("This item is open already."))
    check_version(item, expected_version)
    item.state, item.done_by_id, item.done_at = ItemState.OPEN, None, None
    db.session.flush()
    audit.record(actor, "reopen", item, {"state": [ItemState.DONE, ItemState.OPEN]}, parent=_newest_note(item))


def _newest_note(item: HandoverItem) -> HandoverNote:
    return max(item.entries, key=lambda e: e.note_id).note


def add_addendum(actor: User, note: HandoverNote, text: str) -> Addendum:
    """R-H2: a correction to a handed-over note, marked with who and when; the note itself never
    changes once handed over, whether or not it has been acknowledged yet."""
    if note.is_draft:
        raise RuleViolation(_l("This note is still a draft: edit it instead of adding an addendum."))
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_l("Write the correction."), "text")
    addendum = Addendum(note=note, text=text, author_id=actor.id)
    db.session.add(addendum)
    db.session.flush()
    audit.record(actor, "addendum", note, {"addendum": [None, text]})
    return addendum


# --- customer handover (R-H4) ---------------------------------------------------------------------


def hand_over_customers(actor: User, customers: list[Customer], previous_owner: User, new_owner: User) -> HandoverNote:
    """R-H4: customers moving to a new owner come with one handover note listing them and their
    open items.

    Runs inside the reassignment's transaction (customers.signals.customers_reassigned): the move
    and the note are one change. The note is handed over at once, from the previous owner's
    desk, to the new owner to acknowledge; a book shared among colleagues makes one note each.
    """
    moment = now()
    found = shift_at(moment)
    if found is None:
        shifts = active_shifts()
        if not shifts:
            raise RuleViolation(_l("Set up at least one shift before handing customers over."))
        found = (shifts[0], moment.date())
    shift, day = found
    # From the previous owner's desk (the supervisor who moved them is in the audit row).
    note = HandoverNote(kind=NoteKind.CUSTOMER, shift_id=shift.id, shift_date=day, author_id=previous_owner.id,
                        recipient_id=new_owner.id, previous_owner_id=previous_owner.id, state=NoteState.SUBMITTED,
                        submitted_at=moment, entries=[], addenda=[], summary="")
    db.session.add(note)
    db.session.flush()
    ids = sorted(c.id for c in customers)
    db.session.add_all(NoteCustomer(note_id=note.id, customer_id=i) for i in ids)
    open_items = db.session.scalars(sa.select(HandoverItem).where(
        HandoverItem.customer_id.in_(ids), HandoverItem.state == ItemState.OPEN).order_by(HandoverItem.id)).all()
    for item in open_items:
        _append(note, item, carried_by=actor)
    db.session.flush()
    audit.record(actor, "create", note, {"kind": [None, NoteKind.CUSTOMER], "customers": [None, ids],
                                         "previous_owner_id": [None, previous_owner.id],
                                         "recipient_id": [None, new_owner.id], "items": [None, len(open_items)]})
    return note


def on_customers_reassigned(actor: User, customers: list[Customer], previous_owner: User, new_owner: User) -> None:
    """Receiver of customers.signals.customers_reassigned (connected in handover.init_app)."""
    hand_over_customers(actor, customers, previous_owner, new_owner)
