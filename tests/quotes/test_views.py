"""Quotes through the test client: the editor, workflow per role, approvals, exports, the quotation."""
import csv
import io
import re

import pytest

from datetime import timedelta

from portal.extensions import db
from portal.quotes.models import Quote
from tests.conftest import reference_moment
from tests.rate_cards import add_rates

TODAY = reference_moment().date()
FORM = {"customer_code": "TW-0001", "contact_id": "", "inquiry_at": f"{TODAY}T09:00", "mode": "fcl",
        "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ", "container_qty": "2",
        "gross_weight_kg": "18000", "commodity": "Machine tools", "incoterm": "FOB",
        "valid_until": str(TODAY + timedelta(days=14)),
        "currency": "USD", "notes": "INTERNAL-NOTE-7731", "remarks": "Subject to space",
        "lines-0-charge_code": "OFR", "lines-0-basis": "container", "lines-0-quantity": "2",
        "lines-0-buy_rate": "1493.17", "lines-0-sell_rate": "1850.00", "lines-0-min_sell_rate": "1711.29",
        "lines-0-currency": "USD", "lines-0-direction": "receivable", "lines-0-includes": "",
        "lines-1-charge_code": "TRK", "lines-1-basis": "lump_sum", "lines-1-quantity": "1",
        "lines-1-buy_rate": "3187.45", "lines-1-sell_rate": "", "lines-1-min_sell_rate": "",
        "lines-1-currency": "TWD", "lines-1-direction": "payable", "lines-1-includes": ""}
INTERNAL = ("1493.17", "1,493.17", "1711.29", "1,711.29", "3187.45", "3,187.45", "INTERNAL-NOTE-7731", "413.66")


@pytest.fixture
def customer_code(app, make_user, make_customer):
    """The customer TW-0001, and the rate cards its quotes price from: Kaohsiung to Los Angeles with
    distinctive buy and minimum rates (which must never reach the quotation), and the others."""
    def make(owner):
        make_customer(owner, code="TW-0001", contacts=[{"name": "王小明"}])
        with app.test_request_context():
            add_rates(charges={"OFR": ("1493.17", "1850.00", "1711.29")})
            for pod, carrier, equipment in (("NLRTM", "EGLV", "40HQ"), ("USLAX", "YMLU", "20GP")):
                add_rates(carrier=carrier, pod=pod, equipment=equipment)
            db.session.commit()
        return "TW-0001"
    return make


def create(c, **changes):
    response = c.form("/quotes/new", FORM | changes)
    assert response.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', response.get_data(as_text=True))
    return int(response.headers["Location"].rsplit("/", 1)[1])


def quote(app, quote_id):
    with app.app_context():
        return db.session.get(Quote, quote_id)


def test_agent_creates_sends_and_the_quotation_hides_internal_values(app, as_role, customer_code):
    c, agent = as_role("agent")
    customer_code(agent)
    qid = create(c)
    detail = c.get(f"/quotes/{qid}").get_data(as_text=True)
    assert "1,493.17" in detail and "Margin" in detail
    assert c.form(f"/quotes/{qid}/send", {"version": quote(app, qid).version}).status_code == 303
    assert quote(app, qid).status == "sent"
    for lang in ("en", "zh_Hant", "zh_Hans"):
        page = c.get(f"/quotes/{qid}/quotation?lang={lang}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "3,700.00" in text or "3700.00" in text
        for secret in INTERNAL:
            assert secret not in text, (lang, secret)
        # Units as the glossary writes them; dated where the customer is, and that place named;
        # the agent to reply to; headed by the company (the portal's name until one is set).
        units = {"en": ("kg",), "zh_Hant": ("公斤",), "zh_Hans": ("公斤",)}[lang]
        assert all(u in text for u in units) and (lang == "en" or " kg" not in text), lang
        assert {"en": "Taipei time", "zh_Hant": "台北時間", "zh_Hans": "台北时间"}[lang] in text, lang
        assert agent.display_name in text and 'class="company"' in text


def test_the_quotation_is_headed_by_the_company_in_the_customers_language(app, as_role, customer_code):
    from portal.company.rules import save_profile
    c, agent = as_role("agent")
    customer_code(agent)
    with app.test_request_context():
        save_profile(None, None, {"name_en": "Harbour Line Logistics", "name_zh_hant": "港灣航運物流",
                                  "address_zh_hant": "高雄市中山四路100號", "phone": "+886 7 555 0100"})
        db.session.commit()
    qid = create(c)
    c.form(f"/quotes/{qid}/send", {"version": quote(app, qid).version})
    text = c.get(f"/quotes/{qid}/quotation").get_data(as_text=True)     # the customer reads Traditional
    assert "港灣航運物流" in text and "高雄市中山四路100號" in text and "+886 7 555 0100" in text
    english = c.get(f"/quotes/{qid}/quotation?lang=en").get_data(as_text=True)
    assert "Harbour Line Logistics" in english and "Customer Service Portal" not in english


def test_new_hire_cannot_send_or_print_before_approval(app, as_role, customer_code):
    c, newhire = as_role("agent", is_new_hire=True)
    customer_code(newhire)
    qid = create(c)
    assert c.form(f"/quotes/{qid}/send", {"version": 1}).status_code == 303
    assert quote(app, qid).status == "draft"
    assert c.get(f"/quotes/{qid}/quotation").status_code == 303
    assert c.form(f"/quotes/{qid}/submit").status_code == 303
    assert quote(app, qid).status == "pending"
    lead, _ = as_role("supervisor")
    queue = lead.get("/quotes/approvals").get_data(as_text=True)
    assert quote(app, qid).number in queue and "Margin" in queue
    approved = lead.hx("POST", f"/quotes/{qid}/decide", data={"decision": "approve", "comment": "ok",
                                                               "version": quote(app, qid).version})
    assert approved.status_code == 200 and "quoteDecided" in approved.headers["HX-Trigger"]
    assert quote(app, qid).status == "approved"
    assert c.get(f"/quotes/{qid}/quotation").status_code == 200


def test_return_without_comment_stays_in_the_queue(app, as_role, customer_code):
    c, newhire = as_role("agent", is_new_hire=True)
    customer_code(newhire)
    qid = create(c)
    c.form(f"/quotes/{qid}/submit")
    lead, _ = as_role("supervisor")
    refused = lead.hx("POST", f"/quotes/{qid}/decide", data={"decision": "return", "comment": "",
                                                              "version": quote(app, qid).version})
    assert refused.status_code == 422 and "Say what to change" in refused.get_data(as_text=True)
    assert quote(app, qid).status == "pending"


def test_invalid_quote_keeps_input_and_explains(app, as_role, customer_code):
    c, agent = as_role("agent")
    customer_code(agent)
    response = c.hx("POST", "/quotes/new", data=FORM | {"pod": "XXXXX", "lines-0-quantity": "-3",
                                                        "valid_until": str(TODAY - timedelta(days=30))})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown port" in page and 'value="Machine tools"' in page
    assert quote(app, 1) is None


def test_agents_cannot_approve_and_finance_cannot_quote(as_role):
    agent, _ = as_role("agent")
    assert agent.get("/quotes/approvals").status_code == 403
    finance, _ = as_role("finance")
    assert finance.get("/quotes/new").status_code == 403
    assert finance.get("/quotes").status_code == 200


def test_export_csv_hides_internal_columns_from_finance(app, as_role, customer_code):
    c, agent = as_role("agent")
    customer_code(agent)
    create(c)
    rows = list(csv.reader(io.StringIO(c.get("/quotes/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert "Margin" in rows[0] and len(rows) == 2
    finance, _ = as_role("finance")
    text = finance.get("/quotes/export.csv").get_data(as_text=True)
    assert "Margin" not in text and "Cost" not in text
    xlsx = c.get("/quotes/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_history_filters_and_impact_list(app, as_role, customer_code):
    c, agent = as_role("agent")
    customer_code(agent)
    a = create(c)
    b = create(c, pod="NLRTM")
    page = c.hx("GET", "/quotes?pod=USLAX").get_data(as_text=True)
    assert quote(app, a).number in page and quote(app, b).number not in page
    impact = c.get("/quotes/impact?carrier=EGLV&pol=TWKHH&pod=NLRTM").get_data(as_text=True)
    assert quote(app, b).number in impact and quote(app, a).number not in impact


def test_lines_fragment_adds_and_removes_rows(as_role):
    c, _ = as_role("agent")
    more = c.hx("POST", "/quotes/lines", data=FORM).get_data(as_text=True)
    assert 'name="lines-2-charge_code"' in more
    fewer = c.hx("POST", "/quotes/lines?remove=0", data=FORM).get_data(as_text=True)
    assert 'name="lines-0-charge_code"' not in fewer and 'name="lines-1-charge_code"' in fewer


def test_history_filters_by_container_type_and_carrier(app, as_role, customer_code):
    c, agent = as_role("agent")
    customer_code(agent)
    hq = create(c)
    gp = create(c, container_type="20GP", carrier="YMLU")
    page = c.hx("GET", "/quotes?container_type=20GP").get_data(as_text=True)
    assert quote(app, gp).number in page and quote(app, hq).number not in page
    page = c.hx("GET", "/quotes?carrier=EGLV").get_data(as_text=True)
    assert quote(app, hq).number in page and quote(app, gp).number not in page
    assert 'id="container_type"' in c.get("/quotes").get_data(as_text=True)
