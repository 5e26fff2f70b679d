"""What the customer sees of a quote (R-Q4): the quotation's view model, built apart from the
quote so that buy rates, minimum sell rates, margins, payables and internal notes cannot leak."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale

from portal.core.clock import now
from portal.quotes.models import Direction, Mode, Quote
from portal.quotes.rules import ensure_released, line_amount
from portal.reference import INCOTERM_BY_CODE, localized_name


def incoterm_text(code: str | None, lang: str | None = None) -> str:
    """An Incoterm as documents write it: the code, or for a retired term its name (DAP, formerly DDU)."""
    if not code:
        return ""
    term = INCOTERM_BY_CODE.get(code)
    if code == "DDU" and term is not None:
        return localized_name(term, lang or str(get_locale()))
    return code


@dataclass
class CustomerCharge:
    code: str
    basis: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    currency: str
    includes: list[str] = field(default_factory=list)


@dataclass
class CustomerQuotation:
    """Everything a quotation shows, and nothing else: built apart from the quote so that buy
    rates, minimum sell rates, margins, payables and internal notes cannot leak into it (R-Q4)."""
    number: str
    revision: int
    customer_name: str          # in the customer's own language
    customer_name_en: str       # for an English copy
    contact_name: str
    locale: str
    issued_on: date
    valid_until: date
    mode: Mode
    pol: str
    pod: str
    carrier: str | None
    container_type: str | None
    container_qty: int | None
    pieces: int | None
    gross_weight_kg: Decimal | None
    volume_cbm: Decimal | None
    commodity: str
    incoterm: str | None
    cargo_ready_on: date | None
    provisional: bool           # no rate yet: an indicative price, to be confirmed (handbook #62)
    remarks: str
    charges: list[CustomerCharge]
    totals: dict[str, Decimal]
    issued_at: datetime | None = None    # when it was sent, in the customer's time zone
    zone: str = "UTC"                     # the customer's time zone, which the document names
    agent_name: str = ""                  # who to reply to
    agent_phone: str = ""
    agent_email: str = ""


def customer_quotation(quote: Quote) -> CustomerQuotation:
    ensure_released(quote)
    charges = [CustomerCharge(code=line.charge_code, basis=line.basis, quantity=line.quantity, rate=line.sell_rate,
                              amount=line_amount(line), currency=line.currency,
                              includes=[c for c in line.includes.split(",") if c])
               for line in quote.lines if line.direction == Direction.RECEIVABLE]
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for charge in charges:
        sums[charge.currency] += charge.amount
    customer = quote.customer
    zone = customer.zone(current_app.config["PORTAL_TIMEZONE"])
    issued = (quote.sent_at or now()).replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    agent = quote.agent
    return CustomerQuotation(
        number=quote.number, revision=quote.revision,
        customer_name=(customer.name_en if customer.preferred_locale == "en" else customer.name_zh)
        or customer.display_name, customer_name_en=customer.name_en or customer.display_name,
        contact_name=quote.contact.name if quote.contact else "", locale=customer.preferred_locale,
        issued_on=issued.date(), issued_at=issued.replace(tzinfo=None), zone=zone,
        agent_name=agent.display_name, agent_phone=agent.phone or "", agent_email=agent.email or "",
        valid_until=quote.valid_until, mode=quote.mode, pol=quote.pol,
        pod=quote.pod, carrier=quote.carrier, container_type=quote.container_type, container_qty=quote.container_qty,
        pieces=quote.pieces, gross_weight_kg=quote.gross_weight_kg, volume_cbm=quote.volume_cbm,
        commodity=quote.commodity, incoterm=quote.incoterm, cargo_ready_on=quote.cargo_ready_on,
        provisional=quote.provisional, remarks=quote.remarks, charges=charges,
        totals=dict(sorted(sums.items(), key=lambda item: (item[0] != quote.currency, item[0]))))
