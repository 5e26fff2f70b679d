"""Rate cards through the test client: the list under a query ceiling, editing in place (a race is
refused with the typed values kept), importing a file, the pricing permission, port search."""
import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.clock import now
from portal.extensions import db
from portal.rates import rules
from portal.rates.models import Rate
from tests.html_forms import form_values
from tests.query_counter import QueryCounter
from tests.rates.conftest import csv_bytes, row

LIST_CEILING = 4
CARRIERS = ("EGLV", "YMLU", "WHLC", "COSU", "ONEY")
PODS = ("USLAX", "NLRTM", "DEHAM", "JPTYO", "SGSIN", "VNSGN")


def _add(app, author, n, start=0):
    """n rates through the rules: carriers x lanes x container types."""
    with app.test_request_context():
        actor = db.session.get(User, author.id)
        today = now().date()
        for i in range(start, start + n):
            rules.create_rate(actor, {
                "carrier": CARRIERS[i % 5], "pol": "TWKHH", "pod": PODS[(i // 5) % 6], "via": "",
                "equipment": ("20GP", "40GP", "40HQ")[i // 30 % 3], "charge_code": "OFR",
                "buy_rate": Decimal(1000 + i), "sell_rate": Decimal(1300 + i), "min_sell_rate": Decimal(1200 + i),
                "currency": "USD", "valid_from": today - timedelta(days=i % 40), "valid_to": today + timedelta(days=i % 20),
                "free_time_days": 14, "transit_days": 12, "cutoff_weekday": i % 7, "remarks": ""})
        db.session.commit()


def _queries(app, client, url, htmx=False):
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        response = client.hx("GET", url) if htmx else client.get(url)
    assert response.status_code == 200, response.status_code
    return counter.count, response.get_data(as_text=True)


def test_the_rate_list_costs_the_same_for_3_rates_as_for_60(app, as_role, make_user):
    lead, supervisor = as_role("supervisor")
    _add(app, supervisor, 3)
    lead.get("/rates")   # warm up
    few, page = _queries(app, lead, "/rates")
    assert page.count('class="rate-row') == 3
    _add(app, supervisor, 57, start=3)
    many, page = _queries(app, lead, "/rates")
    assert page.count('class="rate-row') == app.config["PAGE_SIZE"] and "Show more" in page
    assert many == few <= LIST_CEILING, (few, many)
    lead.token()
    cursor = page.split("after=")[1].split('"')[0].split("&")[0]
    more, rows = _queries(app, lead, f"/rates?after={cursor}", htmx=True)
    assert rows.count('class="rate-row') == app.config["PAGE_SIZE"] and more <= LIST_CEILING
    filtered, rows = _queries(app, lead, "/rates?carrier=EGLV&state=current", htmx=True)
    assert filtered <= LIST_CEILING - 1 and rows.count('class="rate-row') == 12


def test_a_rate_edited_in_place_and_a_race_refused_with_the_typed_values_kept(app, as_role):
    lead, supervisor = as_role("supervisor")
    _add(app, supervisor, 1)
    with app.app_context():
        rate_id, version = db.session.execute(sa.select(Rate.id, Rate.version)).one()
    editor = lead.hx("GET", f"/rates/{rate_id}/edit")
    assert editor.status_code == 200 and 'class="editing"' in editor.get_data(as_text=True)
    typed = form_values(editor)
    typed.pop("csrf_token", None)
    # Someone else saves first.
    other, _ = as_role("supervisor")
    mine = typed | {"min_sell_rate": "1250.00", "remarks": "Space tight"}
    assert other.hx("POST", f"/rates/{rate_id}/edit", data=typed | {"min_sell_rate": "1210.00"}).status_code == 200
    late = lead.hx("POST", f"/rates/{rate_id}/edit", data=mine)
    assert late.status_code == 409
    kept = form_values(late)
    assert kept["min_sell_rate"] == "1250.00" and kept["remarks"] == "Space tight"
    assert "Someone else changed this record" in late.get_data(as_text=True)
    saved = lead.hx("POST", f"/rates/{rate_id}/edit", data=mine | {"version": str(version + 1)})
    assert saved.status_code == 200 and "rateChanged" in saved.headers["HX-Trigger"]
    assert 'id="rate-' in saved.get_data(as_text=True)
    history = lead.get(f"/rates/{rate_id}").get_data(as_text=True)
    assert "1,210.00" in history and "1,250.00" in history and "Space tight" in history


def test_an_agent_keeps_cards_only_with_the_pricing_permission(app, as_role, make_user):
    agent_client, agent = as_role("agent")
    assert agent_client.get("/rates").status_code == 200
    assert agent_client.get("/rates/new").status_code == 403
    assert agent_client.get("/rates/import").status_code == 403
    lead, _ = as_role("supervisor")
    page = lead.get("/rates/pricing").get_data(as_text=True)
    assert agent.display_name in page
    with app.app_context():
        version = db.session.get(User, agent.id).version
    stale = lead.form(f"/rates/pricing/{agent.id}", {"allowed": "1", "version": str(version - 1)})
    assert stale.status_code == 303 and "Someone else changed" in lead.get("/rates/pricing").get_data(as_text=True)
    given = lead.form(f"/rates/pricing/{agent.id}", {"allowed": "1", "version": str(version)})
    assert given.status_code == 303
    with app.app_context():
        assert db.session.get(User, agent.id).pricing
    assert agent_client.get("/rates/new").status_code == 200
    assert "given by" in lead.get("/rates/pricing").get_data(as_text=True)


def test_uploading_a_file_shows_its_rows_and_imports_all_or_nothing(app, as_role):
    lead, _ = as_role("supervisor")
    today = now().date()
    end = today + timedelta(days=29)
    bad = csv_bytes([row(today, end), row(today, end, pod="USLAXX"), row(today, end, buy="call us")])
    response = lead.form("/rates/import", {"file": (__import__("io").BytesIO(bad), "rates.csv"), "source": "carrier"},
                         content_type="multipart/form-data")
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = lead.get(preview_url).get_data(as_text=True)
    assert "USLAXX" in page and "call us" in page and "Nothing will be imported" in page
    import_id = int(preview_url.rsplit("/", 1)[1])
    refused = lead.form(f"/rates/imports/{import_id}/apply", {"version": "1"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(preview_url)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rate)) == 0

    good = csv_bytes([row(today, end), row(today, end, equipment="20GP", buy="900", sell="1100", minimum="1000")])
    response = lead.form("/rates/import", {"file": (__import__("io").BytesIO(good), "good.csv"), "source": "route"},
                         content_type="multipart/form-data")
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Import 2 rates" in lead.get(f"/rates/imports/{import_id}").get_data(as_text=True)
    done = lead.form(f"/rates/imports/{import_id}/apply", {"version": "1"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/rates")
    listing = lead.get("/rates").get_data(as_text=True)
    assert "Imported good.csv: 2 new, 0 changed, 0 unchanged." in listing and listing.count('class="rate-row') == 2


def test_the_example_file_downloads_with_this_months_dates_and_imports(app, as_role):
    lead, _ = as_role("supervisor")
    response = lead.get("/rates/example.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    first = min(date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert first == now().date().replace(day=1) or first.month == now().date().month
    upload = lead.form("/rates/import", {"file": (__import__("io").BytesIO(response.data), "example.csv"),
                                         "source": "route"}, content_type="multipart/form-data")
    page = lead.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Rows that cannot be imported" not in page and "Import 24 rates" in page


def test_ports_are_found_by_code_english_or_chinese_name(as_role):
    agent, _ = as_role("agent")
    for typed in ("TWKHH", "khh", "Kaohsiung", "kaoh", "高雄"):
        page = agent.hx("GET", f"/reference/ports/suggest?field=pol&pol={typed}").get_data(as_text=True)
        assert 'data-value="TWKHH"' in page, typed
    assert 'data-value="CNSHA"' in agent.hx("GET", "/reference/ports/suggest?field=pod&pod=上海").get_data(as_text=True)
    assert "No port matches" in agent.hx("GET", "/reference/ports/suggest?field=pod&pod=zzzzzz").get_data(as_text=True)
