"""Rate cards with hostile or broken input: crafted cursors and filters, a zip bomb, a mapping that
names no field, hostile text in a file, and oversize values are refused in words or ignored."""
import io
import zipfile
from datetime import date, timedelta

import sqlalchemy as sa

from portal.core.clock import now
from portal.extensions import db
from portal.rates.models import Rate, RateImport
from tests.rates.conftest import csv_bytes, row


def test_crafted_list_arguments_give_a_page_not_an_error(as_role):
    lead, _ = as_role("supervisor")
    for query in ("after=xyz", "after=" + "A" * 600, "after=WzEsMl0", "pol=%00", "pod=" + "長" * 500,
                  "state=nonsense", "source=%FF", "carrier=<script>", "equipment=40HQ%27--", "charge=" + "x" * 200):
        assert lead.get(f"/rates?{query}").status_code == 200, query
        assert lead.hx("GET", f"/rates?{query}").status_code == 200, query
    for query in ("field=<b>&pol=x", "field=pol&pol=" + "x" * 500, "field=pol&pol=%00", "q=%25%5F"):
        assert lead.hx("GET", f"/reference/ports/suggest?{query}").status_code == 200, query
    assert lead.get("/rates/abc").status_code == 404 and lead.get("/rates/99999999999").status_code == 404


def _upload(client, data, name):
    return client.form("/rates/import", {"file": (io.BytesIO(data), name), "source": "route"},
                       content_type="multipart/form-data")


def test_a_zip_bomb_or_a_foreign_file_is_refused_before_it_is_read(app, as_role):
    lead, _ = as_role("supervisor")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (41 * 1024 * 1024))
    for data, name in ((bomb.getvalue(), "rates.xlsx"), (b"%PDF-1.7 ...", "rates.pdf"), (b"", "rates.csv")):
        response = _upload(lead, data, name)
        assert response.status_code == 422, name
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RateImport)) == 0


def test_a_mapping_naming_no_field_and_hostile_cells_change_nothing_they_should_not(app, as_role):
    lead, _ = as_role("supervisor")
    today = now().date()
    hostile = row(today, today + timedelta(days=20), remarks="=HYPERLINK(\"http://evil\")\u202e\x00")
    response = _upload(lead, csv_bytes([hostile]), "hostile.csv")
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        record = db.session.get(RateImport, import_id)
        version, width = record.version, len(record.header)
    data = {"version": str(version)} | {f"column-{i}": "password_hash" for i in range(width)}
    assert lead.form(f"/rates/imports/{import_id}/mapping", data).status_code == 303
    with app.app_context():
        assert db.session.get(RateImport, import_id).mapping == [""] * width   # only rate fields are kept
    page = lead.get(f"/rates/imports/{import_id}").get_data(as_text=True)
    assert "No column holds" in page
    long_reason = lead.form(f"/rates/imports/{import_id}/apply", {"version": str(version + 1)})
    assert long_reason.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rate)) == 0


def test_a_rate_with_oversize_or_non_finite_values_is_refused_with_the_input_kept(as_role):
    lead, _ = as_role("supervisor")
    form = {"carrier": "EGLV", "pol": "TWKHH", "pod": "USLAX", "via": "", "equipment": "40HQ", "charge_code": "OFR",
            "buy_rate": "NaN", "sell_rate": "1e400", "min_sell_rate": "-5", "currency": "USD",
            "valid_from": now().date().isoformat(), "valid_to": date.max.isoformat(), "remarks": "x" * 400}
    response = lead.hx("POST", "/rates/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="TWKHH"' in page and "Enter a number" in page
