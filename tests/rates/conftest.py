"""Rate card fixtures: people, and rate values to vary."""
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.auth.models import User
from portal.extensions import db


@pytest.fixture
def people(make_user, clock, ctx):
    made = {"agent": make_user("agent", display_name="Jason Lin"),
            "route": make_user("agent", display_name="Kevin Chou"),
            "lead": make_user("supervisor", display_name="Meiling Chen"),
            "admin": make_user("admin"), "finance": make_user("finance")}
    return {k: db.session.get(User, u.id) for k, u in made.items()}


@pytest.fixture
def rate_values(clock):
    def values(**changes):
        start = clock.start.date()
        return {"carrier": "EGLV", "pol": "TWKHH", "pod": "USLAX", "via": "", "equipment": "40HQ",
                "charge_code": "OFR", "buy_rate": Decimal("1500.00"), "sell_rate": Decimal("1850.00"),
                "min_sell_rate": Decimal("1700.00"), "currency": "USD", "valid_from": start,
                "valid_to": start + timedelta(days=30), "free_time_days": 14, "transit_days": 14,
                "cutoff_weekday": 3, "remarks": ""} | changes
    return values


HEADER = ["Carrier", "POL", "POD", "Via", "Equipment", "Charge", "Buy rate", "Company sell rate",
          "Minimum sell rate", "Currency", "Valid from", "Valid to", "Free time", "Transit days", "Cut-off day",
          "Remarks"]


def row(start, end, carrier="EGLV", pol="TWKHH", pod="USLAX", equipment="40HQ", charge="OFR", buy="1500",
        sell="1850", minimum="1700", currency="USD", via="", remarks=""):
    return [carrier, pol, pod, via, equipment, charge, buy, sell, minimum, currency, start.isoformat(),
            end.isoformat(), "14", "14", "Thu", remarks]


def csv_bytes(rows, header=HEADER) -> bytes:
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
