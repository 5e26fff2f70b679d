"""Demo data: a user per role plus a new hire, a realistic book of customers, logins that work."""
import re

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.rules import authenticate
from portal.core.policy import Role
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
