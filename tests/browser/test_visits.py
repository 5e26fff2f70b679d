"""Visits in a real browser: an agent logs a call from the customer's page in a few actions, sees it
on the timeline and the customer leave the overdue list; a complaint goes from received to closed
with a satisfaction call-back; the desk, the calendar and a case read on a 390 px phone in
Traditional and Simplified Chinese without sideways scrolling."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.auth.models import User
from portal.core import clock
from portal.customers import rules as customer_rules
from portal.extensions import db
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def book(app, make_user):
    """An agent whose grade-A customer was taken on a week ago and not called since: overdue."""
    agent = make_user("agent", "mei.chen", display_name="陳美玲 Mei Chen", locale="en", timezone="Asia/Taipei")
    with app.test_request_context():
        actor = db.session.get(User, agent.id)
        with clock.set_to(clock.now() - timedelta(days=7)):
            customer = customer_rules.create_customer(actor, {
                "code": "TW-0042", "name_zh": "台灣精密機械", "name_en": "Taiwan Precision Machinery", "kind": "direct",
                "source": "self_sourced", "preferred_locale": "zh_Hant", "address": "台中市西屯區工業區一路 100 號"}, "A")
            customer_rules.add_contact(actor, customer, {"name": "王小明", "phone": "+886 4 2359 0000",
                                                         "is_primary": True})
        db.session.commit()
        return {"agent": agent, "customer_id": customer.id}


def test_an_agent_logs_a_call_from_the_customers_page(page, live_server, book):
    log_in(page, live_server, book["agent"].username, PASSWORD)
    page.goto(f"{live_server}/visits")
    overdue = page.locator("#due-overdue-list")
    expect(overdue).to_contain_text("TW-0042")

    # From the overdue row to the customer's page, and the call logged there in a few actions.
    overdue.locator("tr", has_text="TW-0042").get_by_role("link", name="Log a call").click()
    expect(page.locator("h1")).to_contain_text("台灣精密機械")
    panel = page.locator("#visits-panel")
    panel.locator("summary", has_text="Log a call").click()
    expect(panel.locator("#contact_id")).to_have_value(str(_primary_id(page, panel)))
    panel.locator("#notes").fill("Asked about space for week 5; needs 3x40HQ to Los Angeles")
    panel.locator("#outcome").fill("Booking to follow")
    panel.locator("#satisfaction").select_option("5")
    panel.get_by_role("button", name="Log contact").click()
    expect(page.locator(".toast")).to_contain_text("Contact with 台灣精密機械 logged")
    # The timeline refreshes by itself and shows the call first.
    timeline = page.locator("[data-timeline]")
    expect(timeline.locator("li").first).to_contain_text("Phone call: Regular revisit")
    expect(timeline).to_contain_text("Asked about space for week 5")
    expect(page.locator("#visits-panel .cadence-contact")).not_to_contain_text("overdue")

    # Back at the desk the customer has left the overdue list.
    page.goto(f"{live_server}/visits")
    expect(page.locator("h3#due-overdue")).to_be_visible()
    expect(page.locator("#due-overdue-list")).to_have_count(0)
    expect(page.get_by_text("Nobody is overdue.")).to_be_visible()


def _primary_id(page, panel):
    return panel.locator("#contact_id option", has_text="王小明").get_attribute("value")


def test_a_complaint_from_received_to_closed(page, open_page, live_server, book):
    log_in(page, live_server, book["agent"].username, PASSWORD)
    page.goto(f"{live_server}/visits/cases/new?customer=TW-0042")
    page.select_option("#severity", "urgent")
    page.select_option("#category", "damage")
    page.fill("#reported_by", "王小明")
    page.fill("#summary", "Cartons wet on arrival at Los Angeles")
    page.fill("#description", "Two pallets of machine parts arrived wet; the customer sent photos.")
    page.get_by_role("button", name="Record complaint").click()
    expect(page.locator("h1")).to_contain_text("Cartons wet on arrival")
    expect(page.locator("#response-clock")).to_contain_text("First response due in")

    page.fill("#note", "Apologised; surveyor booked for tomorrow 09:00")
    page.get_by_role("button", name="Record the first response").click()
    expect(page.locator(".toast")).to_contain_text("First response")
    expect(page.locator("#response-clock")).to_have_count(0)

    page.fill("#root_cause", "Container roof damaged; not inspected at gate-in")
    page.fill("#solution", "Damaged parts replaced at our cost")
    page.fill("#prevention", "Roof inspection added to the gate-in checklist")
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.locator(".page-head .badge").first).to_have_text("Resolved")

    # The customer's satisfaction call-back closes the case.
    page.select_option("#satisfaction", "4")
    page.fill("#note", "Satisfied with the replacement")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".page-head .badge").first).to_have_text("Closed")
    steps = page.locator("#case-steps")
    for step in ("Complaint received", "First response", "Root cause, solution and prevention recorded",
                 "Satisfaction call-back", "Case closed"):
        expect(steps).to_contain_text(step)

    # Every step is on the customer's timeline too.
    page.goto(f"{live_server}/customers/{book['customer_id']}")
    page.locator(".tl-filter label", has_text="Complaints").locator("input").check()
    expect(page.locator("[data-timeline] li").first).to_contain_text("Case closed")

    # On a Taiwanese phone the case, the desk and the calendar fit the screen.
    phone = open_page("phone", width=390, height=844, locale="zh-TW")
    log_in(phone, live_server, book["agent"].username, PASSWORD)
    for lang, title in (("zh_Hant", "客訴"), ("zh_Hans", "投诉")):
        phone.goto(f"{live_server}/visits/cases?state=all&lang={lang}")
        expect(phone.locator("h1")).to_have_text(title)
        phone.locator("#case-list a.rowlink").first.click()
        expect(phone.locator("#case-steps")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        for url in ("/visits", "/visits/calendar", "/visits/calendar?view=week", "/visits/log",
                    f"/customers/{book['customer_id']}"):
            phone.goto(f"{live_server}{url}{'&' if '?' in url else '?'}lang={lang}")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, url
