"""Demo data: a user per role plus a new hire, a realistic book of customers, logins that work."""
import re

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.rules import authenticate
from portal.core.policy import Role
from portal.core.timeutil import utcnow
from portal.customers.models import Contact, Customer, Kind
from portal.demo.data import load_demo
from portal.extensions import db


def test_load_demo_makes_every_role_and_a_book_of_customers(app):
    with app.app_context():
        passwords = load_demo(customers=30)
        db.session.commit()

        users = {u.id: u for u in db.session.scalars(sa.select(User))}
        assert set(passwords) == {u.username for u in users.values()}
        assert {u.role for u in users.values()} == set(Role)
        assert any(u.is_new_hire and u.probation_ends_on for u in users.values())

        customers = db.session.scalars(sa.select(Customer)).all()
        assert len(customers) == 30
        assert {c.kind for c in customers} == set(Kind.ALL)
        assert len({c.grade for c in customers}) >= 3
        assert all(re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,11}", c.code) for c in customers)
        with_contacts = set(db.session.scalars(sa.select(Contact.customer_id)))
        assert all(c.id in with_contacts for c in customers)
        assert all(users[c.owner_id].role in (Role.AGENT, Role.SUPERVISOR) for c in customers)

        for username, password in passwords.items():
            assert authenticate(username, password, "127.0.0.1").username == username


def test_load_demo_makes_a_week_of_shift_handovers(app):
    from portal.handover import rules
    from portal.handover.models import Addendum, HandoverItem, HandoverNote, NoteEntry, NoteKind, NoteState

    with app.app_context():
        load_demo(customers=30)
        db.session.commit()
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        notes = db.session.scalars(sa.select(HandoverNote).order_by(HandoverNote.id)).all()
        items = db.session.scalars(sa.select(HandoverItem)).all()

        assert {n.state for n in notes} == {NoteState.DRAFT, NoteState.SUBMITTED, NoteState.ACKNOWLEDGED}
        assert {i.state for i in items} == {"open", "done"}
        assert any(len({e.note_id for e in i.entries}) >= 3 for i in items)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Addendum)) >= 1
        assert any(n.kind == NoteKind.CUSTOMER for n in notes)
        assert sum(i.customer_id is not None for i in items) > len(items) / 2

        # Now: the newest note waits for `agent`, and `peer` is writing a draft.
        assert rules.waiting_for(users["agent"]) >= 1
        assert rules.current_draft(users["peer"]) is not None
        assert all(n.author_id != n.recipient_id for n in notes)

        # History reads true: every moment lies in the past, within the note's own shift.
        now = utcnow()
        shifts = {s.id: s for s in rules.active_shifts()}
        for note in notes:
            start, end = rules.shift_window(shifts[note.shift_id], note.shift_date)
            assert start <= note.created_at <= min(end, now)
            if note.submitted_at:
                assert note.created_at <= note.submitted_at <= min(end, now)
            if note.acknowledged_at:
                assert note.submitted_at < note.acknowledged_at <= now
            assert all(a.created_at >= note.acknowledged_at for a in note.addenda)
        for item in items:
            first = min(item.entries, key=lambda e: e.note_id).note
            assert first.created_at <= item.raised_at <= now
            assert item.done_at is None or item.raised_at < item.done_at <= now
        for entry in db.session.scalars(sa.select(NoteEntry).where(NoteEntry.carried_by_id.is_not(None))):
            assert entry.carried_at == entry.note.created_at
