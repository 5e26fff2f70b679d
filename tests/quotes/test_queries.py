"""The quote history and the approval queue issue the same number of queries for 3 quotes as for 60,
each quote with several charge lines, on several lanes with earlier prices."""
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.clock import now
from portal.extensions import db
from portal.quotes import rules
from portal.quotes.models import ChargeLine, Quote
from tests.query_counter import QueryCounter
from tests.rate_cards import ensure_card

LIST_CEILING = 4        # statements for a list page or its partial, whatever the number of rows

LANES = (("TWKHH", "USLAX", "40HQ"), ("TWKHH", "NLRTM", "40GP"), ("CNSHA", "USLAX", "20GP"),
         ("TWTXG", "JPTYO", "40HQ"), ("HKHKG", "DEHAM", "45HQ"))


def _charge(code, sell, buy, minimum=None, currency="USD", direction="receivable", basis="container", quantity="2"):
    return {"charge_code": code, "basis": basis, "quantity": Decimal(quantity),
            "sell_rate": Decimal(sell) if sell is not None else None, "buy_rate": Decimal(buy),
            "min_sell_rate": Decimal(minimum) if minimum is not None else None, "currency": currency,
            "direction": direction, "includes": ""}


def _lines(i):
    """Four charge lines: three to collect, one to pay (in another currency)."""
    return [_charge("OFR", 1800 + i, 1500 + i, 1700 + i), _charge("BAF", "120", "100"),
            _charge("THC-O", "185", "150", "170"),
            _charge("TRK", None, "3200", currency="TWD", direction="payable", basis="lump_sum", quantity="1")]


def _add_quotes(app, customer_ids, n, start, *, author, status):
    """n quotes through the app's rules: drafts, sent (the lane's history) or pending a supervisor."""
    with app.test_request_context():
        actor = db.session.get(User, author.id)
        for pol, pod, container_type in LANES:      # the ocean freight comes from a rate card
            ensure_card(pol=pol, pod=pod, equipment=container_type)
        for i in range(start, start + n):
            pol, pod, container_type = LANES[i % len(LANES)]
            quote = rules.create_quote(actor, {
                "customer_id": customer_ids[i % len(customer_ids)], "contact_id": None,
                "inquiry_at": now() - timedelta(minutes=i), "mode": "fcl", "pol": pol, "pod": pod,
                "carrier": "EGLV", "container_type": container_type, "container_qty": 1 + i % 4,
                "gross_weight_kg": Decimal("9000"), "commodity": f"Machine parts lot {i}",
                "valid_until": now().date() + timedelta(days=30), "currency": "USD",
                "dg_fees_confirmed": False, "notes": "", "remarks": ""}, _lines(i))
            if status == "sent":
                rules.send(actor, quote, quote.version)
            elif status == "pending":
                rules.submit_for_approval(actor, quote)
        db.session.commit()


def _people(make_user, make_customer):
    agent = make_user("agent", display_name="Jason Lin")
    newhire = make_user("agent", display_name="Emily Wu", is_new_hire=True,
                        probation_ends_on=now().date() + timedelta(days=60))
    customer_ids = [make_customer(agent), make_customer(agent), make_customer(newhire)]
    return agent, newhire, customer_ids


def _queries(app, client, url, htmx=False):
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        response = client.hx("GET", url) if htmx else client.get(url)
    assert response.status_code == 200, response.status_code
    return counter.count, response.get_data(as_text=True)


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_history_query_count_is_constant(app, make_user, make_customer, as_role):
    agent, newhire, customer_ids = _people(make_user, make_customer)
    lead, _ = as_role("supervisor")
    _add_quotes(app, customer_ids, 1, 0, author=agent, status="draft")
    _add_quotes(app, customer_ids, 1, 1, author=agent, status="sent")
    _add_quotes(app, customer_ids, 1, 2, author=newhire, status="pending")
    lead.get("/quotes")  # warm up: the first request of a client may do one-off work
    few, page = _queries(app, lead, "/quotes")
    assert page.count('class="rowlink"') == 3

    _add_quotes(app, customer_ids, 20, 3, author=agent, status="draft")
    _add_quotes(app, customer_ids, 20, 23, author=agent, status="sent")
    _add_quotes(app, customer_ids, 17, 43, author=newhire, status="pending")
    assert _count(app, Quote) == 60 and _count(app, ChargeLine) == 240
    many, page = _queries(app, lead, "/quotes")
    assert page.count('class="rowlink"') == app.config["PAGE_SIZE"]
    assert "Show more" in page
    assert many == few, f"/quotes: {few} queries for 3 quotes, {many} for 60"
    assert many <= LIST_CEILING, f"/quotes: {many} statements"

    # The next page (htmx "Show more") costs no more.
    lead.token()  # fetched outside the count
    cursor = page.split("after=")[1].split('"')[0].split("&")[0]
    more, rows = _queries(app, lead, f"/quotes?after={cursor}", htmx=True)
    assert rows.count('class="rowlink"') == app.config["PAGE_SIZE"]
    assert more <= few, f"/quotes next page: {more} queries, first page {few}"
    assert more <= LIST_CEILING

    # Filtered by lane, the same.
    lane, rows = _queries(app, lead, "/quotes?pol=TWKHH&pod=USLAX")
    assert rows.count('class="rowlink"') == 12
    assert lane == few, f"/quotes?pol&pod: {lane} queries, unfiltered {few}"

    # A search typed into the box (the htmx partial) and a customer filter stay within the ceiling.
    typed, rows = _queries(app, lead, "/quotes?q=machine", htmx=True)
    assert rows.count('class="rowlink"') == app.config["PAGE_SIZE"] and typed <= LIST_CEILING - 1
    by_customer, _rows = _queries(app, lead, "/quotes?customer=T-0001")
    assert by_customer <= LIST_CEILING


def test_approval_queue_query_count_is_constant(app, make_user, make_customer, as_role):
    agent, newhire, customer_ids = _people(make_user, make_customer)
    lead, _ = as_role("supervisor")
    # Earlier prices on every lane, shown on each card (R-Q9).
    _add_quotes(app, customer_ids, 10, 0, author=agent, status="sent")
    _add_quotes(app, customer_ids, 3, 10, author=newhire, status="pending")
    lead.get("/quotes/approvals")  # warm up
    few, page = _queries(app, lead, "/quotes/approvals")
    assert page.count('class="card approval"') == 3
    assert "Recent prices on this lane" in page

    _add_quotes(app, customer_ids, 57, 13, author=newhire, status="pending")
    assert _count(app, Quote) == 70 and _count(app, ChargeLine) == 280
    many, page = _queries(app, lead, "/quotes/approvals")
    assert page.count('class="card approval"') == 20 and "Show more" in page   # a page at a time
    assert page.count("Recent prices on this lane") == 20
    assert many == few, f"/quotes/approvals: {few} queries for 3 pending quotes, {many} for 60"
    assert many <= LIST_CEILING, f"/quotes/approvals: {many} statements"

    # The rest of the queue, page by page, at the same cost; every pending quote is reached once.
    lead.token()
    seen, cursor = page.count('class="card approval"'), page.split("after=")[1].split('"')[0].split("&")[0]
    while cursor:
        more, rows = _queries(app, lead, f"/quotes/approvals?after={cursor}", htmx=True)
        assert more <= LIST_CEILING
        seen += rows.count('class="card approval"')
        cursor = rows.split("after=")[1].split('"')[0].split("&")[0] if "Show more" in rows else None
    assert seen == 60
