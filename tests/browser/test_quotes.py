"""Quotes in a real browser: a new hire's quote waits for a supervisor, who approves it in the queue;
only then does the customer's quotation open, and it never shows what the company pays or the floor."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.auth.models import User
from portal.core.clock import now as utcnow
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes import rules
from portal.reference import CHARGES, PORT_BY_CODE

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.rate_cards import add_rates, ensure_card

pytestmark = pytest.mark.browser

CHARGE_BY_CODE = {c.code: c for c in CHARGES}

# Distinctive numbers: if any of them shows on the customer's quotation, an internal value leaked (R-Q4).
OFR = {"quantity": "2", "buy": "1493.17", "sell": "1850.00", "minimum": "1711.29"}
THC = {"quantity": "2", "buy": "152.39", "sell": "185.00", "minimum": "171.43"}
INTERNAL_NOTE = "INTERNAL-NOTE-5521 buy via the route desk"
INTERNAL = (
    "1493.17", "1,493.17", "1711.29", "1,711.29",          # OFR buy rate and minimum sell rate
    "152.39", "171.43",                                     # THC-O buy rate and minimum sell rate
    "2986.34", "2,986.34", "304.78",                        # buy amounts
    "3291.12", "3,291.12",                                  # cost total
    "778.88",                                               # margin
    "INTERNAL-NOTE-5521",
)


def line_rows(page):
    return page.locator("#lines tbody tr:not(.line-errors)")


def fill_line(row, code, values, basis="container"):
    """A charge typed by hand; its buy and minimum rates are the card's (never typed)."""
    row.locator("select[name$='-charge_code']").select_option(code)
    row.locator("select[name$='-basis']").select_option(basis)
    row.locator("input[name$='-quantity']").fill(values["quantity"])
    row.locator("input[name$='-sell_rate']").fill(values["sell"])
    row.locator("select[name$='-direction']").select_option("receivable")


def expect_line(row, code, values):
    """A line priced from the card: the sell rate filled in, the card's buy and minimum shown."""
    expect(row.locator("select[name$='-charge_code']")).to_have_value(code)
    expect(row.locator("input[name$='-sell_rate']")).to_have_value(values["sell"])
    expect(row.locator("input[name$='-quantity']")).to_have_value(values["quantity"])
    expect(row.locator("td.card-cell")).to_contain_text(f"{float(values['buy']):,.2f}")
    expect(row.locator("td.card-cell")).to_contain_text(f"{float(values['minimum']):,.2f}")
    expect(row.locator("input[name$='-buy_rate']")).to_have_count(0)


def the_cards(app):
    """The cards the quotes price from, with distinctive buy and minimum rates."""
    with app.test_request_context():
        add_rates(charges={"OFR": (OFR["buy"], OFR["sell"], OFR["minimum"]),
                           "THC-O": (THC["buy"], THC["sell"], THC["minimum"])})
        db.session.commit()


def add_charge(page):
    count = line_rows(page).count()
    page.click("#quote-form button:text('+ Add a charge')")
    expect(line_rows(page)).to_have_count(count + 1)


def fill_cargo(page, customer_code="TW-0001", pol="TWKHH", pod="USLAX", commodity="Machine tools"):
    page.fill("#customer_code", customer_code)
    page.locator("#customer_code").dispatch_event("change")
    page.fill("#pol", pol)
    page.fill("#pod", pod)
    page.select_option("#mode", "fcl")
    page.select_option("#carrier", "EGLV")
    page.select_option("#container_type", "40HQ")
    page.fill("#container_qty", "2")
    page.fill("#gross_weight_kg", "18000")
    page.fill("#commodity", commodity)
    page.select_option("#incoterm", "FOB")


def test_new_hire_quote_is_approved_then_printed_without_internal_rates(app, page, open_page, live_server, make_user,
                                                                         make_customer):
    newhire = make_user("agent", display_name="Emily Wu", locale="en", timezone="Asia/Taipei", is_new_hire=True,
                        probation_ends_on=utcnow().date() + timedelta(days=60))
    lead = make_user("supervisor", display_name="Meiling Chen", locale="en", timezone="Asia/Taipei")
    make_customer(newhire, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery",
                  preferred_locale="zh_Hant", contacts=[{"name": "王小明", "email": "wang@tpm.example"}])
    the_cards(app)

    # The new hire writes an FCL quote; the carrier's card fills the charges.
    log_in(page, live_server, newhire.username, PASSWORD)
    page.goto(f"{live_server}/quotes/new")
    expect(page.locator("h1")).to_have_text("New quote")
    expect(page.locator("#inquiry_at")).not_to_have_value("")   # the clock starts now (R-Q7)
    expect(page.locator("#valid_until")).not_to_have_value("")
    fill_cargo(page)
    expect(page.locator("#contact_id option", has_text="王小明")).to_have_count(1)  # the customer's contacts
    page.fill("#notes", INTERNAL_NOTE)
    page.fill("#remarks", "Subject to space")

    expect(line_rows(page)).to_have_count(2)
    expect_line(line_rows(page).nth(0), "OFR", OFR)
    expect_line(line_rows(page).nth(1), "THC-O", THC)
    # One line too many, then removed with ×: the right one goes, the others keep their values.
    add_charge(page)
    fill_line(line_rows(page).nth(2), "DOC", {"quantity": "1", "sell": "50.00"}, basis="bl")
    line_rows(page).nth(2).locator("button:text('×')").click()
    expect(line_rows(page)).to_have_count(2)
    expect_line(line_rows(page).nth(0), "OFR", OFR)
    expect_line(line_rows(page).nth(1), "THC-O", THC)

    page.click("#quote-form button:text('Save quote')")
    expect(page).to_have_url(re.compile(r"/quotes/\d+$"))
    quote_url = page.url
    expect(page.locator(".toast", has_text="saved as a draft")).to_be_visible()
    head = page.locator(".page-head")
    expect(head.locator("h1 .badge")).to_have_text("Draft")
    number = re.search(r"Q\d{4}-\d{5}", head.locator("h1").inner_text()).group(0)
    expect(head.locator(".notice")).to_contain_text("Needs a supervisor's approval")
    expect(head.locator(".notice")).to_contain_text("quote by a new hire")
    expect(page.locator("a:text('Customer quotation')")).to_have_count(0)
    expect(page.locator("button:text('Mark as sent')")).to_have_count(0)
    charges = page.locator("section[aria-labelledby=charges-h]")
    expect(charges.locator("tbody tr")).to_have_count(2)
    expect(charges).to_contain_text("1,493.17")      # staff see the buy rate
    expect(charges).to_contain_text("4,070.00")      # 2 × 1850 + 2 × 185
    # The quotation itself refuses before approval, even by its address.
    page.goto(f"{quote_url}/quotation")
    expect(page).to_have_url(quote_url)
    expect(page.locator(".toast")).to_contain_text("needs a supervisor's approval")

    page.click("#main button:text('Submit for approval')")
    expect(page.locator(".page-head h1 .badge")).to_have_text("Waiting for approval")
    expect(page.locator(".toast", has_text="Submitted for approval")).to_be_visible()
    expect(page.locator("button:text('Submit for approval')")).to_have_count(0)

    # The supervisor, at another computer, sees it waiting.
    page_b = open_page("supervisor")
    log_in(page_b, live_server, lead.username, PASSWORD)
    quotes_nav = page_b.locator("nav.mainnav a", has_text="Quotes")
    expect(quotes_nav.locator(".nav-count")).to_have_text("1")
    quotes_nav.click()
    page_b.locator(".subnav a", has_text="Approvals").click()
    expect(page_b).to_have_url(re.compile(r"/quotes/approvals$"))
    cards = page_b.locator("li.approval")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card).to_contain_text(number)
    expect(card).to_contain_text("Emily Wu")
    expect(card).to_contain_text("TWKHH → USLAX")
    expect(card).to_contain_text("2×40HQ")
    expect(card).to_contain_text("quote by a new hire")
    expect(card.locator(".totals")).to_contain_text("4,070.00")
    expect(card.locator(".totals")).to_contain_text("778.88")   # the margin, for the decision

    card.locator("#comment-" + card.get_attribute("id").split("-")[1]).fill("OK, go ahead")
    card.locator("button:text('Approve')").click()
    expect(cards).to_have_count(0)
    expect(page_b.locator(".toast", has_text=f"Quote {number} approved")).to_be_visible()
    page_b.reload()
    expect(page_b.locator("li.approval")).to_have_count(0)
    expect(page_b.locator("#main")).to_contain_text("No quote is waiting for approval.")
    expect(page_b.locator("nav.mainnav .nav-count")).to_have_count(0)

    # The new hire sees the decision and opens the customer's quotation.
    page.goto(quote_url)
    expect(page.locator(".page-head h1 .badge")).to_have_text("Approved")
    expect(page.locator(".page-head .notice")).to_have_count(0)
    decisions = page.locator("section[aria-labelledby=decisions-h]")
    expect(decisions).to_contain_text("Meiling Chen")
    expect(decisions).to_contain_text("OK, go ahead")
    link = page.locator("a:text('Customer quotation')")
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    quotation = opened.value
    quotation.set_default_timeout(10_000)
    quotation.wait_for_load_state()
    expect(quotation).to_have_url(re.compile(r"/quotes/\d+/quotation$"))
    # The customer's own language by default: Traditional Chinese for this customer.
    expect(quotation.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    for lang in ("en", "zh_Hant", "zh_Hans"):
        # Charge and port names in the quotation's language, from the reference data.
        attr = {"en": "name_en", "zh_Hant": "name_zh_hant", "zh_Hans": "name_zh_hans"}[lang]
        names = [getattr(CHARGE_BY_CODE[code], attr) for code in ("OFR", "THC-O")] + \
                [getattr(PORT_BY_CODE[code], attr) for code in ("TWKHH", "USLAX")]
        quotation.goto(f"{live_server}/quotes/{quote_url.rsplit('/', 1)[1]}/quotation?lang={lang}")
        charges = quotation.locator("table.charges")
        expect(charges.locator("tbody tr")).to_have_count(2)
        for name in names:
            expect(quotation.locator("main")).to_contain_text(name)
        expect(charges.locator("tbody tr").nth(0)).to_contain_text("1,850.00")
        expect(charges.locator("tbody tr").nth(0)).to_contain_text("3,700.00")
        expect(charges.locator("tbody tr").nth(1)).to_contain_text("185.00")
        expect(charges.locator("tbody tr").nth(1)).to_contain_text("370.00")
        expect(charges.locator("tfoot")).to_contain_text("4,070.00")
        expect(quotation.locator("main")).to_contain_text(number)
        expect(quotation.locator("main")).to_contain_text("Subject to space")
        html = quotation.content()
        for secret in INTERNAL:
            assert secret not in html, (lang, secret)
        if lang == "en":
            assert "Buy rate" not in html and "Minimum sell rate" not in html and "Margin" not in html


def test_inline_approval_refreshes_the_navigation_badge(app, page, live_server, make_user, make_customer):
    """The decide view sends `quoteDecided` so that the badge follows the queue; the count must not
    stay at what it was before the decision."""
    newhire = make_user("agent", display_name="Emily Wu", locale="en", is_new_hire=True,
                        probation_ends_on=utcnow().date() + timedelta(days=60))
    lead = make_user("supervisor", display_name="Meiling Chen", locale="en")
    make_customer(newhire, code="TW-0001")
    _pending_quotes(app, newhire, count=2)

    log_in(page, live_server, lead.username, PASSWORD)
    page.goto(f"{live_server}/quotes/approvals")
    badge = page.locator("nav.mainnav .nav-count")
    expect(badge).to_have_text("2")
    expect(page.locator("li.approval")).to_have_count(2)
    page.locator("li.approval").first.locator("button:text('Approve')").click()
    expect(page.locator("li.approval")).to_have_count(1)
    expect(page.locator(".toast", has_text="approved")).to_be_visible()
    expect(badge).to_have_text("1")


def _pending_quotes(app, author, count):
    """Quotes by a new hire, submitted for approval, made through the app's rules."""
    with app.test_request_context():
        actor = db.session.get(User, author.id)
        customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == "TW-0001"))
        for i in range(count):
            ensure_card()
            quote = rules.create_quote(actor, {
                "customer_id": customer_id, "inquiry_at": utcnow(), "mode": "fcl", "pol": "TWKHH",
                "pod": "USLAX", "container_type": "40HQ", "container_qty": 1, "gross_weight_kg": Decimal("9000"),
                "commodity": f"Machine parts {i}", "valid_until": utcnow().date() + timedelta(days=14),
                "currency": "USD", "dg_fees_confirmed": False, "notes": "", "remarks": ""},
                [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("1"), "buy_rate": Decimal("1500"),
                  "sell_rate": Decimal("1800"), "min_sell_rate": Decimal("1700"), "currency": "USD",
                  "direction": "receivable", "includes": ""}])
            rules.submit_for_approval(actor, quote)
        db.session.commit()


def test_invalid_quote_shows_errors_by_the_fields_and_keeps_the_input(app, page, live_server, make_user,
                                                                      make_customer):
    agent = make_user("agent", display_name="Jason Lin", locale="en", timezone="Asia/Taipei")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery")
    the_cards(app)

    log_in(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server}/quotes/new")
    fill_cargo(page, pod="XXXXX", commodity="")
    page.fill("#notes", "Typed notes stay")
    # No card on an unknown lane: the ocean freight is typed, with the buy rate of the agent's own channel.
    fill_line(line_rows(page).nth(0), "OFR", OFR)
    line_rows(page).nth(0).locator("input[name$='-buy_rate']").fill(OFR["buy"])
    page.click("#quote-form button:text('Save quote')")

    expect(page.locator("#quote-form .alert-error")).to_contain_text("Some fields need your attention:")
    expect(page).to_have_url(f"{live_server}/quotes/new")
    # Each error sits next to its field and is tied to it for screen readers.
    expect(page.locator("#pod")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pod")).to_have_attribute("aria-describedby", "pod-error")
    expect(page.locator("#pod-error")).to_contain_text("Unknown port")
    expect(page.locator(".field.has-error", has=page.locator("#pod"))).to_have_count(1)
    expect(page.locator("#commodity")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#commodity-error")).to_have_text("Enter the commodity.")
    expect(page.locator("#pol")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pol-error")).to_have_count(0)
    # What was typed is still there.
    expect(page.locator("#customer_code")).to_have_value("TW-0001")
    expect(page.locator("#pol")).to_have_value("TWKHH")
    expect(page.locator("#pod")).to_have_value("XXXXX")
    expect(page.locator("#container_type")).to_have_value("40HQ")
    expect(page.locator("#container_qty")).to_have_value("2")
    expect(page.locator("#gross_weight_kg")).to_have_value("18000")
    expect(page.locator("#carrier")).to_have_value("EGLV")
    expect(page.locator("#incoterm")).to_have_value("FOB")
    expect(page.locator("#notes")).to_have_value("Typed notes stay")
    expect(line_rows(page)).to_have_count(1)
    expect(line_rows(page).nth(0).locator("input[name$='-sell_rate']")).to_have_value(OFR["sell"])
    expect(line_rows(page).nth(0).locator("input[name$='-buy_rate']")).to_have_value(OFR["buy"])

    # Corrected, it saves: on the lane's card now, the ocean freight is the card's.
    page.fill("#pod", "USLAX")
    page.locator("#pod").dispatch_event("change")
    expect_line(line_rows(page).nth(0), "OFR", OFR)
    page.fill("#commodity", "Machine tools")
    page.click("#quote-form button:text('Save quote')")
    expect(page).to_have_url(re.compile(r"/quotes/\d+$"))
    expect(page.locator(".page-head h1 .badge")).to_have_text("Draft")
    expect(page.locator(".page-head .meta")).to_contain_text("USLAX")
    page.wait_for_load_state("networkidle")     # nothing still on its way when the test's data goes
