"""R-H4: a leaver's book handed over to colleagues in one step; nobody holding customers leaves."""
import re

import pytest
import sqlalchemy as sa

from portal.auth import rules as auth_rules
from portal.auth.models import User
from portal.core.audit import AuditEntry
from portal.core.rules import RuleViolation
from portal.customers import rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.handover import rules as handover_rules
from portal.handover.models import HandoverItem, HandoverNote, NoteKind


@pytest.fixture
def book(app, make_user, make_customer, clock):
    """A leaver with six customers (two of them with open handover items), two colleagues, a
    supervisor: their ids."""
    people = {name: make_user(role, display_name=name, team="direct").id
              for name, role in (("Leaver", "agent"), ("Amy", "agent"), ("Ben", "agent"), ("Lead", "supervisor"))}
    with app.test_request_context():
        leaver = db.session.get(User, people["Leaver"])
        customer_ids = [make_customer(leaver, grade=g) for g in "AABBCD"]
        note, _ = handover_rules.start_note(leaver, handover_rules.active_shifts()[0], clock.start.date(),
                                            db.session.get(User, people["Amy"]))
        for customer_id in customer_ids[:2]:
            handover_rules.add_item(leaver, note, {"text": "Chase the VGM", "priority": "normal",
                                                   "category": "booking", "customer_id": customer_id})
        handover_rules.submit_note(leaver, note)
        db.session.commit()
    return people, customer_ids


@pytest.fixture
def team(book, ctx):
    """The book's people and customers, loaded for calling rules directly."""
    people, customer_ids = book
    return ({name: db.session.get(User, i) for name, i in people.items()},
            [db.session.get(Customer, i) for i in customer_ids])


def client_as(app, user_id):
    c = app.test_client()
    with app.app_context():
        c.login_as(db.session.get(User, user_id))
    return c


def loaded(app, book):
    people, customer_ids = book
    with app.app_context():
        users = {name: db.session.get(User, i) for name, i in people.items()}
        customers = [db.session.get(Customer, i) for i in customer_ids]
        db.session.expunge_all()
    return users, customers


def versions(customers):
    return {c.id: c.version for c in customers}


def test_a_book_shared_between_two_colleagues_moves_in_one_change(team):
    people, customers = team
    leaver, amy, ben, lead = people["Leaver"], people["Amy"], people["Ben"], people["Lead"]
    plan = rules.spread(customers[:5], [amy, ben])          # the sixth stays with the leaver for now
    shares = rules.hand_over_book(lead, leaver, plan, versions(customers))
    db.session.commit()
    # Even shares, and both A-grade accounts are not dealt to the same colleague.
    assert sorted(shares.values()) == [2, 3]
    assert {plan[customers[0].id].id, plan[customers[1].id].id} == {amy.id, ben.id}
    for customer in customers[:5]:
        assert db.session.get(Customer, customer.id).owner_id == plan[customer.id].id
    assert db.session.get(Customer, customers[5].id).owner_id == leaver.id
    # One handover note per receiver, listing their customers and the open items on them.
    notes = db.session.scalars(sa.select(HandoverNote).where(HandoverNote.kind == NoteKind.CUSTOMER)).all()
    assert sorted(n.recipient_id for n in notes) == sorted([amy.id, ben.id])
    for note in notes:
        mine = {c.id for c in customers[:5] if plan[c.id].id == note.recipient_id}
        assert {c.id for c in note.customers} == mine and note.is_waiting and note.previous_owner_id == leaver.id
        items = {e.item.customer_id for e in note.entries}
        assert items == mine & {customers[0].id, customers[1].id}
    # Every move is in the audit log, by the supervisor.
    moves = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "reassign")).all()
    assert sorted(m.subject_id for m in moves) == sorted(c.id for c in customers[:5])
    assert {m.actor_id for m in moves} == {lead.id}


@pytest.mark.parametrize("who", ["inactive", "leaver", "finance"])
def test_a_receiver_who_cannot_hold_customers_is_refused_and_nothing_moves(team, make_user, who):
    people, customers = team
    leaver, amy, lead = people["Leaver"], people["Amy"], people["Lead"]
    receiver = {"inactive": lambda: make_user("agent", active=False), "leaver": lambda: leaver,
                "finance": lambda: make_user("finance")}[who]()
    receiver = db.session.get(User, receiver.id)
    plan = {customers[0].id: amy, customers[1].id: receiver}
    with pytest.raises(RuleViolation) as refused:
        rules.hand_over_book(lead, leaver, plan, versions(customers))
    assert receiver.display_name in str(refused.value.message)
    db.session.rollback()
    assert {db.session.get(Customer, c.id).owner_id for c in customers} == {leaver.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote)
                             .where(HandoverNote.kind == NoteKind.CUSTOMER)) == 0


def test_a_second_supervisor_handing_over_the_same_customers_is_refused(team, make_user):
    people, customers = team
    leaver, amy, ben, lead = people["Leaver"], people["Amy"], people["Ben"], people["Lead"]
    other_lead = db.session.get(User, make_user("supervisor").id)
    seen = versions(customers)                      # both supervisors opened the page
    rules.hand_over_book(lead, leaver, {c.id: amy for c in customers[:3]}, seen)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        rules.hand_over_book(other_lead, leaver, {c.id: ben for c in customers[:4]}, seen)
    assert customers[0].code in str(refused.value.message)
    db.session.rollback()
    assert [db.session.get(Customer, c.id).owner_id for c in customers[:4]] == [amy.id, amy.id, amy.id, leaver.id]


def test_nobody_leaves_holding_customers(team, make_user):
    people, customers = team
    leaver, amy, lead = people["Leaver"], people["Amy"], people["Lead"]
    admin = db.session.get(User, make_user("admin").id)
    with pytest.raises(RuleViolation) as refused:
        auth_rules.update_user(admin, leaver, leaver.version, active=False)
    assert "6 customers" in str(refused.value.message) and refused.value.field == "active"
    db.session.rollback()
    with pytest.raises(RuleViolation) as refused:
        auth_rules.update_user(admin, leaver, leaver.version, role="finance")
    assert refused.value.field == "role"
    db.session.rollback()
    rules.hand_over_book(lead, leaver, {c.id: amy for c in customers}, versions(customers))
    db.session.commit()
    auth_rules.update_user(admin, leaver, leaver.version, active=False)
    db.session.commit()
    assert not db.session.get(User, leaver.id).active


def test_book_page_shares_out_then_hands_over(app, book):
    people, customers = loaded(app, book)
    leaver, amy, ben = people["Leaver"], people["Amy"], people["Ben"]
    c = client_as(app, people["Lead"].id)
    page = c.get(f"/customers/book/{leaver.id}").get_data(as_text=True)
    assert all(x.code in page for x in customers) and "Leaver owns 6 customers." in page
    rows = {f"rows-{n}-{f}": v for n, x in enumerate(customers)
            for f, v in (("customer_id", x.id), ("version", x.version), ("receiver_id", ""))}

    # Share out without ticking anyone: told so, nothing moves.
    response = c.hx("POST", f"/customers/book/{leaver.id}", data=rows | {"action": "share"})
    assert response.status_code == 422 and "Tick one or more colleagues" in response.get_data(as_text=True)

    # Share out among Amy and Ben: every row gets a receiver, three each; nothing moved yet.
    response = c.hx("POST", f"/customers/book/{leaver.id}", data=rows | {"action": "share", "share_among": [amy.id, ben.id]})
    filled = response.get_data(as_text=True)
    chosen = re.findall(r'<option selected value="(\d+)">', filled)
    assert response.status_code == 200 and sorted(chosen) == sorted([str(amy.id)] * 3 + [str(ben.id)] * 3)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)
                                 .where(Customer.owner_id == leaver.id)) == 6

    # Hand over what the rows say (the last row left with the leaver).
    plan = {f"rows-{n}-receiver_id": (amy.id if n % 2 else ben.id) if n < 5 else "" for n in range(6)}
    response = c.hx("POST", f"/customers/book/{leaver.id}", data=rows | plan | {"action": "hand_over"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(f"/customers/book/{leaver.id}")
    with app.app_context():
        owners = [db.session.get(Customer, x.id).owner_id for x in customers]
    assert owners == [ben.id, amy.id, ben.id, amy.id, ben.id, leaver.id]
    page = c.get(f"/customers/book/{leaver.id}").get_data(as_text=True)
    assert "Leaver owns 1 customer." in page


def test_book_page_refuses_a_stale_page_and_an_unknown_receiver(app, book):
    people, customers = loaded(app, book)
    leaver, amy = people["Leaver"], people["Amy"]
    c = client_as(app, people["Lead"].id)
    rows = {f"rows-{n}-{f}": v for n, x in enumerate(customers)
            for f, v in (("customer_id", x.id), ("version", x.version - 1), ("receiver_id", amy.id))}
    response = c.hx("POST", f"/customers/book/{leaver.id}", data=rows | {"action": "hand_over"})
    assert response.status_code == 422 and "changed since you opened this page" in response.get_data(as_text=True)
    rows = {k: (999_999 if k.endswith("receiver_id") else v) for k, v in rows.items()}
    response = c.hx("POST", f"/customers/book/{leaver.id}", data=rows | {"action": "hand_over"})
    assert response.status_code == 422 and "Choose a colleague from the list" in response.get_data(as_text=True)
    with app.app_context():
        assert {db.session.get(Customer, x.id).owner_id for x in customers} == {leaver.id}


def test_only_supervisors_and_admins_hand_over_books(app, book):
    people, _ = book
    assert client_as(app, people["Amy"]).get(f"/customers/book/{people['Leaver']}").status_code == 403
    assert client_as(app, people["Lead"]).get(f"/customers/book/{people['Leaver']}").status_code == 200


def test_books_left_with_deactivated_colleagues_are_pointed_out(app, book, make_user):
    people, _ = book
    leaver_id = people["Leaver"]
    with app.app_context():
        # An account deactivated before the portal refused it (or straight in the database).
        db.session.execute(sa.update(User).where(User.id == leaver_id).values(active=False))
        db.session.commit()
    page = client_as(app, people["Lead"]).get("/customers").get_data(as_text=True)
    assert "Leaver (6 customers)" in page and f"/customers/book/{leaver_id}" in page
    admin = client_as(app, make_user("admin").id)
    users = admin.get("/admin/users?inactive=1").get_data(as_text=True)
    assert "Holds 6 customers" in users
    edit = admin.get(f"/admin/users/{leaver_id}").get_data(as_text=True)
    assert "Hand over 6 customers" in edit
