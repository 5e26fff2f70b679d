"""The customers list issues the same number of queries for 10 customers as for 500."""
import sqlalchemy as sa

from portal.extensions import db
from tests.query_counter import QueryCounter


def _add_customers(app, owners, n, start):
    """Bulk customers with two contacts each, through the app's rules."""
    from portal.auth.models import User
    from portal.customers import rules
    with app.test_request_context():
        actors = [db.session.get(User, o.id) for o in owners]
        for i in range(start, start + n):
            actor = actors[i % len(actors)]
            customer = rules.create_customer(actor, {
                "code": f"Q-{i:05d}", "name_zh": f"客戶{i}", "name_en": f"Customer {i}", "kind": "direct",
                "source": "self_sourced", "preferred_locale": "en"}, "B")
            rules.add_contact(actor, customer, {"name": f"聯絡人{i}", "phone": "+886 2 2712 3456"})
            rules.add_contact(actor, customer, {"name": f"Contact {i}", "email": f"c{i}@example.com"})
            if i % 100 == 0:
                db.session.flush()
        db.session.commit()


# Statements for the list page, whatever the number of customers (a supervisor's page also
# looks for books left with colleagues who can no longer hold them).
LIST_CEILING = 4   # user, page, contacts, owners (with the leaver notice)
KEYSTROKE_CEILING = 3  # statements for the partial each keystroke in the search box asks for


def _queries_for_list(app, client, url="/customers?sort=name", htmx=False):
    with app.app_context():
        engine = db.engine
    if htmx:
        client.token()
    with QueryCounter(engine) as counter:
        response = client.hx("GET", url) if htmx else client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_customers_list_query_count_is_constant(app, make_user, as_role):
    owners = [make_user("agent"), make_user("agent"), make_user("supervisor")]
    c, _ = as_role("supervisor")
    _add_customers(app, owners, 10, 0)
    few, page = _queries_for_list(app, c)
    assert page.count('class="rowlink"') == 10
    _add_customers(app, owners, 490, 10)
    many, page = _queries_for_list(app, c)
    assert page.count('class="rowlink"') == app.config["PAGE_SIZE"]
    assert "Show more" in page
    assert many == few and many <= LIST_CEILING, f"/customers: {few} statements for 10, {many} for 500"
    # Each keystroke of the search box: a partial without the navigation, the owners or a count.
    typed, rows = _queries_for_list(app, c, "/customers?q=%E5%AE%A2%E6%88%B6", htmx=True)
    assert rows.count('class="rowlink"') == app.config["PAGE_SIZE"] and "nav-count" not in rows
    assert typed <= KEYSTROKE_CEILING, f"search keystroke: {typed} statements"
    # Loading the next page costs the same too.
    with app.app_context():
        engine = db.engine
    cursor = page.split("after=")[1].split('"')[0].split("&")[0]
    c.token()
    with QueryCounter(engine) as counter:
        more = c.hx("GET", f"/customers?sort=name&after={cursor}")
    assert more.status_code == 200 and more.get_data(as_text=True).count('class="rowlink"') == app.config["PAGE_SIZE"]
    assert counter.count <= few and counter.count <= KEYSTROKE_CEILING
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM customer")) == 500
