"""Quotes (R-Q1 to R-Q10): required information, charges priced from the rate cards, approval that
no path bypasses and that binds to what it covered, the response clock, follow-ups, revisions and
expiry. Changes only: reads are in queries.py, the customer's quotation in documents.py."""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit, contacts
from portal.core.clock import now, today
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.core.sequence import next_value
from portal.customers.models import Contact, Customer, Kind
from portal.extensions import db
from portal.quotes.models import (GENERAL_CARGO, UNSENT, WRITTEN, ApprovalDecision, ApprovalReason, ChargeLine,
                                  Decision, Direction, FollowUp, LineSource, Mode, Quote, Status)
from portal.rates import queries as rate_queries
from portal.rates.models import Rate
from portal.rates.rules import FREIGHT_CHARGES, equipment_for, is_own_rate
from portal.reference import CHARGE_BY_CODE, CONTAINER_TYPE_BY_CODE

CENT = Decimal("0.01")
GENERAL_CARGO_TARGET = timedelta(minutes=5)   # R-Q7
QUOTE_FIELDS = ("customer_id", "contact_id", "inquiry_at", "mode", "pol", "pod", "carrier", "container_type",
                "container_qty", "pieces", "gross_weight_kg", "volume_cbm", "commodity", "dg_class", "un_number",
                "dg_fees_confirmed", "shipper", "dimensions", "ship_date", "target_price", "incoterm",
                "cargo_ready_on", "valid_until", "currency", "provisional", "notes", "remarks")
# What the author gives for a charge line; buy, minimum and company sell rates come from the card.
LINE_INPUT_FIELDS = ("charge_code", "basis", "quantity", "buy_rate", "sell_rate", "currency", "direction",
                     "includes", "rate_id")
PRICE_FIELDS = ("charge_code", "basis", "quantity", "buy_rate", "sell_rate", "min_sell_rate", "company_sell_rate",
                "currency", "direction", "includes", "source", "rate_id")
ALL_IN = "ALLIN"
# Went to the customer and is no longer open to a plain edit: a change is a new revision.
REVISABLE = frozenset({Status.SENT, Status.PROVISIONAL, Status.LOST, Status.EXPIRED})


# --- what a quote must hold ------------------------------------------------------------------


def is_special_cargo(values) -> bool:
    """Special equipment (reefer, open top, flat rack, out of gauge, tank) or breakbulk, whatever the
    mode: it waits on the route department and needs its details (R-Q2, R-Q7)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    container = CONTAINER_TYPE_BY_CODE.get(get("container_type") or "")
    return Mode.get(get("mode")) in (Mode.SPECIAL, Mode.BREAKBULK) or bool(container and container.special)


def check_required(values: dict) -> None:
    """R-Q2: required information depends on the mode and the equipment: special containers need the
    special cargo details whatever the mode; dangerous goods need class and UN number."""
    mode = Mode.get(values.get("mode"))
    if mode is None:
        raise RuleViolation(_l("Choose the mode."), "mode")
    if not values.get("commodity"):
        raise RuleViolation(_l("Enter the commodity."), "commodity")
    if values.get("pol") == values.get("pod"):
        raise RuleViolation(_l("The port of discharge must differ from the port of loading."), "pod")
    if mode in (Mode.FCL, Mode.SPECIAL):
        if not values.get("container_type"):
            raise RuleViolation(_l("Choose the container type."), "container_type")
        if not values.get("container_qty"):
            raise RuleViolation(_l("Enter how many containers."), "container_qty")
        if not values.get("gross_weight_kg"):
            raise RuleViolation(_l("Enter the gross weight."), "gross_weight_kg")
    if mode in (Mode.LCL, Mode.BREAKBULK):
        for name, message in (("pieces", _l("Enter the number of pieces.")),
                              ("gross_weight_kg", _l("Enter the gross weight.")),
                              ("volume_cbm", _l("Enter the volume in CBM."))):
            if not values.get(name):
                raise RuleViolation(message, name)
    if is_special_cargo(values):
        for name, message in (("shipper", _l("Special cargo needs the shipper.")),
                              ("dimensions", _l("Special cargo needs the dimensions.")),
                              ("ship_date", _l("Special cargo needs the ship date.")),
                              ("target_price", _l("Special cargo needs the customer's target price."))):
            if not values.get(name):
                raise RuleViolation(message, name)
    if values.get("dg_class") or values.get("un_number"):
        if not values.get("dg_class"):
            raise RuleViolation(_l("Dangerous goods need their class."), "dg_class")
        if not values.get("un_number"):
            raise RuleViolation(_l("Dangerous goods need their UN number."), "un_number")
        if not values.get("dg_fees_confirmed"):
            raise RuleViolation(_l("Confirm the dangerous-goods fees with the carrier first."), "dg_fees_confirmed")
    inquiry = values.get("inquiry_at")
    valid_until = values.get("valid_until")
    if inquiry and valid_until and valid_until < inquiry.date():
        raise RuleViolation(_l("The quote cannot expire before the inquiry came in."), "valid_until")


def check_lines(lines: list[dict]) -> None:
    """R-Q3: receivable and payable charge lines; an ALL-IN price lists the charges it includes. An
    inquiry may be written down before it is priced (no lines yet); it is priced before it is sent."""
    if not lines:
        return
    if not any(line["direction"] == Direction.RECEIVABLE for line in lines):
        raise RuleViolation(_l("Add at least one charge to collect from the customer."), "lines")
    receivable_currency = {}
    for line in lines:
        if line["charge_code"] not in CHARGE_BY_CODE:
            raise RuleViolation(_l("%(code)s is not a charge of the catalogue: choose one from the list.",
                                   code=line["charge_code"]), "lines")
        if line["quantity"] <= 0 or line["quantity"] > 10_000:
            raise RuleViolation(_l("Quantities are between 0 and 10,000."), "lines")
        for rate in ("sell_rate", "buy_rate", "min_sell_rate"):
            value = line.get(rate)
            if value is not None and not (Decimal("0") <= value <= Decimal("10000000")):
                raise RuleViolation(_l("Rates are between 0 and 10,000,000."), "lines")
        if line["direction"] == Direction.PAYABLE and line.get("buy_rate") is None:
            raise RuleViolation(_l("A payable charge needs its buy rate: what the company pays."), "lines")
        if line["direction"] == Direction.RECEIVABLE and line.get("sell_rate") is None:
            raise RuleViolation(_l("A receivable charge needs its sell rate."), "lines")
        if line["charge_code"] == ALL_IN and not line.get("includes"):
            raise RuleViolation(_l("An ALL-IN price must list the charges it includes."), "lines")
        if line["direction"] == Direction.RECEIVABLE:
            receivable_currency[line["charge_code"]] = line["currency"]
    for line in lines:
        collected_in = receivable_currency.get(line["charge_code"])
        if line["direction"] == Direction.PAYABLE and collected_in and collected_in != line["currency"]:
            raise RuleViolation(_l("%(code)s is collected in %(ours)s but paid in %(theirs)s: use one currency "
                                   "for both so the margin adds up.", code=line["charge_code"], ours=collected_in,
                                   theirs=line["currency"]), "lines")


@dataclass
class Totals:
    receivable: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")

    @property
    def margin(self) -> Decimal:
        return self.receivable - self.cost


def line_amount(line, rate: str = "sell_rate") -> Decimal:
    value = getattr(line, rate) if not isinstance(line, dict) else line.get(rate)
    quantity = line.quantity if not isinstance(line, dict) else line["quantity"]
    return ((value or Decimal("0")) * quantity).quantize(CENT, ROUND_HALF_UP)


def totals(quote: Quote) -> dict[str, Totals]:
    """Per currency: what the customer pays, what it costs us, and the margin (Decimal throughout)."""
    result: dict[str, Totals] = defaultdict(Totals)
    for line in quote.lines:
        if line.direction == Direction.RECEIVABLE:
            result[line.currency].receivable += line_amount(line)
            result[line.currency].cost += line_amount(line, "buy_rate")
        else:
            result[line.currency].cost += line_amount(line, "buy_rate")
    # The quote's own currency first, then the others alphabetically.
    return dict(sorted(result.items(), key=lambda item: (item[0] != quote.currency, item[0])))


# --- pricing from the rate cards (R-Q4 to R-Q6) -------------------------------------------------


@dataclass
class LinePrice:
    """How one charge line is priced: from a card rate, from the agent's own channel (self-sourced,
    R-Q6), or, for a local charge no card prices, at the cost as entered. `lapsed` is the card
    rate that ended before today when no valid one exists (the editor says the card expired)."""
    source: LineSource
    rate: Rate | None
    lapsed: Rate | None
    buy_rate: Decimal | None
    min_sell_rate: Decimal | None
    company_sell_rate: Decimal | None
    currency: str

    @property
    def from_card(self) -> bool:
        return self.rate is not None


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def price_lines(values: dict, lines: list[dict], author: User, on: date | None = None) -> list[LinePrice]:
    """The card rate behind each line: carrier and lane from the quote, the line's container type
    (per container) or basis, its charge code, valid on the day. Whatever buy or minimum rate the
    author typed for a line the card prices is ignored; a line of the card is the author's own
    channel when the author set that rate themselves. Reads only."""
    on = on or _today()
    container_type = values.get("container_type")
    wanted = {equipment_for(line.get("basis"), container_type) for line in lines}
    found: dict[tuple, list[Rate]] = {}
    for rate in rate_queries.valid_rates(values.get("carrier"), values.get("pol"), values.get("pod"), wanted, on):
        found.setdefault((rate.equipment, rate.charge_code), []).append(rate)
    lapsed: dict[tuple, Rate] | None = None
    result = []
    for line in lines:
        key = (equipment_for(line.get("basis"), container_type), line.get("charge_code"))
        candidates = found.get(key, [])
        hint = line.get("rate_id")
        rate = next((r for r in candidates if r.id == hint), candidates[0] if candidates else None)
        if rate is not None:
            source = LineSource.OWN if is_own_rate(rate, author) else LineSource.CARD
            result.append(LinePrice(source, rate, None, rate.buy_rate, rate.min_sell_rate, rate.sell_rate,
                                    rate.currency))
            continue
        if lapsed is None:
            lapsed = {}
            for old in rate_queries.lapsed_rates(values.get("carrier"), values.get("pol"), values.get("pod"),
                                                 wanted, on):
                lapsed.setdefault((old.equipment, old.charge_code), old)
        source = LineSource.OWN if line.get("charge_code") in FREIGHT_CHARGES else LineSource.LOCAL
        result.append(LinePrice(source, None, lapsed.get(key), _money(line.get("buy_rate")), None, None,
                                line.get("currency")))
    return result


def _priced(values: dict, lines: list[dict], author: User) -> list[dict]:
    """The lines as they are kept: the author's charge, basis, quantity, sell rate, direction and
    inclusions; buy, minimum and company sell rates and the currency of a card line from the card."""
    priced = []
    for line, price in zip(lines, price_lines(values, lines, author)):
        if price.source == LineSource.OWN and price.rate is None and price.buy_rate is None:
            if price.lapsed is not None:
                raise RuleViolation(_l("The rate card for %(code)s on this lane expired on %(day)s: enter the buy "
                                       "rate of your own channel (a supervisor approves it).",
                                       code=line.get("charge_code"), day=price.lapsed.valid_to.isoformat()), "lines")
            raise RuleViolation(_l("%(code)s has no valid rate card for this carrier, lane and container: enter the "
                                   "buy rate of your own channel (a supervisor approves it).",
                                   code=line.get("charge_code")), "lines")
        priced.append({
            "charge_code": line.get("charge_code"), "basis": line.get("basis"), "quantity": line.get("quantity"),
            "sell_rate": _money(line.get("sell_rate")), "buy_rate": price.buy_rate,
            "min_sell_rate": price.min_sell_rate, "company_sell_rate": price.company_sell_rate,
            "currency": price.currency, "direction": line.get("direction"), "includes": line.get("includes") or "",
            "source": price.source, "rate_id": price.rate.id if price.rate else None})
    return priced


# --- approval (R-Q1, R-Q5, R-Q6) -------------------------------------------------------------------


def approval_reasons(quote: Quote, author: User, on: date | None = None) -> list[ApprovalReason]:
    """Why a supervisor must see this quote before the customer does; empty when nobody must.

    Every reason comes from the rate card (kept on the line by the rules), the customer record
    and the author's user record, never from a field the quote's author types (R-Q1, R-Q5, R-Q6)."""
    reasons = []
    if author.in_probation(on or _today()):
        reasons.append(ApprovalReason.NEW_HIRE)
    receivable = [line for line in quote.lines if line.direction == Direction.RECEIVABLE]
    if any(line.min_sell_rate is not None and line.sell_rate < line.min_sell_rate for line in receivable):
        reasons.append(ApprovalReason.BELOW_MINIMUM)
    if any(line.source == LineSource.OWN for line in quote.lines):
        reasons.append(ApprovalReason.SELF_SOURCED)
    customer = db.session.get(Customer, quote.customer_id) if quote.customer_id else None
    if customer is not None and customer.kind == Kind.PEER and any(
            line.company_sell_rate is not None and line.sell_rate < line.company_sell_rate for line in receivable):
        # R-Q5: a peer forwarder gets the company sell rate in writing; the minimum only by word of mouth.
        reasons.append(ApprovalReason.MINIMUM_IN_WRITING)
    return reasons


def _today() -> date:
    """The department's date (its own time zone), for validity, probation and numbering."""
    return today(current_app.config["PORTAL_TIMEZONE"])


def _text(value):
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.001") if value != value.quantize(CENT) else CENT), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value.value if hasattr(value, "value") and not isinstance(value, (str, int, bool)) else value


def approval_snapshot(quote: Quote) -> dict:
    """Everything an approval covers: the customer and its kind, the contact, lane, carrier, mode,
    equipment, cargo, dangerous goods, Incoterm, validity, the remarks to the customer and every
    charge line's code, basis, quantity, rates, currency and source. Plain values (JSON)."""
    customer = db.session.get(Customer, quote.customer_id)
    contact = db.session.get(Contact, quote.contact_id) if quote.contact_id else None
    snapshot = {
        "customer": customer.code, "customer_name_zh": customer.name_zh or "",
        "customer_name_en": customer.name_en or "", "customer_kind": str(customer.kind),
        "customer_locale": str(customer.preferred_locale),
        "contact": contact.name if contact else "",
    }
    for name in COVERED_FIELDS:
        value = getattr(quote, name)
        snapshot[name] = "" if value is None else str(_text(value))
    snapshot["lines"] = [{name: "" if getattr(line, name) is None else str(_text(getattr(line, name)))
                          for name in COVERED_LINE_FIELDS} for line in quote.lines]
    return snapshot


# The quote's own fields an approval covers (internal notes and the inquiry time are not the customer's).
COVERED_FIELDS = ("mode", "pol", "pod", "carrier", "container_type", "container_qty", "pieces", "gross_weight_kg",
                  "volume_cbm", "commodity", "dg_class", "un_number", "dg_fees_confirmed", "shipper", "dimensions",
                  "ship_date", "target_price", "incoterm", "cargo_ready_on", "valid_until", "currency",
                  "provisional", "remarks")
COVERED_LINE_FIELDS = ("charge_code", "basis", "quantity", "sell_rate", "buy_rate", "min_sell_rate",
                       "company_sell_rate", "currency", "direction", "includes", "source")
# What the customer's quotation (documents.CustomerQuotation and CustomerCharge) shows, field by field,
# and what of the approval snapshot covers it; None: not content the author changes (with why).
QUOTATION_COVERAGE = {
    "number": None,             # the quote itself: an approval belongs to one quote and revision
    "revision": None,
    "customer_name": ("customer_name_zh", "customer_name_en", "customer_locale"),
    "customer_name_en": ("customer_name_en",),
    "contact_name": ("contact",),
    "locale": ("customer_locale",),
    "issued_on": None,          # the day it is sent, where the customer is
    "issued_at": None,
    "zone": None,               # the customer's time zone, which dates it
    "agent_name": None,         # who to reply to: the quote's agent, as their account says
    "agent_phone": None,
    "agent_email": None,
    "valid_until": ("valid_until",), "mode": ("mode",), "pol": ("pol",), "pod": ("pod",), "carrier": ("carrier",),
    "container_type": ("container_type",), "container_qty": ("container_qty",), "pieces": ("pieces",),
    "gross_weight_kg": ("gross_weight_kg",), "volume_cbm": ("volume_cbm",), "commodity": ("commodity",),
    "incoterm": ("incoterm",), "cargo_ready_on": ("cargo_ready_on",), "provisional": ("provisional",),
    "remarks": ("remarks",), "charges": ("lines",),
    "totals": ("lines",),       # sums of the charges
    # CustomerCharge
    "code": ("lines.charge_code",), "basis": ("lines.basis",), "quantity": ("lines.quantity",),
    "rate": ("lines.sell_rate",), "amount": ("lines.quantity", "lines.sell_rate"), "currency": ("lines.currency",),
    "includes": ("lines.includes",),
}


def fingerprint(quote: Quote) -> str:
    """A digest of approval_snapshot: equal fingerprints, the same quote as far as an approval goes."""
    raw = json.dumps(approval_snapshot(quote), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def approval_holds(quote: Quote) -> bool:
    """The quote is as it was when approved (R-Q1): no covered field, nor the customer's kind, changed."""
    return bool(quote.approval_fingerprint) and quote.approval_fingerprint == fingerprint(quote)


@dataclass(frozen=True)
class Change:
    field: str          # a snapshot key, or "line" for a charge line
    before: object
    after: object
    line: int | None = None     # 1-based line number for line changes


def changes_since(snapshot: dict | None, quote: Quote) -> list[Change]:
    """What differs between a decision's snapshot and the quote now: the supervisor's diff."""
    if not snapshot:
        return []
    now_ = approval_snapshot(quote)
    changes = [Change(name, snapshot.get(name), now_.get(name)) for name in now_
               if name != "lines" and snapshot.get(name) != now_.get(name)]
    before_lines, after_lines = snapshot.get("lines", []), now_["lines"]
    for i in range(max(len(before_lines), len(after_lines))):
        old = before_lines[i] if i < len(before_lines) else None
        new = after_lines[i] if i < len(after_lines) else None
        if old is None or new is None:
            changes.append(Change("line", old, new, i + 1))
            continue
        for name in COVERED_LINE_FIELDS:
            if old.get(name) != new.get(name):
                changes.append(Change(name, old.get(name), new.get(name), i + 1))
    return changes


def last_decision(quote: Quote) -> ApprovalDecision | None:
    return quote.decisions[-1] if quote.decisions else None


def is_released(quote: Quote) -> bool:
    """May the customer see it? Approved and unchanged since, or never needing approval (R-Q1)."""
    if quote.status in WRITTEN:
        return True
    if not any(line.direction == Direction.RECEIVABLE for line in quote.lines):
        return False        # not priced yet
    if quote.status == Status.APPROVED:
        return approval_holds(quote)
    return quote.status == Status.DRAFT and not approval_reasons(quote, quote.agent)


def ensure_priced(quote: Quote) -> None:
    if not any(line.direction == Direction.RECEIVABLE for line in quote.lines):
        raise RuleViolation(_l("Price the quote first: add at least one charge to collect from the customer."))


def ensure_released(quote: Quote) -> None:
    """R-Q1 on every path to the customer: sending, the customer view, print, marking won."""
    if quote.status not in WRITTEN:
        ensure_priced(quote)
    if quote.status == Status.PENDING:
        raise RuleViolation(_l("This quote waits for a supervisor's approval."))
    if quote.status == Status.RETURNED:
        raise RuleViolation(_l("A supervisor returned this quote: change it and submit it again."))
    if quote.status == Status.APPROVED and not approval_holds(quote):
        raise RuleViolation(_l("This quote changed after it was approved: submit it for approval again."))
    if not is_released(quote):
        raise RuleViolation(_l("This quote needs a supervisor's approval first."))


def _refresh_approval(quote: Quote, author: User) -> None:
    quote.approval_reasons = ",".join(approval_reasons(quote, author))


def submit_for_approval(actor: User, quote: Quote) -> None:
    """A draft that needs approval, or a returned quote (whatever was changed), goes to a supervisor."""
    _require_editable(actor, quote)
    ensure_priced(quote)
    _refresh_approval(quote, quote.agent)
    if quote.status == Status.PENDING:
        raise RuleViolation(_l("This quote is waiting for approval already."))
    if quote.status == Status.APPROVED and approval_holds(quote):
        raise RuleViolation(_l("This quote is approved; send it."))
    if quote.status == Status.DRAFT and not quote.approval_reasons:
        raise RuleViolation(_l("This quote needs no approval; send it."))
    _set_status(actor, quote, Status.PENDING)


def decide(actor: User, quote: Quote, approve: bool, comment: str, expected_version) -> ApprovalDecision:
    """A supervisor approves or returns a pending quote; returning needs a comment (R-Q1). The
    decision keeps what the supervisor saw: an approval holds only while the quote stays so."""
    check_version(quote, expected_version)
    if not can(actor, "quotes.approve"):
        raise RuleViolation(_l("Only a supervisor approves quotes."))
    if not can(actor, "quotes.decide", quote):
        raise RuleViolation(_l("Someone other than the quote's author approves it."))
    if quote.status != Status.PENDING:
        raise RuleViolation(_l("This quote is not waiting for approval."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise RuleViolation(_l("Say what to change when you return a quote."), "comment")
    snapshot = approval_snapshot(quote)
    digest = fingerprint(quote)
    decision = ApprovalDecision(quote=quote, decision=Decision.APPROVED if approve else Decision.RETURNED,
                                comment=comment, decided_by_id=actor.id, fingerprint=digest, snapshot=snapshot)
    db.session.add(decision)
    if approve:
        quote.approval_fingerprint = digest
    _set_status(actor, quote, Status.APPROVED if approve else Status.RETURNED, comment=comment)
    return decision


def _set_status(actor: User, quote: Quote, status: str, **extra) -> None:
    before = quote.status
    quote.status = status
    quote.updated_at = now()
    db.session.flush()
    audit.record(actor, "status", quote, {"status": [before, status], **{k: [None, v] for k, v in extra.items()}})


def _void_if_changed(actor: User | None, quote: Quote) -> bool:
    """R-Q1: an approved quote whose covered fields (or customer's kind) changed waits again."""
    if quote.status == Status.APPROVED and not approval_holds(quote):
        _refresh_approval(quote, quote.agent)
        _set_status(actor, quote, Status.PENDING)
        return True
    return False


def on_customer_changed(actor: User, customer: Customer, changes: dict) -> None:
    """Receiver of customers.signals.customer_changed (connected in quotes.init_app): an approval
    given for the customer as it was (its kind, names, language, contacts) is void once it changes."""
    approved = db.session.scalars(sa.select(Quote).where(
        Quote.customer_id == customer.id, Quote.status == Status.APPROVED, Quote.is_current.is_(True))).all()
    for quote in approved:
        _void_if_changed(actor, quote)


# --- writing and changing --------------------------------------------------------------------


def next_number(on: date) -> str:
    """Q<yymm>-<running number of the month>, from a counter row: never the same number twice."""
    return f"Q{on:%y%m}-{next_value(f'quote:{on:%y%m}'):05d}"


def is_editable(quote: Quote) -> bool:
    """The quote itself may change: the current revision, not yet with the customer."""
    return quote.is_current and quote.status in UNSENT


def _require_editable(actor: User, quote: Quote) -> None:
    if not quote.is_current:
        raise RuleViolation(_l("This is an old revision; it stays as it was."))
    if not is_editable(quote):
        raise RuleViolation(_l("A sent quote is changed by making a new revision."))


def _lines(priced: list[dict]) -> list[ChargeLine]:
    """Charge lines in order; a payable line has no sell rate of its own (stored as 0)."""
    return [ChargeLine(position=i, **(line | {"sell_rate": line.get("sell_rate") or Decimal("0")}))
            for i, line in enumerate(priced)]


def _inputs(lines: list[dict]) -> list[dict]:
    return [{f: line.get(f) for f in LINE_INPUT_FIELDS} for line in lines]


def create_quote(actor: User, values: dict, lines: list[dict]) -> Quote:
    holding_reply_at = values.get("holding_reply_at")
    values = {f: values.get(f) for f in QUOTE_FIELDS}
    values["provisional"] = bool(values["provisional"])
    check_required(values)
    priced = _priced(values, _inputs(lines), actor)
    check_lines(priced)
    quote = Quote(**values, number=next_number(_today()), revision=1, agent_id=actor.id, agent=actor,
                  status=Status.DRAFT, lines=_lines(priced), decisions=[])
    _refresh_approval(quote, actor)
    db.session.add(quote)
    db.session.flush()
    audit.record(actor, "create", quote, {"number": [None, quote.number], "status": [None, quote.status]},
                 parent=quote.customer if quote.customer_id else None)
    _log_holding_reply(actor, quote, holding_reply_at)
    return quote


def _price_snapshot(quote: Quote) -> list[tuple]:
    return [tuple(str(_text(getattr(line, f))) for f in PRICE_FIELDS) for line in quote.lines]


def update_quote(actor: User, quote: Quote, expected_version, values: dict, lines: list[dict]) -> Quote:
    """Change a quote that has not gone to the customer. The lines are priced again from the cards.
    An approval covers what it saw and nothing else: a change to a covered field sends an approved
    quote back to the supervisor (R-Q1); a returned quote stays returned until it is resubmitted."""
    check_version(quote, expected_version)
    _require_editable(actor, quote)
    holding_reply_at = values.get("holding_reply_at")
    values = {f: values.get(f) for f in QUOTE_FIELDS}
    values["provisional"] = bool(values["provisional"])
    check_required(values)
    priced = _priced(values, _inputs(lines), quote.agent)
    check_lines(priced)
    before = audit.snapshot(quote, QUOTE_FIELDS)
    prices_before = _price_snapshot(quote)
    for f, v in values.items():
        setattr(quote, f, v)
    quote.lines = _lines(priced)
    db.session.flush()
    prices_changed = _price_snapshot(quote) != prices_before
    _refresh_approval(quote, quote.agent)
    changes = audit.diff(before, audit.snapshot(quote, QUOTE_FIELDS))
    if prices_changed:
        changes["lines"] = [len(prices_before), len(quote.lines)]
    if changes:
        quote.updated_at = now()
        audit.record(actor, "update", quote, changes)
    _void_if_changed(actor, quote)
    _log_holding_reply(actor, quote, holding_reply_at)
    return quote


def _copy(quote: Quote, author: User, **overrides) -> Quote:
    """A new quote with the old one's values and lines, priced again from today's cards."""
    values = {f: getattr(quote, f) for f in QUOTE_FIELDS} | {k: v for k, v in overrides.items() if k in QUOTE_FIELDS}
    lines = [{f: getattr(line, f) for f in LINE_INPUT_FIELDS} for line in quote.lines]
    overrides = {k: v for k, v in overrides.items() if k not in QUOTE_FIELDS}
    priced = _priced(values, lines, author)
    return Quote(**values, agent_id=author.id, agent=author, decisions=[], lines=_lines(priced), **overrides)


def duplicate(actor: User, quote: Quote) -> Quote:
    """A new quote from an old one. It starts as a draft and earns its own approval (R-Q1)."""
    copy = _copy(quote, actor, number=next_number(_today()), revision=1, status=Status.DRAFT)
    copy.inquiry_at = now()
    _refresh_approval(copy, actor)
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "create", copy, {"duplicated_from": [None, quote.label]})
    return copy


def revise(actor: User, quote: Quote) -> Quote:
    """R-Q9: changing a sent quote makes revision n+1; the old revision stays readable as it was. A
    provisional quote is confirmed this way (handbook #62)."""
    if not quote.is_current:
        raise RuleViolation(_l("Revise the current revision."))
    if quote.status not in REVISABLE:
        raise RuleViolation(_l("Only a quote that went to the customer gets a new revision; edit this one."))
    author = db.session.get(User, quote.agent_id)
    copy = _copy(quote, author, number=quote.number, revision=quote.revision + 1, status=Status.DRAFT,
                 provisional=False)
    quote.is_current = False
    db.session.flush()
    _refresh_approval(copy, author)
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "create", copy, {"revision": [quote.revision, copy.revision]})
    return copy


# --- to the customer and after -------------------------------------------------------------------


def send(actor: User, quote: Quote, expected_version) -> list[FollowUp]:
    """Send the quote: stops the response clock (R-Q7) and schedules the follow-ups (R-Q8). A
    provisional quote (no rate yet, handbook #62) goes out as such, to be confirmed by a revision."""
    check_version(quote, expected_version)
    if not quote.is_current:
        raise RuleViolation(_l("This is an old revision; it stays as it was."))
    if quote.status not in UNSENT:
        raise RuleViolation(_l("This quote was sent already."))
    _refresh_approval(quote, quote.agent)
    ensure_released(quote)
    moment = now()
    quote.sent_at = moment
    quote.response_seconds = max(0, int((moment - quote.inquiry_at).total_seconds()))
    _set_status(actor, quote, Status.PROVISIONAL if quote.provisional else Status.SENT)
    follow_ups = [FollowUp(quote_id=quote.id, agent_id=quote.agent_id, due_at=due)
                  for due in follow_up_times(moment, current_app.config["PORTAL_TIMEZONE"])]
    db.session.add_all(follow_ups)
    db.session.flush()
    return follow_ups


def send_holding_reply(actor: User, quote: Quote, expected_version) -> None:
    """R-Q7: for special cargo, "received, pricing with the carrier" answers the customer within the
    5 minutes while the route department prices it; logged with when (now)."""
    check_version(quote, expected_version)
    _require_editable(actor, quote)
    if quote.holding_reply_at is not None:
        raise RuleViolation(_l("The holding reply was sent already."))
    _log_holding_reply(actor, quote, now())


def _log_holding_reply(actor: User, quote: Quote, at: datetime | None) -> None:
    """The holding reply's time, logged once: given in the editor (when it was sent before the quote
    was written down) or by the button on the quote (now). Between the inquiry and now."""
    if at is None or quote.holding_reply_at is not None:
        return
    if not is_special_cargo(quote):
        raise RuleViolation(_l("A holding reply is for special cargo; general cargo is quoted within 5 minutes."),
                            "holding_reply_at")
    if not quote.inquiry_at <= at <= now():
        raise RuleViolation(_l("The holding reply was sent after the inquiry came in, and not later than now."),
                            "holding_reply_at")
    quote.holding_reply_at = at
    quote.updated_at = now()
    db.session.flush()
    audit.record(actor, "holding_reply", quote, {"holding_reply_at": [None, at]})


def decline(actor: User, quote: Quote, reason: str, expected_version) -> None:
    """Handbook #12: a peer forwarder asking for a lane the company does not work is politely
    declined (a direct customer is quoted from what the company has). The reply stops the clock."""
    check_version(quote, expected_version)
    _require_editable(actor, quote)
    customer = db.session.get(Customer, quote.customer_id)
    if customer.kind != Kind.PEER:
        raise RuleViolation(_l("Only a peer forwarder's inquiry is declined; quote a direct customer from what "
                               "we have and let the route department price the booking."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_l("Say why the inquiry is declined."), "reason")
    quote.declined_reason = reason[:300]
    quote.response_seconds = max(0, int((now() - quote.inquiry_at).total_seconds()))
    _set_status(actor, quote, Status.DECLINED, reason=quote.declined_reason)


def first_reply_seconds(quote: Quote) -> int | None:
    """R-Q7: the customer's wait for a first answer: the quote, or for special cargo a holding reply."""
    replies = [t for t in (quote.sent_at, quote.holding_reply_at if is_special_cargo(quote) else None) if t]
    if replies:
        return max(0, int((min(replies) - quote.inquiry_at).total_seconds()))
    return quote.response_seconds


def response_too_slow(quote: Quote) -> bool:
    """R-Q7: a first answer within 5 minutes. General cargo is answered with the quote; special cargo
    with a holding reply while the route department prices it (the quote itself is tracked apart)."""
    seconds = first_reply_seconds(quote)
    if quote.mode in GENERAL_CARGO and not is_special_cargo(quote):
        seconds = quote.response_seconds
    return seconds is not None and seconds > GENERAL_CARGO_TARGET.total_seconds()


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def follow_up_times(sent_at: datetime, zone: str) -> list[datetime]:
    """R-Q8: a morning quote is followed up the same afternoon, and every quote the next working day."""
    tz, utc = ZoneInfo(zone), ZoneInfo("UTC")
    local = sent_at.replace(tzinfo=utc).astimezone(tz)
    times = []
    if local.time() < time(12, 0):
        times.append(datetime.combine(local.date(), time(15, 0), tz))
    times.append(datetime.combine(_next_working_day(local.date()), time(10, 0), tz))
    return [t.astimezone(utc).replace(tzinfo=None) for t in times]


def finish_follow_up(actor: User, follow_up: FollowUp, note: str = "") -> None:
    if not can(actor, "quotes.follow_up", follow_up):
        raise RuleViolation(_l("This follow-up is another agent's."))
    if follow_up.done_at is not None:
        raise RuleViolation(_l("This follow-up is done already."))
    follow_up.done_at = now()
    follow_up.note = (note or "")[:300]
    db.session.flush()
    audit.record(actor, "follow_up", follow_up.quote, {"follow_up": [None, follow_up.due_at]})
    # R-V1: following a quote up is a contact with the customer; the contact log hears of it
    # (it sits above quotes) and keeps it with the customer's other contacts. A follow-up is
    # the handbook's call to the customer after the quote (#14).
    quote = follow_up.quote
    contacts.report(actor, contacts.ContactReport(
        customer_id=quote.customer_id, at=follow_up.done_at, channel="phone", purpose="quote_follow_up",
        summary=follow_up.note, source_type=FollowUp.__tablename__, source_id=follow_up.id,
        contact_id=quote.contact_id, agent_id=actor.id if actor else None))


def mark_won(actor: User, quote: Quote, expected_version) -> None:
    check_version(quote, expected_version)
    ensure_released(quote)
    if quote.status == Status.PROVISIONAL:
        raise RuleViolation(_l("Confirm the rate first: make a new revision with the confirmed rate and send it."))
    if quote.status != Status.SENT:
        raise RuleViolation(_l("Only a sent quote can be won."))
    _set_status(actor, quote, Status.WON)


def mark_lost(actor: User, quote: Quote, reason: str, expected_version) -> None:
    check_version(quote, expected_version)
    if quote.status not in (Status.SENT, Status.PROVISIONAL):
        raise RuleViolation(_l("Only a sent quote can be lost."))
    if not (reason or "").strip():
        raise RuleViolation(_l("Say why the quote was lost."), "reason")
    quote.lost_reason = reason.strip()[:300]
    _set_status(actor, quote, Status.LOST, reason=quote.lost_reason)


def expire_overdue(on: date | None = None, batch: int = 500) -> int:
    """Sent quotes past their validity become expired (R-Q8); run by a scheduled job."""
    overdue = db.session.scalars(sa.select(Quote).where(Quote.status.in_((Status.SENT, Status.PROVISIONAL)),
                                                        Quote.valid_until < (on or _today()))
                                 .order_by(Quote.id).limit(batch)).all()
    for quote in overdue:
        _set_status(None, quote, Status.EXPIRED)
    return len(overdue)


def raise_follow_up_reminders() -> int:
    """Follow-ups whose time has come are raised: the agent's navigation counts them until done (R-Q8)."""
    moment = now()
    due = db.session.scalars(sa.select(FollowUp).where(FollowUp.done_at.is_(None), FollowUp.reminded_at.is_(None),
                                                       FollowUp.due_at <= moment)).all()
    for follow_up in due:
        follow_up.reminded_at = moment
    return len(due)


# --- what a user may do with a quote (the detail page's buttons) -------------------------------------


@dataclass(frozen=True)
class QuoteActions:
    edit: bool
    submit: bool
    send: bool
    quotation: bool
    won: bool
    lost: bool
    revise: bool
    again: bool
    holding: bool
    decline: bool


def actions_for(user: User, quote: Quote) -> QuoteActions:
    """The buttons a quote shows this user: the state machine and the policy, asked in one place."""
    mine = can(user, "quotes.edit", quote) and quote.is_current
    released = is_released(quote)
    needs_approval = bool(approval_reasons(quote, quote.agent))
    unsent = quote.status in UNSENT
    priced = any(line.direction == Direction.RECEIVABLE for line in quote.lines)
    customer = db.session.get(Customer, quote.customer_id)
    return QuoteActions(
        edit=mine and unsent,
        submit=mine and priced and (quote.status == Status.RETURNED or (quote.status == Status.DRAFT and needs_approval)
                         or (quote.status == Status.APPROVED and not released)),
        send=mine and released and quote.status in (Status.DRAFT, Status.APPROVED),
        quotation=released,
        won=mine and quote.status == Status.SENT,
        lost=mine and quote.status in (Status.SENT, Status.PROVISIONAL),
        revise=mine and quote.status in REVISABLE,
        again=can(user, "quotes.create"),
        holding=mine and unsent and is_special_cargo(quote) and quote.holding_reply_at is None,
        decline=mine and unsent and customer is not None and customer.kind == Kind.PEER,
    )
