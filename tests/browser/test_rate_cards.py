"""Rate cards in a real browser (issue 9): the supervisor imports the route department's file; a new
hire quotes an existing customer from it in a counted number of actions (the buy and minimum rates
are the card's); the supervisor approves; the new hire changes the price, the approval is void, and
the supervisor sees what changed and approves again."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.core.clock import now as utcnow
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.rates.conftest import csv_bytes, row

pytestmark = pytest.mark.browser

ACTION_BUDGET = 12      # the issue: a 2-line quote for an existing customer in about half of the old 24


class Counted:
    """The user's actions on a page, counted: a click, a field filled, an option chosen, a key."""

    def __init__(self, page):
        self.page, self.actions = page, []

    def click(self, selector):
        self.actions.append(("click", selector))
        self.page.locator(selector).first.click()

    def fill(self, selector, value):
        self.actions.append(("fill", selector))
        self.page.fill(selector, value)

    def choose(self, selector, value):
        self.actions.append(("choose", selector))
        self.page.select_option(selector, value)

    def press(self, selector, key):
        self.actions.append(("press", key))
        self.page.press(selector, key)


def lines(page):
    return page.locator("#lines tbody tr:not(.line-errors)")


def test_import_a_card_quote_from_it_approve_change_and_approve_again(open_page, live_server, make_user,
                                                                     make_customer):
    lead = make_user("supervisor", display_name="Meiling Chen", locale="en", timezone="Asia/Taipei")
    newhire = make_user("agent", display_name="Emily Wu", locale="en", timezone="Asia/Taipei", is_new_hire=True,
                        probation_ends_on=utcnow().date() + timedelta(days=60))
    make_customer(newhire, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery",
                  preferred_locale="zh_Hant", contacts=[{"name": "王小明", "phone": "07-3456789"}])

    # The supervisor imports the route department's rate file, checked before anything goes in.
    today = utcnow().date()
    start, end = today - timedelta(days=1), today + timedelta(days=29)
    data = csv_bytes([row(start, end), row(start, end, charge="BAF", buy="310", sell="310", minimum="310"),
                      row(start, end, equipment="20GP", buy="950", sell="1180", minimum="1080"),
                      row(start, end, carrier="YMLU", buy="1480", sell="1820", minimum="1690")])
    boss = open_page("supervisor")
    log_in(boss, live_server, lead.username, PASSWORD)
    boss.goto(f"{live_server}/rates")
    boss.locator(".subnav a", has_text="Import a file").click()
    boss.set_input_files("#file", files=[{"name": "route-rates.csv", "mimeType": "text/csv", "buffer": data}])
    boss.click("#import-form button[type=submit]")
    expect(boss).to_have_url(re.compile(r"/rates/imports/\d+$"))
    expect(boss.locator("ul.counts li", has_text="New rates")).to_contain_text("4")
    boss.locator("button", has_text="Import 4 rates").click()
    expect(boss.locator(".toast", has_text="Imported route-rates.csv: 4 new")).to_be_visible()
    expect(boss.locator("tr.rate-row")).to_have_count(4)

    # The new hire quotes the customer from the card, every action counted.
    page = open_page("newhire")
    log_in(page, live_server, newhire.username, PASSWORD)
    page.goto(f"{live_server}/quotes")
    you = Counted(page)
    you.click(".subnav a:text('New quote')")
    page.wait_for_load_state("load")                         # the page is ready (not an action)
    you.fill("#customer_code", "台灣精密")
    expect(page.locator("#customer-suggestions button")).to_have_count(1)
    you.press("#customer_code", "Enter")                     # takes the suggestion
    expect(page.locator("#contact_id")).to_have_value(re.compile(r"\d+"))   # its main contact
    you.fill("#pol", "TWKHH")
    you.fill("#pod", "USLAX")
    you.choose("#container_type", "40HQ")
    you.fill("#container_qty", "2")
    you.fill("#gross_weight_kg", "18000")
    you.fill("#commodity", "Machine tools")
    # Only carriers with a valid card on the lane are offered first.
    expect(page.locator("#carrier optgroup").first.locator("option")).to_have_count(2)
    you.choose("#carrier", "EGLV")
    expect(lines(page)).to_have_count(2)                     # ocean freight and bunker, from the card
    expect(lines(page).nth(0).locator("input[name$='-sell_rate']")).to_have_value("1850.00", timeout=20_000)
    expect(lines(page).nth(0).locator("input[name$='-quantity']")).to_have_value("2")
    expect(lines(page).nth(1).locator("select[name$='-charge_code']")).to_have_value("BAF")
    expect(lines(page).locator("input[name$='-buy_rate']")).to_have_count(0)    # never typed
    you.click("#quote-form button:text('Save quote')")
    expect(page).to_have_url(re.compile(r"/quotes/\d+$"))
    assert len(you.actions) <= ACTION_BUDGET, you.actions
    quote_url = page.url
    head = page.locator(".page-head")
    number = re.search(r"Q\d{4}-\d{5}", head.locator("h1").inner_text()).group(0)
    expect(head.locator(".notice")).to_contain_text("quote by a new hire")
    charges = page.locator("section[aria-labelledby=charges-h]")
    expect(charges).to_contain_text("4,320.00")              # 2 × 1850 + 2 × 310
    expect(charges).to_contain_text("Rate card")
    page.click("#main button:text('Submit for approval')")
    expect(page.locator(".page-head h1 .badge")).to_have_text("Waiting for approval")

    # The supervisor approves it.
    boss.goto(f"{live_server}/quotes/approvals")
    card = boss.locator("li.approval", has_text=number)
    card.locator("button:text('Approve')").click()
    expect(card).to_have_count(0)

    # The customer asks for a better price; the new hire changes it, and the approval is void.
    page.goto(quote_url)
    expect(page.locator(".page-head h1 .badge")).to_have_text("Approved")
    page.click(".page-head a:text('Edit')")
    lines(page).nth(0).locator("input[name$='-sell_rate']").fill("1800.00")
    page.click("#quote-form button:text('Save quote')")
    expect(page).to_have_url(quote_url)
    expect(page.locator(".page-head h1 .badge")).to_have_text("Waiting for approval")
    changed = page.locator(".changes-since")
    expect(changed).to_contain_text("Changed since Meiling Chen approved it")
    expect(changed).to_contain_text("1850.00")
    expect(changed).to_contain_text("1800.00")
    expect(page.locator("button:text('Mark as sent')")).to_have_count(0)

    # The supervisor sees what changed on the card, and approves again.
    boss.goto(f"{live_server}/quotes/approvals")
    card = boss.locator("li.approval", has_text=number)
    diff = card.locator(".changes-since")
    expect(diff).to_contain_text("Line 1: Sell rate")
    expect(diff).to_contain_text("1850.00")
    expect(diff).to_contain_text("1800.00")
    card.locator("button:text('Approve')").click()
    expect(card).to_have_count(0)

    page.goto(quote_url)
    expect(page.locator(".page-head h1 .badge")).to_have_text("Approved")
    page.click("#main button:text('Mark as sent')")
    expect(page.locator(".page-head h1 .badge")).to_have_text("Sent")
    for opened in (page, boss):
        opened.wait_for_load_state("networkidle")   # nothing still on its way when the test's data goes


def test_the_editor_works_from_the_keyboard(page, live_server, make_user, make_customer, app):
    """Tab moves through the fields in order; Enter takes a suggestion; Enter in a charge line adds
    the next line, with the cursor in it."""
    agent = make_user("agent", display_name="Jason Lin", locale="en", timezone="Asia/Taipei")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", contacts=[{"name": "王小明"}])
    log_in(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server}/quotes/new")
    page.wait_for_load_state("load")
    expect(page.locator("#customer_code")).to_be_focused()
    page.keyboard.type("TW-0001")
    expect(page.locator("#customer-suggestions button")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#customer-picked")).to_contain_text("台灣精密機械")
    page.keyboard.press("Tab")
    expect(page.locator("#contact_id")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#inquiry_at")).to_be_focused()     # (Tab walks the date and time parts in it)
    page.focus("#pol")
    page.keyboard.type("高雄")
    expect(page.locator("#pol-suggestions button").first).to_contain_text("TWKHH")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#pol-suggestions button").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#pol")).to_have_value("TWKHH")
    page.keyboard.press("Tab")
    expect(page.locator("#pod")).to_be_focused()
    sell = page.locator("#lines tbody tr").first.locator("input[name$='-sell_rate']")
    sell.fill("1850")
    sell.press("Enter")
    expect(lines(page)).to_have_count(2)
    expect(lines(page).nth(1).locator("select[name$='-charge_code']")).to_be_focused()
    expect(lines(page).nth(0).locator("input[name$='-sell_rate']")).to_have_value("1850.00", timeout=20_000)
    expect(page).to_have_url(f"{live_server}/quotes/new")     # Enter did not send the form
    page.wait_for_load_state("networkidle")
