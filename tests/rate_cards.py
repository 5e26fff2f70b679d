"""Rate cards for tests, made through the app's own rules: a supervisor of the route desk keeps
them, so no agent's quote from them counts as the agent's own channel."""
from datetime import timedelta

import sqlalchemy as sa

from portal.auth import rules as auth_rules
from portal.auth.models import User
from portal.core.clock import now
from portal.extensions import db
from portal.rates import rules
from tests.conftest import PASSWORD

# charge: (buy, company sell, minimum sell)
STANDARD = {"OFR": ("1500.00", "1850.00", "1700.00")}


def route_desk() -> User:
    user = db.session.scalar(sa.select(User).where(User.username == "route-desk"))
    if user is None:
        user = auth_rules.create_user(None, "route-desk", PASSWORD, role="supervisor", display_name="Route desk")
    return user


def add_rates(carrier="EGLV", pol="TWKHH", pod="USLAX", equipment="40HQ", charges=None, days=30, start=None,
              currency="USD", actor=None, via="", **extra):
    """Rates valid from yesterday for `days` days (needs an app context with a request); flushed."""
    from decimal import Decimal
    actor = actor or route_desk()
    start = start or now().date() - timedelta(days=1)
    made = []
    for code, (buy, sell, minimum) in (charges or STANDARD).items():
        made.append(rules.create_rate(actor, {
            "carrier": carrier, "pol": pol, "pod": pod, "via": via, "equipment": equipment, "charge_code": code,
            "buy_rate": Decimal(buy), "sell_rate": Decimal(sell), "min_sell_rate": Decimal(minimum),
            "currency": currency, "valid_from": start, "valid_to": start + timedelta(days=days), **extra}))
    return made


def standard_cards() -> None:
    """The lanes the quote tests use: EGLV out of Kaohsiung to Los Angeles and Rotterdam, 40' HQ and
    20' GP, and YMLU to Los Angeles in 20' GP; ocean freight buy 1500, sell 1850, minimum 1700."""
    for pod in ("USLAX", "NLRTM"):
        for equipment in ("40HQ", "20GP"):
            add_rates(pod=pod, equipment=equipment)
    add_rates(carrier="YMLU", equipment="20GP")


def ensure_card(carrier="EGLV", pol="TWKHH", pod="USLAX", equipment="40HQ") -> None:
    """The standard ocean freight card on this lane, unless one is valid today already."""
    from portal.rates.queries import valid_rates
    from portal.rates.rules import department_today
    if not valid_rates(carrier, pol, pod, {equipment}, department_today()):
        add_rates(carrier=carrier, pol=pol, pod=pod, equipment=equipment)
