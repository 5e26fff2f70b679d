"""Rate cards: what a rate must hold, keeping rates (one by one, or a whole file at once), the
pricing permission, and vetting an agent's own channel into a card (handbook #10).

Changes only; reads are in queries.py. Quotes price their lines from here (R-Q4 to R-Q6): the
buy and minimum sell rates of a line are the card's, never what the quote's author types.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit
from portal.core.clock import now, today
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.extensions import db
from portal.rates.files import KEY_FIELDS, LABELS, RATE_FIELDS, VALUE_FIELDS, guess_mapping, parse_row
from portal.rates.models import ImportState, Rate, RateImport, RateSource, RateState
from portal.reference import (BASIS_BY_CODE, CARRIER_BY_CODE, CHARGE_BY_CODE, CONTAINER_TYPE_BY_CODE, CURRENCIES,
                              PORT_BY_CODE)

# The freight rate itself: it comes from a rate card, or from a channel the agent found (R-Q6).
FREIGHT_CHARGES = frozenset({"OFR", "ALLIN"})
# Bases a rate may be kept per, besides a container type.
NON_CONTAINER_BASES = tuple(b for b in BASIS_BY_CODE if b != "container")
EXPIRING_DAYS = 14          # a rate ending within this many days "expires soon"
LONGEST_VALIDITY = 400      # days: a rate card is renewed at least once a year
MAX_RATE = Decimal("10000000")


def department_today() -> date:
    return today(current_app.config["PORTAL_TIMEZONE"])


def is_equipment(code: str | None) -> bool:
    return bool(code) and (code in CONTAINER_TYPE_BY_CODE or code in NON_CONTAINER_BASES)


def equipment_for(basis: str | None, container_type: str | None) -> str | None:
    """The equipment a charge line is priced by: its container type when per container, else its basis."""
    if basis == "container":
        return container_type or None
    return basis or None


def state_of(rate: Rate, on: date | None = None) -> RateState:
    on = on or department_today()
    if rate.valid_from > on:
        return RateState.FUTURE
    if rate.valid_to < on:
        return RateState.EXPIRED
    if rate.valid_to <= on + timedelta(days=EXPIRING_DAYS):
        return RateState.EXPIRING
    return RateState.CURRENT


def sort_key(values) -> str:
    get = values.get if isinstance(values, dict) else lambda f: getattr(values, f)
    return "|".join((get("pol"), get("pod"), get("carrier"), get("via") or "", get("equipment"),
                     get("charge_code")))[:60]


# --- what a rate must hold ---------------------------------------------------------------------


def check_rate(values: dict) -> None:
    """A rate names a known carrier, lane, equipment, charge and currency; buy <= minimum <= company
    sell rate; valid from <= valid to, at most about a year. Raises RuleViolation at the field."""
    if values.get("carrier") not in CARRIER_BY_CODE:
        raise RuleViolation(_l("Choose a carrier."), "carrier")
    for name in ("pol", "pod"):
        if values.get(name) not in PORT_BY_CODE:
            raise RuleViolation(_l("Unknown port: use its 5-letter UN/LOCODE, for example TWKHH."), name)
    if values.get("pol") == values.get("pod"):
        raise RuleViolation(_l("The port of discharge must differ from the port of loading."), "pod")
    if values.get("via") and (values["via"] not in PORT_BY_CODE or values["via"] in (values["pol"], values["pod"])):
        raise RuleViolation(_l("The via port is a known port other than the ports of loading and discharge."), "via")
    if not is_equipment(values.get("equipment")):
        raise RuleViolation(_l("Choose a container type, or per CBM, ton, B/L or lump sum."), "equipment")
    if values.get("charge_code") not in CHARGE_BY_CODE:
        raise RuleViolation(_l("Choose a charge."), "charge_code")
    if values.get("currency") not in CURRENCIES:
        raise RuleViolation(_l("Choose a currency."), "currency")
    for name in ("buy_rate", "sell_rate", "min_sell_rate"):
        value = values.get(name)
        if value is None:
            raise RuleViolation(_l("Enter the %(what)s.", what=LABELS[name]), name)
        if not value.is_finite() or not Decimal("0") <= value <= MAX_RATE:
            raise RuleViolation(_l("Rates are between 0 and 10,000,000."), name)
    if not values["buy_rate"] <= values["min_sell_rate"] <= values["sell_rate"]:
        raise RuleViolation(_l("The minimum sell rate lies between the buy rate and the company sell rate."),
                            "min_sell_rate")
    start, end = values.get("valid_from"), values.get("valid_to")
    if start is None:
        raise RuleViolation(_l("Enter the first day the rate is valid."), "valid_from")
    if end is None:
        raise RuleViolation(_l("Enter the last day the rate is valid."), "valid_to")
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise RuleViolation(_l("Enter a date between %(first)d and %(last)d.", first=2000, last=2100), "valid_to")
    if end < start:
        raise RuleViolation(_l("A rate cannot end before it starts."), "valid_to")
    if (end - start).days > LONGEST_VALIDITY:
        raise RuleViolation(_l("A rate is valid for at most %(days)d days; renew it with a new period.",
                               days=LONGEST_VALIDITY), "valid_to")
    for name, low, high in (("free_time_days", 0, 180), ("transit_days", 1, 120), ("cutoff_weekday", 0, 6)):
        value = values.get(name)
        if value is not None and not low <= value <= high:
            raise RuleViolation(_l("%(what)s: enter a number from %(low)d to %(high)d.", what=LABELS[name],
                                   low=low, high=high), name)
    if len(values.get("remarks") or "") > 300:
        raise RuleViolation(_l("Remarks are at most 300 characters."), "remarks")


def _normal(values: dict) -> dict:
    """The rate fields only, codes upper-case, blanks as the model keeps them."""
    result = {f: values.get(f) for f in RATE_FIELDS}
    for name in ("carrier", "pol", "pod", "via", "currency"):
        result[name] = (result[name] or "").strip().upper()
    result["charge_code"] = (result["charge_code"] or "").strip().upper()
    equipment = (result["equipment"] or "").strip()
    result["equipment"] = equipment.upper() if equipment.upper() in CONTAINER_TYPE_BY_CODE else equipment.lower()
    result["remarks"] = (result["remarks"] or "").strip()
    return result


def overlapping(values: dict, exclude_id: int | None = None) -> Rate | None:
    """Another rate of the same key whose validity overlaps these dates."""
    select = sa.select(Rate).where(*(getattr(Rate, f) == values[f] for f in KEY_FIELDS),
                                   Rate.valid_from <= values["valid_to"], Rate.valid_to >= values["valid_from"])
    if exclude_id:
        select = select.where(Rate.id != exclude_id)
    return db.session.scalars(select.order_by(Rate.valid_from).limit(1)).first()


def _hold_key(values: dict) -> None:
    """Two saves of the same rate key queue one behind the other, so that neither misses the other's
    overlapping period: a transaction lock on the key (PostgreSQL); SQLite's writers queue anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b("|".join(str(values[f]) for f in KEY_FIELDS).encode(), digest_size=8).digest()
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True))))


def _refuse_overlap(values: dict, exclude_id: int | None = None) -> None:
    _hold_key(values)
    other = overlapping(values, exclude_id)
    if other is not None:
        raise RuleViolation(_l("This rate's validity overlaps the same rate valid from %(start)s to %(end)s. "
                               "End that one first, or change the dates.", start=other.valid_from.isoformat(),
                               end=other.valid_to.isoformat()), "valid_from")


def create_rate(actor: User, values: dict, source: str = RateSource.ROUTE, source_agent: User | None = None,
                rate_import: RateImport | None = None) -> Rate:
    """A new rate on a card. Only those who keep rate cards; an agent's channel is vetted by a supervisor."""
    if not can(actor, "rates.maintain"):
        raise RuleViolation(_l("Rate cards are kept by supervisors and agents with the pricing permission."))
    if source == RateSource.AGENT or source_agent is not None:
        if not can(actor, "rates.adopt"):
            raise RuleViolation(_l("A supervisor vets an agent's own channel."))
        if source_agent is None:
            raise RuleViolation(_l("Name the agent whose channel this is."), "source_agent_id")
        source = RateSource.AGENT
    values = _normal(values)
    check_rate(values)
    _refuse_overlap(values)
    rate = Rate(**values, source=source, source_agent_id=source_agent.id if source_agent else None,
                changed_by_id=actor.id, import_id=rate_import.id if rate_import else None,
                sort_key=sort_key(values), updated_at=now())
    db.session.add(rate)
    db.session.flush()
    audit.record(actor, "create", rate, {f: [None, v] for f, v in audit.snapshot(rate, RATE_FIELDS).items()
                                         if v not in (None, "")} | {"source": [None, rate.source]})
    return rate


def update_rate(actor: User, rate: Rate, expected_version, values: dict, rate_import: RateImport | None = None,
                action: str = "update") -> bool:
    """Change a rate (inline edit, or a re-import of the same key and start). A stale edit is
    refused (someone else saved first). True when something changed."""
    check_version(rate, expected_version)
    if not can(actor, "rates.maintain"):
        raise RuleViolation(_l("Rate cards are kept by supervisors and agents with the pricing permission."))
    values = _normal(values)
    check_rate(values)
    _refuse_overlap(values, exclude_id=rate.id)
    before = audit.snapshot(rate, RATE_FIELDS)
    for name, value in values.items():
        setattr(rate, name, value)
    changes = audit.diff(before, audit.snapshot(rate, RATE_FIELDS))
    if not changes:
        return False
    rate.sort_key = sort_key(values)
    rate.changed_by_id = actor.id
    rate.updated_at = now()
    if rate_import is not None:
        rate.import_id = rate_import.id
    db.session.flush()
    audit.record(actor, action, rate, changes)
    return True


def adopt_channel(actor: User, agent: User, values: dict) -> Rate:
    """Handbook #10: a channel an agent found is vetted once by a supervisor and becomes a card
    (source: that agent); quotes from it are no longer self-sourced."""
    if agent is None or not agent.active:
        raise RuleViolation(_l("Name the agent whose channel this is."), "source_agent_id")
    return create_rate(actor, values, RateSource.AGENT, source_agent=agent)


def is_own_rate(rate: Rate, author: User) -> bool:
    """A rate the quote's author set themselves counts as their own channel (R-Q6), unless the
    author vets channels anyway (a supervisor)."""
    return rate.changed_by_id == author.id and not can(author, "rates.adopt")


# --- the pricing permission ---------------------------------------------------------------------


def set_pricing(actor: User, user: User, allowed: bool, expected_version) -> User:
    """A supervisor (or admin) gives an agent of the route department the pricing permission, or
    takes it back; recorded with who and when."""
    check_version(user, expected_version)
    if not can(actor, "rates.pricing", user):
        raise RuleViolation(_l("Only an active agent is given the pricing permission, by a supervisor or an admin."))
    allowed = bool(allowed)
    if user.pricing == allowed:
        raise RuleViolation(_l("Nothing to change: %(name)s has this permission already.", name=user.display_name)
                            if allowed else _l("Nothing to change: %(name)s does not keep rate cards.",
                                               name=user.display_name))
    before = user.pricing
    user.pricing = allowed
    db.session.flush()
    audit.record(actor, "pricing", user, {"pricing": [before, allowed]})
    return user


# --- importing a file ------------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int                     # the row's number as the spreadsheet shows it (the header is row 1)
    values: dict | None = None
    errors: list = field(default_factory=list)
    action: str | None = None       # "create", "update", "unchanged"
    existing: Rate | None = None


@dataclass
class ImportCheck:
    problems: list = field(default_factory=list)    # about the file as a whole (its columns)
    rows: list = field(default_factory=list)

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(r.action == action and not r.errors for r in self.rows)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.bad_rows and bool(self.rows)


REQUIRED = ("carrier", "pol", "pod", "equipment", "charge_code", "buy_rate", "sell_rate", "min_sell_rate",
            "currency", "valid_from", "valid_to")


def start_import(actor: User, file_name: str, header: list, rows: list,
                 source: str = RateSource.ROUTE) -> RateImport:
    """Keep an uploaded table with the mapping guessed from its titles; nothing is imported yet."""
    if not can(actor, "rates.maintain"):
        raise RuleViolation(_l("Rate cards are kept by supervisors and agents with the pricing permission."))
    if source not in (RateSource.ROUTE, RateSource.CARRIER):
        raise RuleViolation(_l("Choose where the rates come from."), "source")
    if not rows:
        raise RuleViolation(_l("The file has no rows under its column titles."), "file")
    record = RateImport(file_name=(file_name or "rates")[:200], uploaded_by_id=actor.id, header=header, rows=rows,
                        mapping=guess_mapping(header), source=source)
    db.session.add(record)
    db.session.flush()
    return record


def set_mapping(actor: User, record: RateImport, expected_version, mapping: list) -> RateImport:
    """Say which column holds which rate field (or none)."""
    check_version(record, expected_version)
    _require_preview(actor, record)
    if len(mapping) != len(record.header):
        raise RuleViolation(_l("Choose a field for every column."), "mapping")
    mapping = [m if m in RATE_FIELDS else "" for m in mapping]
    taken = [m for m in mapping if m]
    doubled = sorted({m for m in taken if taken.count(m) > 1})
    if doubled:
        raise RuleViolation(_l("Two columns cannot both be %(field)s.", field=LABELS[doubled[0]]), "mapping")
    record.mapping = mapping
    db.session.flush()
    return record


def _require_preview(actor: User, record: RateImport) -> None:
    if not can(actor, "rates.maintain"):
        raise RuleViolation(_l("Rate cards are kept by supervisors and agents with the pricing permission."))
    if record.state != ImportState.PREVIEW:
        raise RuleViolation(_l("This file was imported already; upload it again to import it again."))


def check_import(record: RateImport) -> ImportCheck:
    """Every row read with the mapping and checked as a rate, against the other rows and against the
    rates the portal keeps: wrong columns, text in numbers, unknown ports or carriers, overlapping
    validity for the same key, duplicate rows. Reads only."""
    check = ImportCheck()
    mapping = list(record.mapping or [])
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        check.problems.append(_l("No column holds %(fields)s: choose the column for each below.",
                                 fields=", ".join(str(LABELS[f]) for f in missing)))
        return check
    for index, cells in enumerate(record.rows):
        if not any(str(c or "").strip() for c in cells):
            continue            # a blank line
        row = RowResult(number=index + 2)
        row.values, row.errors = parse_row(mapping, cells)
        if row.values is not None and not row.errors:
            try:
                check_rate(_normal(row.values))
            except RuleViolation as refusal:
                row.errors.append(_l("%(field)s: %(reason)s", field=LABELS.get(refusal.field, ""),
                                     reason=refusal.message) if refusal.field else refusal.message)
            else:
                row.values = _normal(row.values)
        check.rows.append(row)
    _check_against_each_other(check.rows)
    _check_against_the_cards(check.rows)
    return check


def _check_against_each_other(rows: list[RowResult]) -> None:
    seen: dict[tuple, list[RowResult]] = {}
    for row in rows:
        if row.errors:
            continue
        key = tuple(row.values[f] for f in KEY_FIELDS)
        for other in seen.get(key, []):
            if other.values["valid_from"] == row.values["valid_from"]:
                row.errors.append(_l("Duplicate of row %(row)d (same rate, same start).", row=other.number))
                break
            if other.values["valid_from"] <= row.values["valid_to"] and other.values["valid_to"] >= row.values["valid_from"]:
                row.errors.append(_l("Its validity overlaps row %(row)d for the same rate.", row=other.number))
                break
        else:
            seen.setdefault(key, []).append(row)


def _check_against_the_cards(rows: list[RowResult]) -> None:
    good = [r for r in rows if not r.errors]
    if not good:
        return
    lanes = {(r.values["pol"], r.values["pod"]) for r in good}
    existing: dict[tuple, list[Rate]] = {}
    for rate in db.session.scalars(sa.select(Rate).where(sa.tuple_(Rate.pol, Rate.pod).in_(lanes))):
        existing.setdefault(rate.key, []).append(rate)
    for row in good:
        values = row.values
        key = tuple(values[f] for f in KEY_FIELDS)
        same_start = next((r for r in existing.get(key, []) if r.valid_from == values["valid_from"]), None)
        for rate in existing.get(key, []):
            if rate is not same_start and rate.valid_from <= values["valid_to"] and rate.valid_to >= values["valid_from"]:
                row.errors.append(_l("Its validity overlaps the same rate in the portal, valid from %(start)s to "
                                     "%(end)s.", start=rate.valid_from.isoformat(), end=rate.valid_to.isoformat()))
                break
        if row.errors:
            continue
        row.existing = same_start
        if same_start is None:
            row.action = "create"
        elif all(getattr(same_start, f) == values[f] for f in VALUE_FIELDS):
            row.action = "unchanged"
        else:
            row.action = "update"


def apply_import(actor: User, record: RateImport, expected_version) -> RateImport:
    """Import the whole file or nothing: every row is checked again, and one bad row refuses it all.
    Importing the same file again changes nothing (the key is carrier, lane, via, equipment, charge
    and the first valid day)."""
    check_version(record, expected_version)
    _require_preview(actor, record)
    check = check_import(record)
    if not check.ok:
        raise RuleViolation(_l("Nothing was imported: fix the rows listed and upload the file again."))
    for row in check.rows:
        if row.action == "create":
            create_rate(actor, row.values, record.source, rate_import=record)
        elif row.action == "update":
            update_rate(actor, row.existing, row.existing.version, row.values, rate_import=record, action="import")
    record.created, record.updated, record.unchanged = (check.count(a) for a in ("create", "update", "unchanged"))
    record.state = ImportState.APPLIED
    record.applied_at = now()
    record.applied_by_id = actor.id
    db.session.flush()
    return record
