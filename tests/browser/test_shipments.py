"""Shipments in a real browser: an agent books a won quote, puts it on a vessel, shares the status
link; an anonymous visitor with a Taiwanese phone (zh-TW, 390 px) opens it and reads the timeline in
Traditional Chinese; a typhoon moves the ETA, the agent tells the customers, and the page shows the
new ETA."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.auth.models import User
from portal.core.clock import now as utcnow
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes import rules as quote_rules
from portal.shipments import rules
from portal.shipments.times import format_port_time, utc_to_port
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.rate_cards import add_rates

pytestmark = pytest.mark.browser


@pytest.fixture
def sailing(app, make_user, make_customer):
    agent = make_user("agent", display_name="Jason Lin", locale="en", timezone="Asia/Taipei")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery",
                  preferred_locale="zh_Hant", contacts=[{"name": "王小明", "email": "wang@tpm.example"}])
    with app.test_request_context():
        actor = db.session.get(User, agent.id)
        customer = db.session.query(Customer).filter_by(code="TW-0001").one()
        start = utcnow().replace(second=0, microsecond=0)
        base = {"carrier": "EGLV", "vessel_name": "EVER LOTUS", "imo": "9811000", "voyage": "0725E",
                "terminal": "Terminal 5"}
        rules.create_call(actor, base | {"port": "TWKHH", "eta": start + timedelta(days=4),
                                         "etd": start + timedelta(days=5), "doc_cutoff": start + timedelta(days=2),
                                         "vgm_cutoff": start + timedelta(days=3)})
        lax = rules.create_call(actor, base | {"port": "USLAX", "eta": start + timedelta(days=19),
                                               "etd": start + timedelta(days=20)})
        add_rates()            # the lane's card: the quote is priced from it and needs no approval
        quote = quote_rules.create_quote(actor, {
            "customer_id": customer.id, "contact_id": customer.contacts[0].id, "inquiry_at": start - timedelta(hours=2),
            "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
            "container_qty": 2, "gross_weight_kg": Decimal("18000"), "commodity": "Machine tools",
            "valid_until": start.date() + timedelta(days=14), "currency": "USD", "self_sourced_rate": False,
            "dg_fees_confirmed": False, "notes": "Buy via the route desk", "remarks": ""},
            [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("2"), "sell_rate": Decimal("1850"),
              "buy_rate": Decimal("1493.17"), "min_sell_rate": Decimal("1711.29"), "currency": "USD",
              "direction": "receivable", "includes": ""}])
        quote_rules.send(actor, quote, quote.version)
        quote_rules.mark_won(actor, quote, quote.version)
        db.session.commit()
        return {"agent": agent, "quote_id": quote.id, "lax_id": lax.id, "lax_eta": lax.eta}


def test_book_share_and_follow_a_schedule_change_on_a_phone(page, open_page, live_server, sailing):
    agent = sailing["agent"]
    log_in(page, live_server, agent.username, PASSWORD)

    # Book on the won quote.
    page.goto(f"{live_server}/quotes/{sailing['quote_id']}")
    bookings = page.locator("#bookings")
    expect(bookings).to_contain_text("Not booked yet.")
    bookings.locator("button:text('Book')").click()
    expect(page).to_have_url(re.compile(r"/shipments/\d+$"))
    shipment_url = page.url
    expect(page.locator(".toast", has_text="booked from quote")).to_be_visible()
    expect(page.locator(".page-head h1 .badge")).to_have_text("Booking requested")

    # The vessel: the Kaohsiung call, then that voyage's Los Angeles call.
    route = page.locator("#route")
    def choose(select, text):
        value = route.locator(f"{select} option", has_text=text).first.get_attribute("value")
        route.locator(select).select_option(value)

    with page.expect_response(re.compile(r"/legs/calls")):   # the discharge calls of that voyage come in
        choose("#load_call_id", "EVER LOTUS 0725E · TWKHH")
    expect(route.locator("#load_call_id")).not_to_have_value("")
    expect(route.locator("#discharge_call_id option", has_text="USLAX")).to_have_count(1)
    choose("#discharge_call_id", "USLAX")
    route.locator("button:text('Add leg')").click()
    expect(page.locator(".toast", has_text="Leg 1 added")).to_be_visible()
    expect(page.locator("table.legs tbody tr")).to_have_count(1)

    # The carrier's booking number, then its confirmation.
    page.click(".page-head a:text('Edit')")
    page.fill("#booking_no", "EGLV149001234")
    page.click("#shipment-form button:text('Save shipment')")
    expect(page).to_have_url(shipment_url)
    page.click("button:text('Carrier confirmed the booking')")
    expect(page.locator(".page-head h1 .badge")).to_have_text("Booked")

    # Share the status page.
    page.locator("#link-form #note").fill("Mr Wang")
    page.click("#link-form button:text('Make a status link')")
    link_field = page.locator("#links input.link-url").first
    expect(link_field).to_have_value(re.compile(r"/s/[A-Za-z0-9_-]{32}$"))
    status_url = link_field.input_value()

    # An anonymous visitor on a Taiwanese phone.
    phone = open_page("phone", width=390, height=844, locale="zh-TW")
    phone.goto(status_url)
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(phone.locator("h1")).to_have_text("EGLV149001234")
    steps = phone.locator("ol.steps li")
    expect(steps).to_have_count(6)
    expect(steps.first).to_have_class(re.compile("done"))
    expect(steps.first).to_contain_text("已訂艙")
    expect(phone.locator("ol.steps")).to_contain_text("已裝船")
    expect(phone.locator(".keys")).to_contain_text("預計抵港時間")
    expect(phone.locator(".keys")).to_contain_text("洛杉磯")
    old_eta = format_port_time(sailing["lax_eta"], "USLAX", "zh_Hant")
    expect(phone.locator(".keys")).to_contain_text(old_eta)
    expect(phone.locator("body")).not_to_contain_text("1493.17")
    expect(phone.locator("body")).not_to_contain_text("route desk")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390   # no sideways scrolling

    # A typhoon: the Los Angeles call moves two days.
    page.goto(f"{live_server}/shipments/vessels/{sailing['lax_id']}")
    new_eta_local = utc_to_port(sailing["lax_eta"], "USLAX") + timedelta(days=2)
    new_etd_local = new_eta_local + timedelta(days=1)
    form = page.locator("#schedule-form")
    form.locator("#eta").fill(new_eta_local.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#etb").fill("")
    form.locator("#etd").fill(new_etd_local.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#reason").select_option("typhoon")
    form.locator("#explanation").fill("Typhoon warning over the Pacific route.")
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button:text('Change the schedule')").click()
    expect(page).to_have_url(re.compile(r"/shipments/vessels/changes/\d+$"))
    expect(page.locator("article.customer-notice")).to_have_count(1)
    notice = page.locator("article.customer-notice textarea")
    expect(notice).to_have_value(re.compile("颱風"))              # drafted in the customer's language
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:text('Notify')")
    expect(page.locator(".toast", has_text="to send by hand")).to_be_visible()
    page.locator("li.notice-item button:text('Mark as sent')").click()
    expect(page.locator("li.notice-item .badge").first).to_have_text("Sent")

    # The shipment says who was told, when and how; the phone shows the new ETA.
    page.goto(shipment_url)
    expect(page.locator("#notices")).to_contain_text("Schedule change")
    expect(page.locator("#notices")).to_contain_text("LINE")
    phone.reload()
    new_eta = format_port_time(sailing["lax_eta"] + timedelta(days=2), "USLAX", "zh_Hant")
    expect(phone.locator(".keys")).to_contain_text(new_eta)
    expect(phone.locator("section.alert")).to_contain_text("颱風")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The smallest phones (375 px), in Simplified Chinese by the switch on the page.
    small = open_page("small-phone", width=375, height=667, locale="zh-CN")
    small.goto(status_url)
    small.locator("nav.langs a[lang='zh-Hans-CN']").click()
    expect(small.locator("html")).to_have_attribute("lang", "zh-Hans-CN")
    expect(small.locator(".keys")).to_contain_text("预计抵港时间")
    assert small.evaluate("document.documentElement.scrollWidth") <= 375
