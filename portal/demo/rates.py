"""Rate cards for the demo's carriers and lanes, kept the way the route department keeps them and
made only through portal.rates.rules.

The route department's agent (`route`, given the pricing permission by the supervisor) keeps a
card per carrier, lane and container: thirty days at a time, renewed when it runs out, the rates
drifting a little from one period to the next. Cards are written when a quote first needs one,
stamped the morning their period began (core.clock.set_to), so history reads true: past periods
are expired, each lane's current one runs out on a day of its own (some within days), and a few
lanes were not renewed at all (a quote there is the agent's own channel). Afterwards the route
department imports next month's cards for the lanes about to run out (an import that went in),
and a carrier's sheet with mistakes waits in its preview (one that did not), the supervisor
corrects a minimum in place, and vets a channel an agent found into a card of its own
(handbook #10).
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.auth.models import User
from portal.core import clock as portal_clock
from portal.extensions import db
from portal.rates import rules
from portal.rates.models import Rate, RateSource

PERIOD = 30                 # days a card is valid
LAPSED_SHARE = 0.06         # lanes whose card the route department did not renew
FREE_TIME = (7, 10, 14, 14, 21)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class CardDesk:
    """The route department's cards, written as the quotes ask for them."""

    def __init__(self, seed: int, route: User, lead: User, today: date, cal):
        self.rng = random.Random(f"rates-{seed}")
        self.route, self.lead, self.today, self.cal = route, lead, today, cal
        self.keys: dict[tuple, dict] = {}       # key -> {"end": day a period ends, "base": (company, buy, minimum), ...}

    # --- periods ---------------------------------------------------------------------------------

    def _key(self, key: tuple) -> dict:
        spec = self.keys.get(key)
        if spec is None:
            rng = random.Random(f"{self.rng.random()}-{'-'.join(key)}")
            lapsed = rng.random() < LAPSED_SHARE
            # The current period ends 2 to 28 days from today; a lapsed key's last one ended last week.
            end = self.today + timedelta(days=rng.randint(2, 28)) if not lapsed \
                else self.today - timedelta(days=rng.randint(3, 12))
            spec = {"end": end, "lapsed": lapsed, "rng": rng, "base": None,
                    "terms": (rng.choice(FREE_TIME), rng.choice((0, 1, 2, 3, 4)))}
            self.keys[key] = spec
        return spec

    def _period(self, spec: dict, day: date) -> tuple[date, date] | None:
        if day > spec["end"]:
            return None                 # not renewed
        back = (spec["end"] - day).days // PERIOD
        end = spec["end"] - timedelta(days=PERIOD * back)
        return end - timedelta(days=PERIOD - 1), end

    def has_card(self, carrier: str, pol: str, pod: str, equipment: str, charge: str, day: date) -> bool:
        key = (carrier, pol, pod, equipment, charge)
        spec = self.keys.get(key)
        return spec is not None and self._period(spec, day) is not None and spec["base"] is not None

    def lapses(self, carrier: str, pol: str, pod: str, equipment: str, charge: str, day: date) -> bool:
        """No card for this key on the day: the route department did not renew it."""
        return self._period(self._key((carrier, pol, pod, equipment, charge)), day) is None

    # --- the rates ---------------------------------------------------------------------------------

    def rates(self, carrier: str, pol: str, pod: str, equipment: str, charge: str, day: date,
              proposal: tuple[float, float, float], step: float, transit: int | None = None):
        """(company sell, buy, minimum) of the card valid on the day, written now if it was not yet
        (the proposal sets a new lane's level); None when the lane's card was not renewed."""
        key = (carrier, pol, pod, equipment, charge)
        spec = self._key(key)
        period = self._period(spec, day)
        if period is None:
            return None
        start, end = period
        found = db.session.scalar(sa.select(Rate).where(
            Rate.carrier == carrier, Rate.pol == pol, Rate.pod == pod, Rate.via == "", Rate.equipment == equipment,
            Rate.charge_code == charge, Rate.valid_from == start))
        if found is None:
            if spec["base"] is None:
                spec["base"] = proposal
            drift = 1 + spec["rng"].uniform(-0.05, 0.05) * min((end - self.today).days // -PERIOD + 1, 3) \
                if end < self.today else 1
            company, buy, minimum = (round(v * drift / step) * step for v in spec["base"])
            minimum = min(max(minimum, buy + step), company - step) if company - buy >= 2 * step else buy
            found = self._write(key, start, end, _money(company), _money(buy), _money(minimum), spec["terms"], transit)
        return float(found.sell_rate), float(found.buy_rate), float(found.min_sell_rate)

    def _write(self, key, start: date, end: date, company, buy, minimum, terms, transit) -> Rate:
        """The card as the route department entered it, the morning its period began (or now)."""
        carrier, pol, pod, equipment, charge = key
        moment = min(self.cal.moment(start, time(9, 0)), portal_clock.now())
        with portal_clock.set_to(moment):
            return rules.create_rate(self.route, {
                "carrier": carrier, "pol": pol, "pod": pod, "via": "", "equipment": equipment, "charge_code": charge,
                "buy_rate": buy, "sell_rate": company, "min_sell_rate": minimum, "currency": "USD",
                "valid_from": start, "valid_to": end, "free_time_days": terms[0] if equipment != "cbm" else None,
                "transit_days": transit, "cutoff_weekday": terms[1], "remarks": ""})

    # --- after the quotes ----------------------------------------------------------------------------

    def keep_main_lanes(self, lanes: list[tuple[str, str, tuple, tuple[float, float], bool]]) -> None:
        """The company's main lanes carry current cards for their usual carriers whatever was quoted
        lately: ocean freight per container type, bunker for long hauls, the filing fee per B/L.
        lanes: (pol, pod, carriers, 40' company rate range, long haul)."""
        for pol, pod, carriers, (low, high), long_haul in lanes:
            for carrier in carriers:
                rng = random.Random(f"main-{carrier}-{pol}-{pod}")
                company40 = round(rng.uniform(low, high) / 5) * 5
                transit = rng.randint(14, 35) if long_haul else rng.randint(2, 7)
                for equipment, factor in (("20GP", 0.62), ("40GP", 1.0), ("40HQ", 1.04)):
                    company = round(company40 * factor / 5) * 5
                    buy = round(company * 0.88 / 5) * 5
                    self.rates(carrier, pol, pod, equipment, "OFR", self.today,
                               (company, buy, round((company + buy) / 2 / 5) * 5), 5, transit)
                    if long_haul:
                        baf = round(rng.uniform(260, 420) * (0.5 if equipment == "20GP" else 1) / 5) * 5
                        self.rates(carrier, pol, pod, equipment, "BAF", self.today, (baf, baf, baf), 5, transit)
                filing = {"US": "AMS", "CA": "AMS"}.get(pod[:2]) or ("ENS" if pod[:2] in (
                    "NL", "DE", "BE", "FR", "ES", "IT", "GR", "PL", "SE", "DK", "PT", "SI", "GB") else None)
                if filing:
                    self.rates(carrier, pol, pod, "bl", filing, self.today, (35, 25, 30), 1, None)

    def renew_by_import(self) -> None:
        """The route department imports next month's cards for the lanes whose card runs out within
        ten days (a file that went in), and a carrier's sheet with mistakes waits in its preview."""
        soon = self.today + timedelta(days=10)
        ending = db.session.scalars(sa.select(Rate).where(Rate.valid_to >= self.today, Rate.valid_to <= soon)
                                    .order_by(Rate.sort_key, Rate.id).limit(40)).all()
        header = ["Carrier", "POL", "POD", "Equipment", "Charge", "Buy rate", "Company sell rate",
                  "Minimum sell rate", "Currency", "Valid from", "Valid to", "Free time", "Transit days", "Cut-off day",
                  "Remarks"]
        rows = []
        for rate in ending:
            factor = Decimal(str(round(1 + self.rng.uniform(-0.04, 0.08), 3)))
            step = Decimal("5") if rate.sell_rate > 200 else Decimal("1")
            company, buy, minimum = ((v * factor / step).quantize(Decimal(1)) * step
                                     for v in (rate.sell_rate, rate.buy_rate, rate.min_sell_rate))
            minimum = min(max(minimum, buy + step), company)
            start = rate.valid_to + timedelta(days=1)
            rows.append([rate.carrier, rate.pol, rate.pod, rate.equipment, rate.charge_code, str(buy), str(company),
                         str(minimum), rate.currency, start.isoformat(), (start + timedelta(days=PERIOD - 1)).isoformat(),
                         "" if rate.free_time_days is None else str(rate.free_time_days),
                         "" if rate.transit_days is None else str(rate.transit_days),
                         ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[rate.cutoff_weekday or 0], "GRI incl."])
        if rows:
            record = rules.start_import(self.route, f"route-rates-{self.today:%Y%m}.xlsx", header, rows)
            rules.apply_import(self.route, record, record.version)
        # A carrier's sheet with mistakes: uploaded, checked, not imported.
        bad = [["YMLU", "TWKHH", "USLAX", "40HQ", "OFR", "1530", "1890", "1720", "USD",
                self.today.isoformat(), (self.today + timedelta(days=29)).isoformat(), "14", "15", "Wed", ""],
               ["YMLU", "TWKHH", "USLAXX", "40HQ", "OFR", "1530", "1890", "1720", "USD",
                self.today.isoformat(), (self.today + timedelta(days=29)).isoformat(), "14", "15", "Wed", ""],
               ["YMLU", "TWKEL", "USLGB", "40HQ", "OFR", "TBA", "1910", "1740", "USD",
                self.today.isoformat(), (self.today + timedelta(days=29)).isoformat(), "14", "16", "Tue", ""],
               ["Yang Ming", "TWKEL", "USLGB", "40HQ", "OFR", "1550", "1910", "1740", "USD",
                self.today.isoformat(), (self.today + timedelta(days=29)).isoformat(), "14", "16", "Tue", ""],
               ["Yang Ming", "TWKEL", "USLGB", "40HQ", "OFR", "1550", "1910", "1740", "USD",
                self.today.isoformat(), (self.today + timedelta(days=29)).isoformat(), "14", "16", "Tue", ""]]
        rules.start_import(self.route, "YM-TPEB-rate-sheet.csv", header, bad, RateSource.CARRIER)

    def correct_a_minimum(self) -> None:
        """The supervisor corrects a minimum in place (the history shows who, when, from what)."""
        rate = db.session.scalars(sa.select(Rate).where(Rate.valid_from <= self.today, Rate.valid_to >= self.today,
                                                        Rate.charge_code == "OFR").order_by(Rate.id).limit(1)).first()
        if rate is None:
            return
        values = {f: getattr(rate, f) for f in rules.RATE_FIELDS}
        values["min_sell_rate"] = min(rate.sell_rate, rate.min_sell_rate + Decimal("20"))
        values["remarks"] = "Minimum raised: space tight after the blank sailing."
        rules.update_rate(self.lead, rate, rate.version, values)

    def vet_channel(self, agent: User, carrier: str, pol: str, pod: str, equipment: str, buy: Decimal) -> None:
        """Handbook #10: the supervisor vets the channel an agent found into a card of its own."""
        values = {"carrier": carrier, "pol": pol, "pod": pod, "via": "", "equipment": equipment, "charge_code": "OFR",
                  "buy_rate": buy, "sell_rate": (buy * Decimal("1.12")).quantize(Decimal(1)),
                  "min_sell_rate": (buy * Decimal("1.05")).quantize(Decimal(1)), "currency": "USD",
                  "valid_from": self.today, "valid_to": self.today + timedelta(days=20), "free_time_days": 7,
                  "transit_days": None, "cutoff_weekday": None, "remarks": "Vetted agent channel (handbook #10)."}
        if rules.overlapping(values) is None:
            rules.adopt_channel(self.lead, agent, values)


def started_at(cal, day: date) -> datetime:
    return cal.moment(day, time(9, 0))
