"""Visits fixtures: a small department (two agents, a supervisor, finance) and customers of each
grade with contacts, made through the app's own rules."""
from dataclasses import dataclass

import pytest

from portal.extensions import db


@dataclass
class World:
    agent: object
    other: object
    lead: object
    finance: object
    customers: dict          # code -> id


@pytest.fixture
def world(app, make_user, make_customer):
    agent = make_user("agent", "mei", display_name="陳美玲 Mei Chen", team="direct", locale="en")
    other = make_user("agent", "wang", display_name="王大明 David Wang", team="peer", locale="en")
    lead = make_user("supervisor", "lead", display_name="林主管 Sue Lin", locale="en")
    finance = make_user("finance", "fin", display_name="Finance Fang", locale="en")
    contacts = [{"name": "張經理", "phone": "+886 2 2712 3456", "is_primary": True},
                {"name": "Amy Lee", "email": "amy@example.com"}]
    customers = {
        "VA-A": make_customer(agent, contacts, grade="A", code="VA-A", name_zh="長榮精密", name_en="Evergrowth Precision"),
        "VA-C": make_customer(agent, contacts, grade="C", code="VA-C", name_zh="華益貿易", name_en="Huayi Trading"),
        "VA-D": make_customer(agent, contacts, grade="D", code="VA-D", name_zh="大同機械", name_en="Datong Machinery",
                              preferred_locale="zh_Hans"),
        "VO-B": make_customer(other, contacts, grade="B", code="VO-B", name_zh="海洋物流", name_en="Ocean Logistics",
                              preferred_locale="en"),
    }
    return World(agent, other, lead, finance, customers)


def get(model, key):
    return db.session.get(model, key)
