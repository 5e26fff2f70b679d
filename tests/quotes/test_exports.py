"""The quote history's CSV and Excel exports: no cell runs as a formula (OWASP CSV injection), headers
and states in the reader's language, times in the reader's time zone with the zone named, and never
kept by a cache."""
import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from portal.core.text import clean_text
from portal.extensions import db
from portal.quotes.exports import neutralised
from tests.conftest import reference_moment
from tests.quotes.test_views import FORM
from tests.rate_cards import add_rates

TODAY = reference_moment().date()
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
           "\tTabbed", "\rReturn"]


@pytest.fixture
def exported(app, as_role, make_customer):
    """An agent in Taipei whose customers and commodities were typed by someone hostile."""
    c, agent = as_role("agent", timezone="Asia/Taipei")
    make_customer(agent, code="TW-0001", name_zh="=cmd|' /C calc'!A0", name_en="@evil")
    with app.test_request_context():
        add_rates()
        db.session.commit()
    for i, text in enumerate(HOSTILE):
        response = c.form("/quotes/new", FORM | {"commodity": text, "inquiry_at": f"{TODAY}T09:0{i}"})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return c


def test_neutralised_cells_cannot_start_a_formula():
    for text in HOSTILE:
        assert neutralised(text).startswith("'")
    assert neutralised("Machine tools") == "Machine tools" and neutralised(-5) == -5


def test_csv_cells_are_neutralised_and_times_are_local_with_the_zone(exported):
    response = exported.get("/quotes/export.csv")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert "Inquiry received (Asia/Taipei)" in header and "Status" in header
    commodities = {row[header.index("Commodity")] for row in body}
    # (a leading tab or CR is trimmed when typed; the export neutralises it all the same, above)
    assert commodities == {neutralised(clean_text(text)) for text in HOSTILE}
    assert {row[header.index("Customer")] for row in body} == {"'=cmd|' /C calc'!A0"}
    assert {row[header.index("Status")] for row in body} == {"Draft"}
    assert sorted(row[header.index("Inquiry received (Asia/Taipei)")] for row in body)[0] == f"{TODAY} 09:00"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in body for cell in row)


def test_xlsx_keeps_typed_text_as_text_never_a_formula(exported):
    response = exported.get("/quotes/export.xlsx")
    assert response.headers["Cache-Control"] == "no-store" and response.data[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=False))
    header = [cell.value for cell in rows[0]]
    commodity = header.index("Commodity")
    assert all(row[commodity].data_type == "s" for row in rows[1:])
    assert {row[commodity].value for row in rows[1:]} == {clean_text(text) for text in HOSTILE}


def test_headers_and_states_are_in_the_readers_language(app, exported):
    from portal.auth.models import User
    with app.app_context():
        for user in db.session.query(User).filter(User.role == "agent"):
            user.locale = "zh_Hant"
        db.session.commit()
    rows = list(csv.reader(io.StringIO(exported.get("/quotes/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert "報價" in rows[0] and "狀態" in rows[0] and "Status" not in rows[0]
    assert {row[rows[0].index("狀態")] for row in rows[1:]} == {"草稿"}
