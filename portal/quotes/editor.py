"""The quote editor's helpers: finding the customer from what was typed, filling the charge lines
from the rate card of the chosen carrier, lane and container, quantities that follow the cargo,
and what each line shows about its card. View-side code: the rules price the lines again on save,
whatever the editor filled in."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from portal.auth.models import User
from portal.core.clock import now
from portal.core.i18n import utc_to_local
from portal.customers.models import Customer, Kind
from portal.customers.queries import CustomerFilters, customer_by_code, list_customers, normal_code
from portal.quotes import rules
from portal.quotes.models import Direction, LineSource, Mode, Quote
from portal.rates import queries as rate_queries
from portal.rates.models import Rate
from portal.rates.rules import FREIGHT_CHARGES, department_today
from portal.reference import CARRIERS, CHARGES

SUGGESTIONS = 8
CHARGE_ORDER = {c.code: i for i, c in enumerate(CHARGES)}


# --- the customer ------------------------------------------------------------------------------------


def customer_suggestions(text: str) -> list[Customer]:
    """Customers whose code, Chinese or English name, contact or phone holds what was typed."""
    if not (text or "").strip():
        return []
    return list_customers(CustomerFilters(q=text), size=SUGGESTIONS).items


def resolve_customer(text: str | None) -> Customer | None:
    """The customer a typed value names: its code, or the only customer a name or phone finds."""
    found = customer_by_code(normal_code(text))
    if found is not None or not (text or "").strip():
        return found
    matches = list_customers(CustomerFilters(q=text), size=2).items
    return matches[0] if len(matches) == 1 else None


# --- what the form holds, as the rules read it -------------------------------------------------------


def quote_values(form) -> dict:
    """The lane and cargo fields the pricing depends on, from a form that may not validate yet."""
    def text(field):
        return (field.data or "").strip().upper() if isinstance(field.data, str) else field.data
    return {"carrier": text(form.carrier) or None, "pol": text(form.pol) or None, "pod": text(form.pod) or None,
            "container_type": form.container_type.data or None, "mode": form.mode.data,
            "container_qty": form.container_qty.data, "volume_cbm": form.volume_cbm.data,
            "gross_weight_kg": form.gross_weight_kg.data}


def _equipments(values: dict) -> set[str]:
    mode = Mode.get(values.get("mode"))
    per_cargo = {Mode.LCL: "cbm", Mode.BREAKBULK: "ton"}.get(mode, values.get("container_type"))
    return {e for e in (per_cargo, "bl", "lump_sum") if e}


def auto_quantity(basis: str | None, values: dict) -> Decimal:
    """What a line's quantity follows: the container count per container, revenue tons (weight or
    measure, at least 1) per CBM or ton, one per B/L or lump sum."""
    if basis == "container":
        return Decimal(values.get("container_qty") or 1)
    if basis in ("cbm", "ton"):
        cbm = Decimal(values.get("volume_cbm") or 0)
        tons = Decimal(values.get("gross_weight_kg") or 0) / 1000
        return max(cbm, tons, Decimal(1)).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return Decimal(1)


def plain(value) -> str:
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f") if isinstance(value, (Decimal, int)) else str(value)


def _same(a, b) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except Exception:  # noqa: BLE001  (blank or malformed: not the same number)
        return False


# --- filling the lines from the card -----------------------------------------------------------------


def card_rates(values: dict) -> list[Rate]:
    """The card rates of the chosen carrier, lane and container valid today, one per charge and
    equipment (a direct service first), freight first."""
    rates = rate_queries.valid_rates(values.get("carrier"), values.get("pol"), values.get("pod"),
                                     _equipments(values), department_today())
    chosen: dict[tuple, Rate] = {}
    for rate in rates:
        chosen.setdefault((rate.equipment, rate.charge_code), rate)
    return sorted(chosen.values(), key=lambda r: (r.charge_code not in FREIGHT_CHARGES,
                                                  CHARGE_ORDER.get(r.charge_code, 99)))


def _line_dict(entry) -> dict:
    form = entry.form
    return {"charge_code": form.charge_code.data, "basis": form.basis.data, "quantity": form.quantity.data,
            "buy_rate": form.buy_rate.data, "sell_rate": form.sell_rate.data, "currency": form.currency.data,
            "direction": form.direction.data, "includes": form.includes.data or "", "rate_id": form.rate_id.data or "",
            "filled_sell": form.filled_sell.data or "", "filled_quantity": form.filled_quantity.data or ""}


def _blank(line: dict) -> bool:
    return line["sell_rate"] in (None, "") and line["buy_rate"] in (None, "") and not line["includes"]


def refill(form, currency_field=None) -> None:
    """Fill the lines from the card: each card charge sets its line's card, currency and (unless
    the agent changed it) sell rate and quantity, in a line of the same charge (a blank one too) or
    a new one; card lines the new card no longer has go unless the agent typed in them. Quantities
    follow the cargo unless changed. A line left blank is not saved (QuoteForm.line_values)."""
    values = quote_values(form)
    lines = [_line_dict(entry) for entry in form.lines]
    rates = card_rates(values)
    on_card = {(r.charge_code, r.basis) for r in rates}
    kept = []
    for line in lines:
        filled = bool(line["filled_sell"])
        untouched = filled and _same(line["sell_rate"], line["filled_sell"])
        if filled and untouched and (line["charge_code"], line["basis"]) not in on_card:
            continue        # a charge of the previous card, not on this one
        if _blank(line):
            line["filled_quantity"] = plain(line["quantity"])      # nothing typed yet: it follows the cargo
        kept.append(line)
    for rate in rates:
        line = next((x for x in kept if x["charge_code"] == rate.charge_code and x["basis"] == rate.basis
                     and x["direction"] == Direction.RECEIVABLE), None)
        if line is None:
            line = {"charge_code": rate.charge_code, "basis": rate.basis, "quantity": None, "buy_rate": None,
                    "sell_rate": None, "currency": rate.currency, "direction": Direction.RECEIVABLE.value,
                    "includes": "", "filled_sell": "", "filled_quantity": ""}
            kept.append(line)
        line["rate_id"] = str(rate.id)
        line["currency"] = rate.currency
        if line["sell_rate"] in (None, "") or _same(line["sell_rate"], line["filled_sell"]):
            line["sell_rate"] = rate.sell_rate
            line["filled_sell"] = plain(rate.sell_rate)
    for line in kept:
        follow_quantity(line, values)
    if not kept:
        kept.append(blank_line(values, form.currency.data))
    _replace_lines(form, kept)
    freight = next((r for r in rates if r.charge_code in FREIGHT_CHARGES), None)
    if freight is not None:
        form.currency.data = freight.currency


def follow_quantity(line: dict, values: dict) -> None:
    """A line's quantity follows the cargo until the agent changes it."""
    if line["quantity"] in (None, "") or _same(line["quantity"], line["filled_quantity"]):
        quantity = auto_quantity(line["basis"], values)
        line["quantity"] = quantity
        line["filled_quantity"] = plain(quantity)


def blank_line(values: dict, currency: str | None) -> dict:
    line = {"charge_code": "OFR", "basis": "container" if Mode.get(values.get("mode")) not in (Mode.LCL, Mode.BREAKBULK)
            else ("cbm" if Mode.get(values.get("mode")) == Mode.LCL else "ton"),
            "quantity": None, "buy_rate": None, "sell_rate": None, "currency": currency or "USD",
            "direction": Direction.RECEIVABLE.value, "includes": "", "rate_id": "", "filled_sell": "",
            "filled_quantity": ""}
    follow_quantity(line, values)
    return line


def blank_entry(form):
    """The form of a new, blank line, named lines-__index__-... (the page numbers it when it adds it)."""
    from portal.quotes.forms import ChargeLineForm
    data = blank_line(quote_values(form), form.currency.data)
    return ChargeLineForm(formdata=None, prefix="lines-__index__-",
                          **{k: ("" if v is None and k in ("rate_id", "filled_sell", "filled_quantity") else v)
                             for k, v in data.items()})


def add_line(form) -> None:
    lines = [_line_dict(entry) for entry in form.lines]
    values = quote_values(form)
    lines.append(blank_line(values, form.currency.data))
    _replace_lines(form, lines)


def _replace_lines(form, lines: list[dict]) -> None:
    while form.lines.entries:
        form.lines.pop_entry()
    form.lines.last_index = -1
    hidden = ("rate_id", "filled_sell", "filled_quantity", "includes")
    for line in lines:
        form.lines.append_entry({k: ("" if v is None and k in hidden else v) for k, v in line.items()})


def prefill_from(form, quote: Quote) -> None:
    """"Quote again": a new quote with a past quote's customer, lane, cargo and charges, priced
    from today's cards (the rules price it again on save)."""
    for name in ("mode", "pol", "pod", "carrier", "container_type", "container_qty", "pieces", "gross_weight_kg",
                 "volume_cbm", "commodity", "dg_class", "un_number", "dg_fees_confirmed", "shipper", "dimensions",
                 "target_price", "incoterm", "currency", "remarks"):
        getattr(form, name).data = getattr(quote, name)
    form.customer_code.data = quote.customer.code
    form.contact_id.data = str(quote.contact_id or "")
    lines = [{"charge_code": line.charge_code, "basis": line.basis, "quantity": line.quantity,
              "buy_rate": line.buy_rate if line.source != LineSource.CARD else None,
              "sell_rate": line.sell_rate if line.direction == Direction.RECEIVABLE else None,
              "currency": line.currency, "direction": line.direction.value, "includes": line.includes,
              "rate_id": "", "filled_sell": "", "filled_quantity": ""} for line in quote.lines]
    _replace_lines(form, lines or [blank_line(quote_values(form), quote.currency)])
    refill(form)


def start_times(form) -> None:
    form.inquiry_at.data = utc_to_local(now()).replace(second=0, microsecond=0)
    form.valid_until.data = department_today() + timedelta(days=14)


# --- what each line shows ------------------------------------------------------------------------------


@dataclass
class LineView:
    entry: object
    price: rules.LinePrice
    below_minimum: bool
    below_company: bool


def line_views(form, author: User, customer: Customer | None) -> list[LineView]:
    """Each line with its card (or why it has none) and what its sell rate would need."""
    values = quote_values(form)
    inputs = [entry.form.values() for entry in form.lines]
    prices = rules.price_lines(values, inputs, author)
    peer = customer is not None and customer.kind == Kind.PEER
    views = []
    for entry, line, price in zip(form.lines, inputs, prices):
        sell = line.get("sell_rate")
        receivable = line.get("direction") == Direction.RECEIVABLE
        below_min = receivable and sell is not None and price.min_sell_rate is not None and sell < price.min_sell_rate
        below_company = receivable and peer and sell is not None and price.company_sell_rate is not None \
            and sell < price.company_sell_rate
        views.append(LineView(entry, price, below_min, below_company))
    return views


def carrier_groups(values: dict) -> tuple[list, list]:
    """The carriers with a valid card on the lane (for the container), and the others."""
    on_card = set(rate_queries.carriers_on_lane(values.get("pol"), values.get("pod"),
                                                next(iter(_equipments(values) - {"bl", "lump_sum"}), None),
                                                department_today()))
    with_card = [c for c in CARRIERS if c.code in on_card]
    others = [c for c in CARRIERS if c.code not in on_card]
    return with_card, others
