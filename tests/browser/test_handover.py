"""Shift handover in a real browser: write a note as you go, hand it over, take it over, carry on."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def start_note(page, base_url, recipient_name):
    page.goto(f"{base_url}/handover")
    expect(page.locator("h1")).to_have_text("Shift handover")
    # The shift running now and its date are filled in; only the addressee is left to choose.
    expect(page.locator("#shift_id")).not_to_have_value("")
    expect(page.locator("#shift_date")).not_to_have_value("")
    page.select_option("#recipient_id", label=recipient_name)
    page.click("#main button:text('Start handover note')")
    expect(page).to_have_url(re.compile(r"/handover/notes/\d+$"))
    expect(page.locator("#items")).to_be_visible()


def add_item(page, text, priority="normal", category="other", customer_code=""):
    count = page.locator("#items li.item").count()
    form = page.locator("#items form.add-item")
    form.locator("#text").fill(text)
    form.locator("#priority").select_option(priority)
    form.locator("#category").select_option(category)
    if customer_code:
        form.locator("#customer_code").fill(customer_code)
    form.locator("button:text('Add item')").click()
    expect(page.locator("#items li.item")).to_have_count(count + 1)
    # The form is fresh again for the next item.
    expect(page.locator("#items form.add-item #text")).to_have_value("")


def type_remarks(page, text):
    page.locator("#summary").press_sequentially(text, delay=20)
    expect(page.locator("#saved-status")).to_contain_text("Saved at")


def test_write_hand_over_acknowledge_close_and_carry(page, open_page, live_server, make_user, make_customer):
    agent_a = make_user("agent", display_name="Agent Alice", locale="en", timezone="Asia/Taipei")
    agent_b = make_user("agent", display_name="Agent Bob", locale="en", timezone="Asia/Taipei")
    make_customer(agent_a, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery")

    # Agent A writes the note at the end of the shift.
    log_in(page, live_server, agent_a.username, PASSWORD)
    start_note(page, live_server, "Agent Bob")
    expect(page.locator(".page-head .meta")).to_contain_text("Agent Alice → Agent Bob")
    expect(page.locator(".page-head .badge")).to_have_text("Draft")
    add_item(page, "Call 台灣精密機械 about the rolled container", priority="urgent", category="booking",
             customer_code="tw-0001")
    add_item(page, "Send the B/L draft to Acme", category="document")
    urgent = page.locator("#items li.item", has_text="rolled container")
    expect(urgent).to_have_class(re.compile(r"\bprio-urgent\b"))
    expect(urgent.locator(".badge.prio")).to_have_text("Urgent")
    expect(urgent.locator(".item-tags a")).to_contain_text("TW-0001")
    expect(page.locator("#items h2")).to_contain_text("2 open")

    type_remarks(page, "颱風：高雄港停止作業 until Thursday.")
    page.reload()
    expect(page.locator("#summary")).to_have_value("颱風：高雄港停止作業 until Thursday.")
    expect(page.locator("#items li.item")).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#main button:text('Hand over note')")
    expect(page.locator(".page-head .badge", has_text="Unacknowledged")).to_be_visible()
    expect(page.locator(".toast", has_text="Note handed over")).to_be_visible()
    # Handed over: the writer can no longer change it.
    expect(page.locator("#summary")).to_have_count(0)
    expect(page.locator("#items form.add-item")).to_have_count(0)
    expect(page.locator("#main")).to_contain_text("颱風：高雄港停止作業 until Thursday.")

    # Agent B, at another computer, finds it waiting.
    page_b = open_page("agent-b")
    log_in(page_b, live_server, agent_b.username, PASSWORD)
    badge = page_b.locator("nav.mainnav .nav-count")
    expect(badge).to_have_text("1")
    page_b.locator("nav.mainnav a", has_text="Shift handover").click()
    received = page_b.locator("section[aria-labelledby=received-h] li.note-card")
    expect(received).to_have_count(1)
    expect(received).to_contain_text("Agent Alice → Agent Bob")
    expect(received).to_contain_text("2 items")
    expect(received.locator(".badge", has_text="Unacknowledged")).to_be_visible()

    received.locator("a").first.click()
    expect(page_b.locator("#items li.item")).to_have_count(2)
    expect(page_b.locator("#main")).to_contain_text("颱風：高雄港停止作業 until Thursday.")
    page_b.click("#main button:text('Acknowledge: I take over')")
    expect(page_b.locator(".page-head .badge.tone-good")).to_have_text("Acknowledged")
    expect(page_b.locator(".page-head .meta")).to_contain_text("by Agent Bob")
    expect(page_b.locator("nav.mainnav .nav-count")).to_have_count(0)

    # B deals with the urgent item and closes it.
    urgent_b = page_b.locator("#items li.item", has_text="rolled container")
    urgent_b.locator("button:text('Close')").click()
    expect(page_b.locator("#items li.item.done")).to_have_count(1)
    expect(page_b.locator("#items li.item.done")).to_contain_text("Done: Agent Bob")
    expect(page_b.locator("#items h2")).to_contain_text("1 open")
    expect(page_b.locator(".toast", has_text="Item closed")).to_be_visible()

    # B's own note at the end of their shift: the other item comes along by itself.
    start_note(page_b, live_server, "Agent Alice")
    expect(page_b.locator(".toast", has_text="1 open item carried over")).to_be_visible()
    items = page_b.locator("#items li.item")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("Send the B/L draft to Acme")
    expect(items.locator(".item-history")).to_contain_text("carried by Agent Bob")
    expect(items.locator(".item-history")).to_contain_text("open across 2 shifts")
    expect(items.locator(".item-history")).to_contain_text("Raised by Agent Alice")
    expect(page_b.locator("#main")).not_to_contain_text("rolled container")


def test_draft_survives_closing_the_browser(page, open_page, live_server, make_user):
    writer = make_user("agent", display_name="Agent Alice", locale="en", timezone="Asia/Taipei")
    make_user("agent", display_name="Agent Bob", locale="en")
    first = open_page("first")
    log_in(first, live_server, writer.username, PASSWORD)
    start_note(first, live_server, "Agent Bob")
    note_url = first.url
    add_item(first, "Chase the customs broker for the 報單 number", priority="urgent", category="filing")
    type_remarks(first, "Broker promised an answer by 10:00.")
    first.context.close()  # the browser is closed: its cookies and whatever was on screen are gone

    # The next morning, another browser: the draft waits, word for word.
    log_in(page, live_server, writer.username, PASSWORD)
    page.goto(f"{live_server}/handover")
    mine = page.locator("section[aria-labelledby=mine-h]")
    expect(mine).to_contain_text("1 item so far")
    expect(mine.locator("form")).to_have_count(0)  # no second note is offered while one is a draft
    mine.locator("a:text('Continue writing')").click()
    expect(page).to_have_url(note_url)
    expect(page.locator("#summary")).to_have_value("Broker promised an answer by 10:00.")
    expect(page.locator("#items li.item")).to_have_count(1)
    expect(page.locator("#items li.item")).to_contain_text("Chase the customs broker for the 報單 number")
    expect(page.locator(".page-head .badge")).to_have_text("Draft")
