"""Shipments fixtures: people, a customer, a voyage Kaohsiung → Los Angeles (and one by way of
Singapore), and shipments made through the app's own rules, every time relative to the frozen clock."""
from datetime import timedelta
from types import SimpleNamespace
from decimal import Decimal

import pytest

from portal.auth.models import User
from portal.customers import rules as customer_rules
from portal.extensions import db, limiter
from portal.shipments import rules
from portal.shipments.models import VesselCall

# Containers whose ISO 6346 check digits are right.
CONTAINERS = ("CSQU3054383", "MSKU9070323", "TGHU1234567", "EGHU9011122")


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """Rate limits are counted per address for the whole run: each test starts with a clean slate."""
    with app.app_context():
        limiter.reset()
    yield


def make_people(make_user) -> dict:
    made = {"agent": make_user("agent", display_name="Jason Lin", locale="en"),
            "other": make_user("agent", display_name="Emily Wu", locale="en"),
            "lead": make_user("supervisor", display_name="Meiling Chen", locale="en"),
            "finance": make_user("finance", locale="en"), "admin": make_user("admin", locale="en")}
    return {k: db.session.get(User, u.id) for k, u in made.items()}


@pytest.fixture
def people(make_user, clock, ctx):
    return make_people(make_user)


def make_customer_tw(people):
    c = customer_rules.create_customer(people["agent"], {
        "code": "TW-0001", "name_zh": "台灣精密機械", "name_en": "Taiwan Precision Machinery", "kind": "direct",
        "source": "self_sourced", "preferred_locale": "zh_Hant", "notes": "INTERNAL-CUSTOMER-NOTE-7781"}, "A")
    customer_rules.add_contact(people["agent"], c, {"name": "王小明", "email": "wang@tpm.example", "line_id": "tpm-wang"})
    db.session.commit()
    return c


@pytest.fixture
def customer(people):
    return make_customer_tw(people)


def call(actor, port, eta, hours=20, vessel="EVER GIVEN", imo="9811000", voyage="1234E", carrier="EGLV", **extra):
    values = {"carrier": carrier, "vessel_name": vessel, "imo": imo, "voyage": voyage, "port": port,
              "terminal": extra.pop("terminal", "Terminal 5"), "eta": eta, "etb": eta + timedelta(hours=2),
              "etd": eta + timedelta(hours=hours), **extra}
    return rules.create_call(actor, values)


def make_voyage(lead, start) -> dict:
    """EVER GIVEN 1234E: Kaohsiung in three days (cut-offs before), Singapore, Los Angeles in three weeks."""
    khh = call(lead, "TWKHH", start + timedelta(days=3), doc_cutoff=start + timedelta(days=1),
               port_cutoff=start + timedelta(days=2), vgm_cutoff=start + timedelta(days=1, hours=12))
    sin = call(lead, "SGSIN", start + timedelta(days=7))
    lax = call(lead, "USLAX", start + timedelta(days=21))
    # An onward vessel from Singapore to Rotterdam, for transshipments.
    onward = call(lead, "SGSIN", start + timedelta(days=9), vessel="MSC OSCAR", imo="9703291", voyage="FE501W",
                  carrier="MSCU")
    rtm = call(lead, "NLRTM", start + timedelta(days=30), vessel="MSC OSCAR", imo="9703291", voyage="FE501W",
               carrier="MSCU")
    db.session.commit()
    return {"khh": khh, "sin": sin, "lax": lax, "onward": onward, "rtm": rtm}


@pytest.fixture
def voyage(people, clock):
    return make_voyage(people["lead"], clock.start)


def shipment_maker(people, customer, voyage):
    def make(pod="USLAX", actor=None, legs=True, containers=1, **values):
        actor = actor or people["agent"]
        shipment = rules.create_shipment(actor, {
            "customer_id": customer.id, "contact_id": customer.contacts[0].id, "carrier": "EGLV",
            "booking_no": values.pop("booking_no", None), "bl_no": values.pop("bl_no", None), "mode": "fcl",
            "pol": "TWKHH", "pod": pod, "container_type": "40HQ", "container_qty": max(containers, 1),
            "commodity": "Machine tools", "gross_weight_kg": Decimal("18000"), "shipper": "Taiwan Precision Machinery",
            "consignee": "Pacific Tools Inc.", "notify_party": "Same as consignee",
            "internal_notes": "INTERNAL-SHIPMENT-NOTE-4410", "remarks": "Please quote the booking number", **values})
        if legs and pod == "USLAX":
            rules.add_leg(actor, shipment, "TWKHH", "USLAX", voyage["khh"], voyage["lax"])
        elif legs and pod == "NLRTM":
            rules.add_leg(actor, shipment, "TWKHH", "SGSIN", voyage["khh"], voyage["sin"])
            rules.add_leg(actor, shipment, "SGSIN", "NLRTM", voyage["onward"], voyage["rtm"])
        for number in CONTAINERS[:containers]:
            rules.add_container(actor, shipment, {"number": number, "container_type": "40HQ",
                                                  "seal_no": "EG123456", "vgm_kg": Decimal("21500")})
        db.session.commit()
        return shipment
    return make


@pytest.fixture
def make_shipment(people, customer, voyage):
    return shipment_maker(people, customer, voyage)


class World:
    """Data for the view tests, made in a request context of its own and then let go, so that the
    test client's requests run in theirs (a context held open would share `g` with them)."""

    def __init__(self, app, make_user, start):
        self.app = app
        with app.test_request_context():
            people = make_people(make_user)
            customer = make_customer_tw(people)
            voyage = make_voyage(people["lead"], start)
            db.session.commit()
            self.users = {k: SimpleNamespace(id=u.id, username=u.username, display_name=u.display_name)
                          for k, u in people.items()}
            self.customer_id = customer.id
            self.calls = {k: c.id for k, c in voyage.items()}

    def build(self, fn):
        """Run fn(people, customer, voyage, make_shipment) in a request context; commit; return its result."""
        with self.app.test_request_context():
            people = {k: db.session.get(User, u.id) for k, u in self.users.items()}
            from portal.customers.models import Customer
            customer = db.session.get(Customer, self.customer_id)
            voyage = {k: db.session.get(VesselCall, i) for k, i in self.calls.items()}
            result = fn(people, customer, voyage, shipment_maker(people, customer, voyage))
            db.session.commit()
            return result

    def client(self, key):
        c = self.app.test_client()
        c.login_as(self.users[key])
        return c


@pytest.fixture
def world(app, make_user, clock):
    return World(app, make_user, clock.start)


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


__all__ = ["CONTAINERS", "VesselCall", "call", "fresh"]

