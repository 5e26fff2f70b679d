"""The customer's status page (R-S1 to R-S3): reached by a link, nothing internal on it in any
language, the same 404 as a missing page for a bad link, rate-limited, and views counted without
a GET writing anything."""
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.quotes import rules as quote_rules
from portal.shipments import rules
from portal.shipments.models import MilestoneKind, StatusLink
from tests.query_counter import QueryCounter
from tests.shipments.conftest import fresh

LANGUAGES = ("en", "zh_Hant", "zh_Hans")


@pytest.fixture
def shared(make_shipment, people, app, clock, voyage):
    """A shipment under way with a status link, an internal note, fees, a quote with its costs and
    margins, and another customer's shipment on the same vessel."""
    agent = people["agent"]
    shipment = make_shipment(booking_no="EGLV149001234", containers=2)
    quote = quote_rules.create_quote(agent, {
        "customer_id": shipment.customer_id, "contact_id": None, "inquiry_at": clock.now() - timedelta(days=3),
        "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
        "container_qty": 2, "gross_weight_kg": Decimal("18000"), "commodity": "Machine tools",
        "valid_until": clock.now().date() + timedelta(days=14), "currency": "USD", "self_sourced_rate": False,
        "dg_fees_confirmed": False, "notes": "INTERNAL-QUOTE-NOTE-9932", "remarks": ""},
        [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("2"), "sell_rate": Decimal("1850.00"),
          "buy_rate": Decimal("1493.17"), "min_sell_rate": Decimal("1711.29"), "currency": "USD",
          "direction": "receivable", "includes": ""}])
    shipment.quote_id = quote.id
    clock.move_to(clock.start - timedelta(days=2))       # the carrier confirmed two days ago
    rules.confirm_booking(agent, shipment, shipment.version)
    clock.move_to(clock.start)
    rules.record_milestone(agent, shipment, MilestoneKind.GATED_IN, clock.now() - timedelta(hours=5),
                           container=shipment.containers[0])
    rules.record_exception(agent, shipment, {
        "kind": "rolled", "container_id": shipment.containers[1].id, "missed_call_id": voyage["khh"].id,
        "reason": "INTERNAL-ROLL-REASON-6120", "rebooked_call_id": None, "fee": Decimal("987.65"),
        "fee_currency": "USD", "documents_cancelled": True, "redeclared": False})
    rules.add_bl_revision(agent, shipment, "amendment", "Consignee corrected", Decimal("55.43"), "USD")
    other_customer = make_other_customer(people)
    other = rules.create_shipment(people["other"], {
        "customer_id": other_customer.id, "carrier": "EGLV", "pol": "TWKHH", "pod": "USLAX", "mode": "fcl",
        "commodity": "Bicycles", "container_type": "40HQ", "container_qty": 1, "booking_no": "OTHERBOOKING77",
        "internal_notes": "INTERNAL-OTHER-NOTE"})
    rules.add_leg(people["other"], other, "TWKHH", "USLAX", voyage["khh"], voyage["lax"])
    link, token = rules.create_link(agent, shipment, app.config["SECRET_KEY"], "for Mr Wang")
    db.session.commit()
    return {"shipment": shipment, "token": token, "link": link, "other": other, "quote": quote}


def make_other_customer(people):
    from portal.customers import rules as customer_rules
    c = customer_rules.create_customer(people["other"], {
        "code": "CN-0099", "name_zh": "宁波远航贸易", "name_en": "Ningbo Yuanhang Trading", "kind": "direct",
        "source": "self_sourced", "preferred_locale": "zh_Hans"}, "B")
    db.session.flush()
    return c


def internal_values(shared, people) -> list[str]:
    """Every internal value of the shipment, its quote and its customer (R-S2)."""
    return ["INTERNAL-SHIPMENT-NOTE-4410", "INTERNAL-CUSTOMER-NOTE-7781", "INTERNAL-QUOTE-NOTE-9932",
            "INTERNAL-ROLL-REASON-6120", "INTERNAL-OTHER-NOTE",
            "1493.17", "1,493.17", "1711.29", "1,711.29", "1850", "1,850", "3700", "3,700", "713.66",  # rates, margin
            "987.65", "55.43",                                  # fees
            "Emily Wu", "Meiling Chen", "宁波远航贸易", "Ningbo Yuanhang", "CN-0099", "OTHERBOOKING77", "Bicycles",
            shared["quote"].number, "for Mr Wang",             # the quote, who the link went to
            "credit", "信用", "Credit limit"]


def test_the_status_page_shows_nothing_internal_in_any_language(client, shared, people):
    """R-S2 in three languages: no costs, margins, minimum rates, fees, internal notes, colleagues
    (workload) or other customers; the page's own values are there."""
    for lang in LANGUAGES:
        response = client.get(f"/s/{shared['token']}?lang={lang}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        leaked = [v for v in internal_values(shared, people) if v in page]
        assert not leaked, (lang, leaked)
        assert "EGLV149001234" in page and "CSQU3054383" in page
        assert "Jason Lin" in page            # the customer's own agent is the contact


def test_the_page_follows_the_link_then_the_customer_then_the_browser(client, shared):
    token = shared["token"]
    assert 'lang="zh-Hant-TW"' in client.get(f"/s/{token}").get_data(as_text=True)   # the customer's language
    assert 'lang="en"' in client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert 'lang="zh-Hans-CN"' in client.get(f"/s/{token}?lang=zh_Hans",
                                             headers={"Accept-Language": "en"}).get_data(as_text=True)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert page.count('href="?lang=') == 3            # the switch
    assert "高雄" in page                             # ports named in the reader's language
    assert "GMT+08:00" in page                        # times in the port's zone, named


def _same_as_missing(client, url):
    """The answer for url is the one any missing page gets (the page names its own path, for the
    language switch to come back to: that is all that differs)."""
    import re
    token = re.compile(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+')

    def body(r, path):  # the security token is signed afresh on each page: set aside
        return token.sub(r"\1…", r.get_data(as_text=True).replace(path, "/no-such-page"))

    missing = client.get("/no-such-page")
    response = client.get(url)
    assert response.status_code == 404
    assert body(response, url) == body(missing, "/no-such-page")
    def names(r):  # the session cookie is set on whichever request comes first
        return sorted(k for k in r.headers.keys() if k != "Set-Cookie")
    assert names(response) == names(missing)


def test_a_bad_link_is_the_same_404_as_any_missing_page(client, shared, people, app):
    token = shared["token"]
    altered = token[:-1] + ("y" if token.endswith("x") else "x")  # one character off, never the same
    for url in ("/s/" + "A" * 32, "/s/short", "/s/" + altered):
        _same_as_missing(client, url)
    # Revoked: gone, the same way.
    rules.revoke_link(people["agent"], shared["shipment"], db.session.get(StatusLink, shared["link"].id))
    db.session.commit()
    _same_as_missing(client, f"/s/{shared['token']}")


def test_an_expired_link_is_gone(client, make_shipment, people, app, clock):
    shipment = make_shipment()
    _link, token = rules.create_link(people["agent"], shipment, app.config["SECRET_KEY"],
                                     expires_on=clock.now().date() + timedelta(days=1))
    db.session.commit()
    assert client.get(f"/s/{token}").status_code == 200
    clock.advance(days=3)
    _same_as_missing(client, f"/s/{token}")


def test_the_page_is_private_self_contained_and_fits_a_phone(client, shared):
    response = client.get(f"/s/{shared['token']}")
    headers = response.headers
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in headers["X-Robots-Tag"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    # No third-party request: every src and href is this site's or a fragment, query or mailto/tel link.
    import re
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "?", "#", "mailto:", "tel:")), url
    assert "print" in page


def test_a_get_writes_nothing_and_the_beacon_counts_the_view(client, app, shared, clock):
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        assert client.get(f"/s/{shared['token']}").status_code == 200
    assert not [s for s in counter.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert counter.count <= 12
    assert fresh(StatusLink, shared["link"].id).views == 0
    assert client.post(f"/s/{shared['token']}/seen").status_code == 204     # no CSRF token: a beacon
    link = fresh(StatusLink, shared["link"].id)
    assert (link.views, link.last_seen_at) == (1, clock.now())
    assert client.post("/s/" + "B" * 32 + "/seen").status_code == 404


def test_guessing_tokens_is_rate_limited_and_logged(client, app, shared, caplog):
    allowance = int(app.config["STATUS_MISS_LIMIT"].split()[0])
    codes = [client.get(f"/s/{'C' * 31}{i % 10}").status_code for i in range(allowance + 3)]
    assert codes[:allowance] == [404] * allowance and codes[-1] == 429
    assert any("exceeded" in r.getMessage() for r in caplog.records)
    # The limit is per address: another address still reaches its page.
    assert client.get(f"/s/{shared['token']}", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


def test_the_schedule_change_shows_on_the_page(client, shared, people, voyage):
    lax = voyage["lax"]
    new_eta = lax.eta + timedelta(days=2)
    rules.change_schedule(people["lead"], lax, lax.version, new_eta, None, lax.etd + timedelta(days=2), "typhoon",
                          "Typhoon warning: the port is closed")
    db.session.commit()
    page = client.get(f"/s/{shared['token']}?lang=en").get_data(as_text=True)
    assert "Typhoon" in page and "Typhoon warning: the port is closed" in page
    from portal.shipments.times import format_port_time
    assert format_port_time(new_eta, "USLAX", "en") in page
