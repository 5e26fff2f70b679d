"""The quote editor through the test client: the customer found as it is typed, carriers narrowed to
those with a card on the lane, lines filled from the card (buy and minimum never typed), quantities
that follow the cargo, "New quote" from a customer and "Quote again" from a past quote."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.quotes.models import Quote
from tests.conftest import reference_moment
from tests.html_forms import form_values
from tests.rate_cards import add_rates

TODAY = reference_moment().date()
BASE = {"customer_code": "TW-0001", "contact_id": "", "inquiry_at": f"{TODAY}T09:00", "mode": "fcl", "pol": "TWKHH",
        "pod": "USLAX", "carrier": "", "container_type": "40HQ", "container_qty": "2", "gross_weight_kg": "18000",
        "commodity": "Machine tools", "incoterm": "FOB", "valid_until": str(TODAY + timedelta(days=14)),
        "currency": "USD", "notes": "", "remarks": "",
        "lines-0-charge_code": "OFR", "lines-0-basis": "container", "lines-0-quantity": "1", "lines-0-sell_rate": "",
        "lines-0-buy_rate": "", "lines-0-currency": "USD", "lines-0-direction": "receivable", "lines-0-includes": ""}


@pytest.fixture
def desk(app, as_role, make_customer):
    """An agent, their customer 台灣精密機械 with a main contact and a phone, and EGLV's card from
    Kaohsiung to Los Angeles in 40' HQ: ocean freight and the AMS filing fee per B/L."""
    c, agent = as_role("agent")
    make_customer(agent, code="TW-0001", name_zh="台灣精密機械", name_en="Taiwan Precision Machinery",
                  contacts=[{"name": "王小明", "phone": "07-3456789"}, {"name": "Amy Lee"}])
    with app.test_request_context():
        add_rates(charges={"OFR": ("1500.00", "1850.00", "1700.00")})
        add_rates(equipment="bl", charges={"AMS": ("25.00", "35.00", "30.00")})
        add_rates(carrier="YMLU", equipment="20GP")
        db.session.commit()
    return c, agent


def test_the_customer_is_found_by_name_code_or_phone_and_brings_its_contacts(desk):
    c, _agent = desk
    for typed in ("台灣精密", "precision", "tw-0001", "07-3456789"):
        page = c.hx("GET", "/quotes/customers", query_string={"customer_code": typed}).get_data(as_text=True)
        assert 'data-value="TW-0001"' in page, typed
    assert "No customer matches" in c.hx("GET", "/quotes/customers?customer_code=nobody").get_data(as_text=True)
    picked = c.hx("GET", "/quotes/contacts?customer_code=TW-0001")
    assert "customerPicked" in picked.headers["HX-Trigger"]
    assert form_values(picked)["contact_id"] is not None and "台灣精密機械" in picked.get_data(as_text=True)


def test_new_quote_from_the_customers_page_has_the_customer_and_main_contact(desk):
    c, _agent = desk
    page = c.get("/quotes/new?customer=TW-0001")
    values = form_values(page)
    assert values["customer_code"] == "TW-0001" and values["contact_id"]
    assert "王小明" in page.get_data(as_text=True)


def test_choosing_the_carrier_fills_the_lines_from_its_card(desk):
    c, _agent = desk
    filled = c.hx("POST", "/quotes/lines?refresh=1", data=BASE | {"carrier": "EGLV"}).get_data(as_text=True)
    values = form_values_html(filled)
    assert values["lines-0-charge_code"] == "OFR" and values["lines-0-sell_rate"] == "1850.00"
    assert values["lines-0-quantity"] == "2" and values["lines-1-charge_code"] == "AMS"
    assert values["lines-1-quantity"] == "1" and values["lines-0-rate_id"]
    # The carrier choice: carriers with a valid card on the lane first; the buy and minimum shown, not typed.
    assert 'With a valid rate card on this lane' in filled and "Minimum" in filled
    assert 'name="lines-0-buy_rate"' not in filled
    # The container count changes: untouched quantities follow; a changed sell rate stays.
    again = c.hx("POST", "/quotes/lines?refresh=1",
                 data=BASE | values | {"carrier": "EGLV", "container_qty": "4", "lines-0-sell_rate": "1900.00"})
    values = form_values_html(again.get_data(as_text=True))
    assert values["lines-0-quantity"] == "4" and values["lines-0-sell_rate"] == "1900.00"
    assert values["lines-1-quantity"] == "1"
    # Another carrier without an AMS rate: the untouched AMS line goes; no card for 40HQ: own channel.
    other = c.hx("POST", "/quotes/lines?refresh=1", data=BASE | values | {"carrier": "WHLC"}).get_data(as_text=True)
    assert "No rate card: self-sourced, needs approval." in other and 'name="lines-0-buy_rate"' in other
    assert "lines-1-charge_code" not in form_values_html(other)


def form_values_html(html: str) -> dict:
    class Response:
        def get_data(self, as_text=True):
            return html
    return form_values(Response())


def test_the_buy_and_minimum_rates_typed_into_the_form_are_never_kept(app, desk):
    c, _agent = desk
    response = c.form("/quotes/new", BASE | {"carrier": "EGLV", "lines-0-sell_rate": "1650", "lines-0-buy_rate": "1",
                                             "lines-0-min_sell_rate": "1", "lines-0-quantity": "2"})
    assert response.status_code == 303
    with app.app_context():
        quote = db.session.get(Quote, int(response.headers["Location"].rsplit("/", 1)[1]))
        line = quote.lines[0]
        assert (line.buy_rate, line.min_sell_rate, str(line.source)) == (1500, 1700, "card")
        assert quote.approval_reasons == "below_minimum"


def test_a_name_typed_for_the_customer_is_enough_when_it_names_one(app, desk, make_customer):
    c, agent = desk
    response = c.form("/quotes/new", BASE | {"customer_code": "台灣精密", "carrier": "EGLV",
                                             "lines-0-sell_rate": "1850", "lines-0-quantity": "2"})
    assert response.status_code == 303
    make_customer(agent, code="TW-0002", name_zh="台灣精密鑄造")
    ambiguous = c.form("/quotes/new", BASE | {"customer_code": "台灣精密", "carrier": "EGLV",
                                              "lines-0-sell_rate": "1850"})
    assert ambiguous.status_code == 422 and "Choose the customer from the list" in ambiguous.get_data(as_text=True)


def test_quote_again_opens_the_editor_with_the_past_quote_priced_from_todays_card(app, desk):
    c, _agent = desk
    response = c.form("/quotes/new", BASE | {"carrier": "EGLV", "lines-0-sell_rate": "1900", "lines-0-quantity": "2",
                                             "remarks": "Subject to space"})
    quote_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert c.form(f"/quotes/{quote_id}/send", {"version": "1"}).status_code == 303
    detail = c.get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert f"/quotes/new?again={quote_id}" in detail
    again = c.get(f"/quotes/new?again={quote_id}")
    values = form_values(again)
    assert values["customer_code"] == "TW-0001" and values["pod"] == "USLAX" and values["carrier"] == "EGLV"
    assert values["lines-0-sell_rate"] == "1900.00" and values["remarks"] == "Subject to space"
    with app.app_context():
        assert db.session.query(Quote).count() == 1      # nothing is made until it is saved


def test_the_supervisor_sees_what_changed_since_the_approval(app, as_role, make_customer, make_user):
    from portal.core.clock import now as utcnow
    newhire_client, newhire = as_role("agent", is_new_hire=True, probation_ends_on=utcnow().date() + timedelta(days=30))
    make_customer(newhire, code="TW-0001")
    with app.test_request_context():
        add_rates()
        db.session.commit()
    response = newhire_client.form("/quotes/new", BASE | {"carrier": "EGLV", "lines-0-sell_rate": "1850",
                                                          "lines-0-quantity": "2"})
    quote_id = int(response.headers["Location"].rsplit("/", 1)[1])
    newhire_client.form(f"/quotes/{quote_id}/submit")
    lead, _ = as_role("supervisor")
    with app.app_context():
        version = db.session.get(Quote, quote_id).version
    assert lead.hx("POST", f"/quotes/{quote_id}/decide", data={"decision": "approve", "version": version}).status_code == 200
    edit = newhire_client.get(f"/quotes/{quote_id}/edit")
    changed = form_values(edit) | {"commodity": "Machine tools and spare parts"}
    changed.pop("csrf_token", None)
    assert newhire_client.form(f"/quotes/{quote_id}/edit", changed).status_code == 303
    detail = newhire_client.get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert "Waiting for approval" in detail and "Changed since" in detail and "spare parts" in detail
    queue = lead.get("/quotes/approvals").get_data(as_text=True)
    assert f"/quotes/{quote_id}/changes" in queue
    diff = lead.hx("GET", f"/quotes/{quote_id}/changes").get_data(as_text=True)
    assert "Commodity" in diff and "Machine tools and spare parts" in diff and "approved it" in diff
