"""Shipment screens through the test client: lists under a query ceiling, booking from a won quote,
the customer timeline, handover links, imports, bad input answered 422 next to its field in the
user's language, and another agent's shipments read-only."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from tests.rate_cards import add_rates
from portal.handover.models import HandoverItem
from portal.quotes import rules as quote_rules
from portal.shipments.models import Container, Milestone, Shipment
from tests.html_forms import form_values
from tests.query_counter import QueryCounter
from tests.shipments.conftest import CONTAINERS

LIST_CEILING = 4
KEYSTROKE_CEILING = 3


def _count(app, client, url, htmx=False):
    with app.app_context():
        engine = db.engine
    if htmx:
        client.token()
    with QueryCounter(engine) as counter:
        response = client.hx("GET", url) if htmx else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return counter.count, response.get_data(as_text=True)


def _many(world, n, start=0):
    def build(people, customer, voyage, make_shipment):
        for i in range(start, start + n):
            make_shipment(booking_no=f"BKQ{i:05d}", containers=1 + i % 2,
                          pod="NLRTM" if i % 3 == 0 else "USLAX")
    world.build(build)


def test_the_shipment_list_costs_the_same_for_3_as_for_60(app, world):
    lead = world.client("lead")
    _many(world, 3)
    lead.get("/shipments")
    few, page = _count(app, lead, "/shipments")
    assert page.count('class="rowlink"') == 3
    _many(world, 57, 3)
    many, page = _count(app, lead, "/shipments")
    assert page.count('class="rowlink"') == app.config["PAGE_SIZE"] and "Show more" in page
    assert many == few and many <= LIST_CEILING, f"/shipments: {few} for 3, {many} for 60"
    cursor = page.split("after=")[1].split('"')[0].split("&")[0]
    more, rows = _count(app, lead, f"/shipments?after={cursor}", htmx=True)
    assert rows.count('class="rowlink"') == app.config["PAGE_SIZE"] and more <= LIST_CEILING
    typed, rows = _count(app, lead, "/shipments?q=bkq0001", htmx=True)
    assert rows.count('class="rowlink"') == 10 and typed <= KEYSTROKE_CEILING
    by_status, _rows = _count(app, lead, "/shipments?status=requested&pol=TWKHH&mine=1&departing=7&exceptions=1")
    assert by_status <= LIST_CEILING
    searched, rows = _count(app, lead, "/shipments?q=" + CONTAINERS[1].lower())   # by container number
    assert rows.count('class="rowlink"') == 20 and searched <= LIST_CEILING


def test_the_vessel_call_list_stays_under_the_ceiling(app, world):
    lead = world.client("lead")
    count, page = _count(app, lead, "/shipments/vessels?q=ever")
    assert "EVER GIVEN" in page and count <= LIST_CEILING
    count, page = _count(app, lead, "/shipments/vessels?port=TWKHH", htmx=True)
    assert page.count('class="rowlink"') == 1 and count <= KEYSTROKE_CEILING


def test_book_on_a_won_quote_then_the_quote_shows_its_booking(app, world, clock):
    def build(people, customer, voyage, make_shipment):
        agent = people["agent"]
        add_rates()            # the lane's card: the quote is priced from it and needs no approval
        quote = quote_rules.create_quote(agent, {
            "customer_id": customer.id, "contact_id": None, "inquiry_at": clock.now() - timedelta(hours=2),
            "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
            "container_qty": 2, "gross_weight_kg": Decimal("18000"), "commodity": "Machine tools",
            "valid_until": clock.now().date() + timedelta(days=14), "currency": "USD", "self_sourced_rate": False,
            "dg_fees_confirmed": False, "notes": "", "remarks": ""},
            [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("2"), "sell_rate": Decimal("1850"),
              "buy_rate": Decimal("1500"), "min_sell_rate": None, "currency": "USD", "direction": "receivable",
              "includes": ""}])
        quote_rules.send(agent, quote, quote.version)
        quote_rules.mark_won(agent, quote, quote.version)
        return quote.id
    quote_id = world.build(build)
    agent = world.client("agent")
    page = agent.get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert "Not booked yet." in page and f'action="/shipments/book/{quote_id}"' in page
    response = agent.form(f"/shipments/book/{quote_id}")
    assert response.status_code == 303 and response.location.startswith("/shipments/")
    with app.app_context():
        shipment = db.session.scalar(sa.select(Shipment).where(Shipment.quote_id == quote_id))
        assert (shipment.pol, shipment.pod, shipment.carrier, shipment.container_qty) == ("TWKHH", "USLAX", "EGLV", 2)
        number = shipment.number
    page = agent.get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert number in page
    # Finance reads the quote; no "Book" for them.
    page = world.client("finance").get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert number in page and f'/shipments/book/{quote_id}"' not in page
    # The customer's timeline shows the shipment.
    timeline = agent.get(f"/customers/{world.customer_id}/timeline").get_data(as_text=True)
    assert f"Shipment {number} booked" in timeline


def test_a_handover_item_links_a_shipment(app, world, clock):
    shipment_id, number = world.build(lambda p, c, v, make: (lambda s: (s.id, s.number))(make(booking_no="BKH1")))
    agent = world.client("agent")
    note_page = agent.form("/handover/notes", {"shift_id": "1", "shift_date": clock.now().date().isoformat(),
                                               "recipient_id": str(world.users["other"].id)})
    note_url = note_page.location
    bad = agent.form(f"{note_url}/items", {"text": "Chase the VGM", "priority": "urgent", "category": "booking",
                                          "subject_type": "shipment", "subject_ref": "NOPE-1"})
    assert bad.status_code == 422 and "Nothing of that kind has this number." in bad.get_data(as_text=True)
    assert agent.form(f"{note_url}/items", {"text": "Chase the VGM", "priority": "urgent", "category": "booking",
                                            "subject_type": "shipment", "subject_ref": "bkh1"}).status_code == 303
    with app.app_context():
        item = db.session.scalar(sa.select(HandoverItem).where(HandoverItem.text == "Chase the VGM"))
        assert (item.subject_type, item.subject_id) == ("shipment", shipment_id)
    page = agent.get(note_url).get_data(as_text=True)
    assert f'href="/shipments/{shipment_id}"' in page and number in page
    assert "Chase the VGM" in agent.get(f"/shipments/{shipment_id}").get_data(as_text=True)
    # Editing the item shows the shipment's number to type again.
    edit = agent.get(f"{note_url}/items/{item.id}/edit")
    assert form_values(edit)["subject_ref"] == number


def _upload(client, name, data):
    return client.post("/shipments/import", data={"csrf_token": client.token(), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["shipment", "milestone", "time", "port", "container"])
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def test_milestones_import_from_csv_and_excel_all_or_nothing(app, world, clock):
    shipment_id, number = world.build(lambda p, c, v, make: (lambda s: (s.id, s.number))(make(booking_no="BKI1")))
    agent = world.client("agent")
    local = (clock.now() + timedelta(hours=8))   # Taipei is UTC+8: the local time of "now"
    earlier = (local - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    good = [[number, "booked", (local - timedelta(days=3)).strftime("%Y-%m-%d %H:%M"), "", ""],
            ["BKI1", "GTIN", earlier, "TWKHH", CONTAINERS[0]]]
    bad = good + [["BKI1", "loaded", (local + timedelta(days=2)).strftime("%Y-%m-%d %H:%M"), "", CONTAINERS[0]],
                  ["NOPE", "booked", earlier, "", ""], [number, "flying", earlier, "", ""]]
    response = _upload(agent, "events.csv", _csv(bad))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3 rows could not be imported; nothing was saved." in page
    assert "An actual time cannot be in the future." in page and "No shipment has the number NOPE." in page
    assert "Unknown milestone flying." in page
    with app.app_context():
        assert db.session.query(Milestone).count() == 0
    response = _upload(agent, "events.csv", _csv(good))
    assert response.status_code == 303
    with app.app_context():
        kinds = [m.kind for m in db.session.query(Milestone).order_by(Milestone.at)]
        assert kinds == ["booked", "gated_in"]
        gated = db.session.query(Milestone).filter_by(kind="gated_in").one()
        assert gated.at == clock.now() - timedelta(days=1) and gated.source == "import"   # local time → UTC
    # Excel, the same way.
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["shipment", "milestone", "time", "port", "container"])
    sheet.append(["BKI1", "loaded", (local - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), "TWKHH", CONTAINERS[0]])
    out = io.BytesIO()
    book.save(out)
    assert _upload(agent, "events.xlsx", out.getvalue()).status_code == 303
    assert _upload(agent, "events.xlsx", b"not a zip").status_code == 422
    assert _upload(agent, "events.pdf", b"%PDF").status_code == 422


def test_bad_input_is_answered_next_to_its_field_in_the_users_language(app, world):
    shipment_id = world.build(lambda p, c, v, make: make(containers=0).id)
    agent = world.client("agent")
    agent.form("/language", {"lang": "zh_Hant", "next": "/shipments"})
    response = agent.hx("POST", f"/shipments/{shipment_id}/containers",
                        {"number": "CSQU3054384", "container_type": "40HQ"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "此櫃號的檢查碼不正確" in body and 'id="number-error"' in body
    assert form_values(response)["number"] == "CSQU3054384"
    with app.app_context():
        assert db.session.query(Container).count() == 0
    # A leg whose vessel call is at another port: 422 on that field.
    sin, lax = world.calls["sin"], world.calls["lax"]
    response = agent.hx("POST", f"/shipments/{shipment_id}/legs", {"load_port": "TWKHH", "discharge_port": "USLAX",
                                                                   "load_call_id": str(sin), "discharge_call_id": str(lax)})
    assert response.status_code == 422 and 'id="load_call_id-error"' in response.get_data(as_text=True)
    # A vessel call whose ETD comes before its ETA.
    response = agent.form("/shipments/vessels/new", {
        "carrier": "EGLV", "vessel_name": "YM WISH", "imo": "9321483", "voyage": "9E", "port": "TWKHH",
        "eta": "2030-01-05T10:00", "etd": "2030-01-04T10:00"})
    assert response.status_code == 422 and "預計開航時間不能早於預計抵港時間" in response.get_data(as_text=True)
    # A duplicate B/L number for the same carrier.
    world.build(lambda p, c, v, make: make(bl_no="EGLVDUP1", legs=False))
    response = agent.form(f"/shipments/{shipment_id}/edit", {
        "customer_code": "TW-0001", "carrier": "EGLV", "bl_no": "EGLVDUP1", "mode": "fcl", "pol": "TWKHH",
        "pod": "USLAX", "commodity": "Machine tools", "version": "99"})
    assert response.status_code in (409, 422)


def test_another_agents_shipment_is_read_only_for_an_agent(app, world):
    shipment_id = world.build(lambda p, c, v, make: make().id)
    other = world.client("other")
    assert other.get(f"/shipments/{shipment_id}").status_code == 200
    for url in (f"/shipments/{shipment_id}/edit", f"/shipments/{shipment_id}/legs/calls"):
        assert other.get(url).status_code == 403
    for url in ("containers", "milestones", "links", "documents", "bl", "cancel", "confirm", "space", "free-time"):
        assert other.form(f"/shipments/{shipment_id}/{url}", {"number": CONTAINERS[2], "container_type": "40HQ",
                                                               "reason": "x"}).status_code == 403
    page = other.get(f"/shipments/{shipment_id}").get_data(as_text=True)
    assert "Add a container" not in page and "Make a status link" not in page
    with app.app_context():
        assert db.session.query(Container).count() == 1
    assert world.client("lead").get(f"/shipments/{shipment_id}/edit").status_code == 200
