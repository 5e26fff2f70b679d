"""Demo data: a user per role plus a new hire, a realistic book of customers, logins that work."""
import re

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.rules import authenticate
from portal.core.policy import Role
from portal.core import clock
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
        assert {c.kind for c in customers} == set(Kind)
        assert len({c.grade for c in customers}) >= 3
        assert all(re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,11}", c.code) for c in customers)
        with_contacts = set(db.session.scalars(sa.select(Contact.customer_id)))
        assert all(c.id in with_contacts for c in customers)
        assert all(users[c.owner_id].role in (Role.AGENT, Role.SUPERVISOR) for c in customers)

        for username, password in passwords.items():
            assert authenticate(username, password, "127.0.0.1").username == username


def test_load_demo_makes_a_week_of_shift_handovers(app):
    from portal.handover import queries, rules
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
        assert queries.waiting_for(users["agent"]) >= 1
        assert queries.current_draft(users["peer"]) is not None
        assert all(n.author_id != n.recipient_id for n in notes)

        # History reads true: every moment lies in the past, within the note's own shift.
        now = clock.now()
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


def test_load_demo_makes_ninety_days_of_quotes(app):
    from datetime import timedelta

    from portal.core.audit import AuditEntry
    from portal.quotes import queries
    from portal.quotes.models import FollowUp, Mode, Quote, Status

    with app.app_context():
        load_demo(customers=30)
        db.session.commit()
        now = clock.now()
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        quotes = db.session.scalars(sa.select(Quote).order_by(Quote.id)).all()
        current = [q for q in quotes if q.is_current]

        assert {q.status for q in current} == set(Status)
        assert {q.mode for q in quotes} == set(Mode)
        assert {q.pol[:2] for q in quotes} >= {"TW", "CN", "HK"}

        # Waiting for the supervisor now: the new hire's, and below-minimum or self-sourced ones by others.
        pending = [q for q in current if q.status == Status.PENDING]
        assert sum(q.agent_id == users["newhire"].id for q in pending) >= 3
        assert any(q.agent_id != users["newhire"].id and set(q.approval_reasons.split(","))
                   & {"below_minimum", "self_sourced"} for q in pending)
        for q in (q for q in current if q.status == Status.RETURNED):
            last = q.decisions[-1]
            assert (last.decision, last.decided_by_id) == ("returned", users["lead"].id) and last.comment

        # Peer forwarders are quoted by `peer`, and never sent the minimum in writing (R-Q5).
        to_peers = [q for q in current if q.customer.kind == Kind.PEER]
        assert sum(q.agent_id == users["peer"].id for q in to_peers) > len(to_peers) / 2
        assert all("minimum_in_writing" not in q.approval_reasons for q in to_peers if q.sent_at)

        # Revisions (R-Q9): the old one stays as it was; one follow-up is due for `agent` today (R-Q8).
        revised = [q for q in quotes if q.revision == 2]
        assert revised
        for q in revised:
            old = next(o for o in quotes if o.number == q.number and o.revision == 1)
            assert not old.is_current and old.sent_at and old.sent_at < q.created_at
        assert queries.follow_ups_due(users["agent"], now + timedelta(hours=12))

        # History reads true: every moment in the past and in order, and R-Q1 held on the way.
        for q in quotes:
            assert q.inquiry_at <= q.created_at <= q.updated_at <= now
            if q.sent_at:
                assert q.created_at <= q.sent_at <= now
                assert q.response_seconds == int((q.sent_at - q.inquiry_at).total_seconds())
                if q.approval_reasons:
                    assert any(d.decision == "approved" and d.decided_at <= q.sent_at for d in q.decisions)
            for d in q.decisions:
                assert q.created_at <= d.decided_at <= (q.sent_at or now)
            if q.status == Status.SENT and q.is_current:
                assert q.valid_until >= now.date() - timedelta(days=4)   # else it would have expired
        for f in db.session.scalars(sa.select(FollowUp)):
            assert f.quote.sent_at < f.due_at
            assert f.done_at is None or f.quote.sent_at <= f.done_at <= now
        moments = db.session.scalars(sa.select(AuditEntry.at).where(AuditEntry.subject_type == "quote")
                                     .order_by(AuditEntry.id)).all()
        assert moments == sorted(moments) and moments[-1] <= now
        queue, after = [], None
        while True:   # the supervisor's queue, page by page
            page = queries.pending_approvals(after)
            queue += page.items
            if not page.has_more:
                break
            after = page.next_cursor
        assert {q.id for q in queue} == {q.id for q in pending}


def test_load_demo_makes_sailings_and_shipments_in_every_state(app):
    from portal.shipments import rules
    from portal.shipments.models import (LoadingException, Milestone, Notice, ScheduleChange, Shipment, Status,
                                         StatusLink, VesselCall)

    with app.app_context():
        load_demo(customers=30)
        db.session.commit()
        now = clock.now()
        shipments = db.session.scalars(sa.select(Shipment)).all()
        assert 300 <= len(shipments) <= 480
        assert {s.status for s in shipments} == set(Status)
        assert any(len(s.legs) == 2 for s in shipments)                       # transshipped at Singapore
        assert any(s.quote_id for s in shipments)                            # booked from won quotes
        calls = db.session.scalars(sa.select(VesselCall)).all()
        assert {c.port for c in calls} >= {"TWKHH", "USLAX", "NLRTM", "SGSIN", "JPTYO", "CNSHA"}
        changes = db.session.scalars(sa.select(ScheduleChange)).all()
        assert {c.reason for c in changes} >= {"typhoon", "congestion", "strike"}
        assert any(c.notified_at for c in changes) and any(c.notified_at is None for c in changes)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) > 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoadingException)) >= 3
        links = db.session.scalars(sa.select(StatusLink)).all()
        assert len(links) > 30 and any(link.revoked_at for link in links)
        # History reads true: milestones in the past, in R-B2's order per container and shipment.
        for shipment in shipments:
            milestones = db.session.scalars(sa.select(Milestone).where(Milestone.shipment_id == shipment.id)).all()
            for m in milestones:
                assert m.at <= now
                for other in milestones:
                    if other.container_id in (None, m.container_id) or m.container_id is None:
                        if rules.order_key(other.kind, other.leg) < rules.order_key(m.kind, m.leg):
                            assert other.at <= m.at, (shipment.number, other.kind, m.kind)


def test_load_demo_makes_six_weeks_of_visits_contacts_and_complaints(app):
    """The visits history, through the rules: contacts on cadence with some lapses, visits done and
    planned, the reactivation queue being worked, complaints in every state, review meetings."""
    from portal.visits import queries
    from portal.visits.models import (ActionItem, CaseState, Channel, ComplaintCase, ContactEntry, PlannedVisit,
                                      Reactivation, VisitState)

    with app.app_context():
        load_demo(customers=30)
        db.session.commit()
        now = clock.now()
        entries = db.session.scalars(sa.select(ContactEntry)).all()
        assert len(entries) > 100 and all(e.at <= now for e in entries)
        assert {e.channel for e in entries} >= {Channel.PHONE, Channel.CHAT, Channel.EMAIL, Channel.VISIT}
        assert any(e.source_type == "quote_follow_up" for e in entries)          # quotes' follow-ups joined the log
        assert any(e.satisfaction for e in entries) and any(e.has_open_action for e in entries)
        states = {v.state for v in db.session.scalars(sa.select(PlannedVisit))}
        assert VisitState.DONE in states and VisitState.PLANNED in states
        cases = db.session.scalars(sa.select(ComplaintCase)).all()
        assert {c.state for c in cases} == set(CaseState)
        assert any(c.escalated_at for c in cases) and any(c.satisfaction for c in cases)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reactivation)) >= 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) >= 3
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        day = clock.today("Asia/Taipei")
        assert sum(queries.due_counts(users[n].id, day)["overdue"] for n in ("agent", "peer", "newhire", "lead")) > 0
