"""Quotes (R-Q1 to R-Q10): required information, charges and margin, approval that no path
bypasses, the response clock, follow-ups, revisions and expiry. Changes only: reads are in
queries.py, the customer's quotation in documents.py."""
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
from portal.customers.models import Customer, Kind
from portal.extensions import db
from portal.quotes.models import (GENERAL_CARGO, QUOTED, UNSENT, ApprovalDecision, ApprovalReason, ChargeLine,
                                  Decision, Direction, FollowUp, Mode, Quote, Status)

CENT = Decimal("0.01")
GENERAL_CARGO_TARGET = timedelta(minutes=5)   # R-Q7
QUOTE_FIELDS = ("customer_id", "contact_id", "inquiry_at", "mode", "pol", "pod", "carrier", "container_type",
                "container_qty", "pieces", "gross_weight_kg", "volume_cbm", "commodity", "dg_class", "un_number",
                "dg_fees_confirmed", "shipper", "dimensions", "ship_date", "target_price", "incoterm",
                "cargo_ready_on", "valid_until", "currency", "self_sourced_rate", "notes", "remarks")
PRICE_FIELDS = ("charge_code", "basis", "quantity", "buy_rate", "sell_rate", "min_sell_rate", "currency",
                "direction", "includes")
ALL_IN = "ALLIN"
# Went to the customer and is no longer open to a plain edit: a change is a new revision.
REVISABLE = frozenset({Status.SENT, Status.LOST, Status.EXPIRED})


# --- what a quote must hold ------------------------------------------------------------------


def check_required(values: dict) -> None:
    """R-Q2: required information depends on the mode; dangerous goods need class and UN number."""
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
    if mode in (Mode.SPECIAL, Mode.BREAKBULK):
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
    """R-Q3: receivable and payable charge lines; an ALL-IN price lists the charges it includes."""
    if not any(line["direction"] == Direction.RECEIVABLE for line in lines):
        raise RuleViolation(_l("Add at least one charge to collect from the customer."), "lines")
    receivable_currency = {}
    for line in lines:
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


# --- approval (R-Q1, R-Q6) ---------------------------------------------------------------------


def approval_reasons(quote: Quote, author: User, on: date | None = None) -> list[ApprovalReason]:
    """Why a supervisor must see this quote before the customer does; empty when nobody must."""
    reasons = []
    if author.in_probation(on or _today()):
        reasons.append(ApprovalReason.NEW_HIRE)
    if any(line.min_sell_rate is not None and line.direction == Direction.RECEIVABLE
           and line.sell_rate < line.min_sell_rate for line in quote.lines):
        reasons.append(ApprovalReason.BELOW_MINIMUM)
    if quote.self_sourced_rate:
        reasons.append(ApprovalReason.SELF_SOURCED)
    customer = quote.customer or db.session.get(Customer, quote.customer_id)
    if customer is not None and customer.kind == Kind.PEER and any(
            line.min_sell_rate is not None and line.direction == Direction.RECEIVABLE
            and line.sell_rate == line.min_sell_rate for line in quote.lines):
        # R-Q5: a peer forwarder gets the company sell rate in writing; the minimum only by word of mouth.
        reasons.append(ApprovalReason.MINIMUM_IN_WRITING)
    return reasons


def _today() -> date:
    """The department's date (its own time zone), for validity, probation and numbering."""
    return today(current_app.config["PORTAL_TIMEZONE"])


def is_released(quote: Quote) -> bool:
    """May the customer see it? Approved, or never needing approval (R-Q1)."""
    if quote.status == Status.APPROVED or quote.status in QUOTED:
        return True
    return quote.status == Status.DRAFT and not quote.approval_reasons


def ensure_released(quote: Quote) -> None:
    """R-Q1 on every path to the customer: sending, the customer view, print, marking won."""
    if quote.status == Status.PENDING:
        raise RuleViolation(_l("This quote waits for a supervisor's approval."))
    if quote.status == Status.RETURNED:
        raise RuleViolation(_l("A supervisor returned this quote: change it and submit it again."))
    if not is_released(quote):
        raise RuleViolation(_l("This quote needs a supervisor's approval first."))


def _refresh_approval(quote: Quote, author: User) -> None:
    quote.approval_reasons = ",".join(approval_reasons(quote, author))


def submit_for_approval(actor: User, quote: Quote) -> None:
    _require_editable(actor, quote)
    _refresh_approval(quote, quote.agent)
    if not quote.approval_reasons:
        raise RuleViolation(_l("This quote needs no approval; send it."))
    _set_status(actor, quote, Status.PENDING)


def decide(actor: User, quote: Quote, approve: bool, comment: str, expected_version) -> ApprovalDecision:
    """A supervisor approves or returns a pending quote; returning needs a comment (R-Q1)."""
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
    decision = ApprovalDecision(quote=quote, decision=Decision.APPROVED if approve else Decision.RETURNED,
                                comment=comment, decided_by_id=actor.id)
    db.session.add(decision)
    _set_status(actor, quote, Status.APPROVED if approve else Status.RETURNED, comment=comment)
    return decision


def _set_status(actor: User, quote: Quote, status: str, **extra) -> None:
    before = quote.status
    quote.status = status
    quote.updated_at = now()
    db.session.flush()
    audit.record(actor, "status", quote, {"status": [before, status], **{k: [None, v] for k, v in extra.items()}})


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


def _lines(lines: list[dict]) -> list[ChargeLine]:
    """Charge lines in order; a payable line has no sell rate of its own (stored as 0)."""
    return [ChargeLine(position=i, **(line | {"sell_rate": line.get("sell_rate") or Decimal("0")}))
            for i, line in enumerate(lines)]


def create_quote(actor: User, values: dict, lines: list[dict]) -> Quote:
    values = {f: values.get(f) for f in QUOTE_FIELDS}
    check_required(values)
    check_lines(lines)
    quote = Quote(**values, number=next_number(_today()), revision=1, agent_id=actor.id, agent=actor,
                  status=Status.DRAFT, lines=_lines(lines),
                  decisions=[])
    _refresh_approval(quote, actor)
    db.session.add(quote)
    db.session.flush()
    audit.record(actor, "create", quote, {"number": [None, quote.number], "status": [None, quote.status]},
                 parent=quote.customer if quote.customer_id else None)
    return quote


def _price_snapshot(quote: Quote) -> list[tuple]:
    return [tuple(str(getattr(line, f)) for f in PRICE_FIELDS) for line in quote.lines]


def update_quote(actor: User, quote: Quote, expected_version, values: dict, lines: list[dict]) -> Quote:
    """Change a quote that has not gone to the customer. Changing prices after approval sends it
    back for approval (R-Q1): an approval covers the prices it saw, no others."""
    check_version(quote, expected_version)
    _require_editable(actor, quote)
    values = {f: values.get(f) for f in QUOTE_FIELDS}
    check_required(values)
    check_lines(lines)
    before = audit.snapshot(quote, QUOTE_FIELDS)
    prices_before = _price_snapshot(quote)
    for f, v in values.items():
        setattr(quote, f, v)
    quote.lines = _lines(lines)
    db.session.flush()
    prices_changed = _price_snapshot(quote) != prices_before
    _refresh_approval(quote, quote.agent)
    changes = audit.diff(before, audit.snapshot(quote, QUOTE_FIELDS))
    if prices_changed:
        changes["lines"] = [len(prices_before), len(quote.lines)]
    if changes:
        quote.updated_at = now()
        audit.record(actor, "update", quote, changes)
    approval_relevant = prices_changed or "self_sourced_rate" in changes
    if quote.status == Status.APPROVED and approval_relevant:
        _set_status(actor, quote, Status.PENDING if quote.approval_reasons else Status.DRAFT)
    elif quote.status == Status.RETURNED and not quote.approval_reasons:
        # Fixed so that it no longer needs a supervisor (say, raised above the minimum): a plain draft.
        _set_status(actor, quote, Status.DRAFT)
    return quote


def _copy(quote: Quote, **overrides) -> Quote:
    values = {f: getattr(quote, f) for f in QUOTE_FIELDS}
    copy = Quote(**values, agent_id=quote.agent_id, decisions=[],
                 lines=[ChargeLine(**{f: getattr(line, f) for f in ("position", *PRICE_FIELDS)})
                        for line in quote.lines], **overrides)
    return copy


def duplicate(actor: User, quote: Quote) -> Quote:
    """A new quote from an old one. It starts as a draft and earns its own approval (R-Q1)."""
    copy = _copy(quote, number=next_number(_today()), revision=1, status=Status.DRAFT)
    copy.agent_id, copy.agent = actor.id, actor
    copy.inquiry_at = now()
    _refresh_approval(copy, actor)
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "create", copy, {"duplicated_from": [None, quote.label]})
    return copy


def revise(actor: User, quote: Quote) -> Quote:
    """R-Q9: changing a sent quote makes revision n+1; the old revision stays readable as it was."""
    if not quote.is_current:
        raise RuleViolation(_l("Revise the current revision."))
    if quote.status not in REVISABLE:
        raise RuleViolation(_l("Only a quote that went to the customer gets a new revision; edit this one."))
    copy = _copy(quote, number=quote.number, revision=quote.revision + 1, status=Status.DRAFT)
    copy.agent = db.session.get(User, quote.agent_id)
    quote.is_current = False
    db.session.flush()
    _refresh_approval(copy, copy.agent)
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "create", copy, {"revision": [quote.revision, copy.revision]})
    return copy


# --- to the customer and after -------------------------------------------------------------------


def send(actor: User, quote: Quote, expected_version) -> list[FollowUp]:
    """Send the quote: stops the response clock (R-Q7) and schedules the follow-ups (R-Q8)."""
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
    _set_status(actor, quote, Status.SENT)
    follow_ups = [FollowUp(quote_id=quote.id, agent_id=quote.agent_id, due_at=due)
                  for due in follow_up_times(moment, current_app.config["PORTAL_TIMEZONE"])]
    db.session.add_all(follow_ups)
    db.session.flush()
    return follow_ups


def response_too_slow(quote: Quote) -> bool:
    """R-Q7: general cargo is answered within 5 minutes; special cargo is tracked apart."""
    return quote.mode in GENERAL_CARGO and quote.response_seconds is not None \
        and quote.response_seconds > GENERAL_CARGO_TARGET.total_seconds()


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
    if quote.status != Status.SENT:
        raise RuleViolation(_l("Only a sent quote can be won."))
    _set_status(actor, quote, Status.WON)


def mark_lost(actor: User, quote: Quote, reason: str, expected_version) -> None:
    check_version(quote, expected_version)
    if quote.status != Status.SENT:
        raise RuleViolation(_l("Only a sent quote can be lost."))
    if not (reason or "").strip():
        raise RuleViolation(_l("Say why the quote was lost."), "reason")
    quote.lost_reason = reason.strip()[:300]
    _set_status(actor, quote, Status.LOST, reason=quote.lost_reason)


def expire_overdue(on: date | None = None, batch: int = 500) -> int:
    """Sent quotes past their validity become expired (R-Q8); run by a scheduled job."""
    overdue = db.session.scalars(sa.select(Quote).where(Quote.status == Status.SENT, Quote.valid_until < (on or _today()))
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
    duplicate: bool


def actions_for(user: User, quote: Quote) -> QuoteActions:
    """The buttons a quote shows this user: the state machine and the policy, asked in one place."""
    mine = can(user, "quotes.edit", quote) and quote.is_current
    released = is_released(quote)
    needs_approval = bool(approval_reasons(quote, quote.agent))
    return QuoteActions(
        edit=mine and quote.status in UNSENT,
        submit=mine and quote.status in (Status.DRAFT, Status.RETURNED) and needs_approval,
        send=mine and released and quote.status in (Status.DRAFT, Status.APPROVED),
        quotation=released,
        won=mine and quote.status == Status.SENT,
        lost=mine and quote.status == Status.SENT,
        revise=mine and quote.status in REVISABLE,
        duplicate=can(user, "quotes.create"),
    )
