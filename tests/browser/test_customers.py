"""A person at the keyboard: log in, switch languages, search as they type, fix a bad form."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_log_in_and_switch_language(page, live_server, make_user, make_customer):
    agent = make_user("agent", display_name="林志豪 Jason Lin", locale="en")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery")
    log_in(page, live_server, agent.username, PASSWORD)
    expect(page.locator("h1")).to_have_text("Customers")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{live_server}/customers?grade=B")
    page.click(".langswitch button[title='繁體中文']")
    expect(page.locator("h1")).to_have_text("客戶")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page).to_have_url(f"{live_server}/customers?grade=B")   # the same page, its filters kept
    page.click(".langswitch button[title='简体中文']")
    expect(page.locator("h1")).to_have_text("客户")
    # Remembered: the next page stays in Simplified Chinese; a ?lang= link shows one page only.
    page.goto(f"{live_server}/customers?lang=en")
    expect(page.locator("h1")).to_have_text("Customers")
    page.goto(f"{live_server}/customers")
    expect(page.locator("h1")).to_have_text("客户")


def test_search_as_you_type(page, live_server, make_user, make_customer):
    agent = make_user("agent")
    make_customer(agent, code="CN-0001", name_zh="深圳華強電子有限公司", name_en="Shenzhen Huaqiang Electronics")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery")
    log_in(page, live_server, agent.username, PASSWORD)
    rows = page.locator("#customer-results tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#q").press_sequentially("華強", delay=50)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CN-0001")
    expect(page).to_have_url(re.compile(r"q=%E8%8F%AF%E5%BC%B7"))
    page.fill("#q", "")
    page.locator("#q").press_sequentially("precision", delay=50)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("TW-0001")
    page.select_option("#grade", "A")
    expect(page.locator(".empty")).to_be_visible()


def test_invalid_customer_shows_inline_error_then_saves(page, live_server, make_user):
    agent = make_user("agent")
    log_in(page, live_server, agent.username, PASSWORD)
    page.click("text=New customer")
    page.fill("#code", "bad code")
    page.fill("#name_zh", "長興海運股份有限公司")
    page.fill("#name_en", "Evergrowth Marine Corp.")
    page.click("#main button[type=submit]")
    error = page.locator(".field.has-error .error")
    expect(error).to_contain_text("Use 2 to 12 capital letters")
    # What was typed is still there.
    expect(page.locator("#name_zh")).to_have_value("長興海運股份有限公司")
    page.fill("#code", "tw-0100")
    page.click("#main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("長興海運股份有限公司")
    expect(page.locator(".toast")).to_contain_text("created")
    page.click("nav.crumbs >> text=Customers")
    expect(page.locator("#customer-results")).to_contain_text("TW-0100")


def test_contacts_inline_with_confirmation(page, live_server, make_user, make_customer):
    agent = make_user("agent")
    cid = make_customer(agent, contacts=[{"name": "王小明", "phone": "+886 2 2712 3456"}])
    log_in(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server}/customers/{cid}")
    page.click("#contacts summary")
    page.fill("#contacts form #name", "Amy Chen")
    page.fill("#contacts form #email", "not-an-email")
    page.click("#contacts button:text('Add contact')")
    expect(page.locator("#contacts .error")).to_contain_text("valid e-mail")
    page.fill("#contacts form #email", "amy@example.com")
    page.click("#contacts button:text('Add contact')")
    expect(page.locator("#contacts li.contact")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.contact", has_text="王小明").locator("button:text('Remove')").click()
    expect(page.locator("#contacts li.contact")).to_have_count(1)
    expect(page.locator("#contacts")).not_to_contain_text("王小明")
