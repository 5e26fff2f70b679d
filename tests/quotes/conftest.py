"""Quotes fixtures: people, a customer, and valid quote values to vary."""
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.auth.models import User
from portal.customers import rules as customer_rules
from portal.extensions import db


@pytest.fixture
def people(make_user, clock, ctx):
    made = {"agent": make_user("agent", display_name="Jason Lin"),
            "newhire": make_user("agent", display_name="Emily Wu", is_new_hire=True,
                                 probation_ends_on=clock.start.date() + timedelta(days=60)),
            "lead": make_user("supervisor", display_name="Meiling Chen"),
            "finance": make_user("finance")}
    return {k: db.session.get(User, u.id) for k, u in made.items()}


@pytest.fixture
def customer(people):
    c = customer_rules.create_customer(people["agent"], {
        "code": "TW-0001", "name_zh": "台灣精密機械", "name_en": "Taiwan Precision Machinery", "kind": "direct",
        "source": "self_sourced", "preferred_locale": "zh_Hant"}, "A")
    customer_rules.add_contact(people["agent"], c, {"name": "王小明", "email": "wang@tpm.example"})
    db.session.commit()
    return c


def line(code="OFR", sell="1850.00", buy="1500.00", minimum="1700.00", currency="USD", direction="receivable",
         basis="container", quantity="2", includes=""):
    return {"charge_code": code, "basis": basis, "quantity": Decimal(quantity), "sell_rate": Decimal(sell),
            "buy_rate": Decimal(buy) if buy is not None else None,
            "min_sell_rate": Decimal(minimum) if minimum is not None else None,
            "currency": currency, "direction": direction, "includes": includes}


@pytest.fixture
def cards(people):
    """The rate cards the quotes price from (tests/rate_cards.py)."""
    from tests.rate_cards import standard_cards
    standard_cards()
    db.session.commit()


@pytest.fixture
def fcl(customer, cards, clock):
    """Valid FCL quote values: the inquiry came in half an hour before the frozen now."""
    def values(**changes):
        base = {"customer_id": customer.id, "contact_id": None, "inquiry_at": clock.start - timedelta(minutes=30),
                "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
                "container_qty": 2, "pieces": None, "gross_weight_kg": Decimal("18000"), "volume_cbm": None,
                "commodity": "Machine tools", "dg_class": None, "un_number": None, "dg_fees_confirmed": False,
                "shipper": None, "dimensions": None, "ship_date": None, "target_price": None, "incoterm": "FOB",
                "cargo_ready_on": None, "valid_until": clock.start.date() + timedelta(days=14), "currency": "USD",
                "notes": "Buy from the route department", "remarks": "Subject to space"}
        return base | changes
    return values
