"""Every visits list issues the same number of queries for a few rows as for many, under a fixed
ceiling; "Show more" costs no more than the first page."""
import re
from datetime import timedelta


from portal.auth.models import User
from portal.core.clock import now, today
from portal.customers.models import Customer
from portal.extensions import db
from portal.visits import rules
from tests.query_counter import QueryCounter

LIST_CEILING = 4          # a list page: the user, the page, what its rows show, the filters' options
MORE_CEILING = 3          # the next rows of a list
CEILINGS = {"/visits": 10, "/visits/reactivation": 5, "/visits/care": 6, "/visits/team": 8,
            # the customer (and its contacts), then each feature's entries: account changes, quotes,
            # handover items (with their notes), shipments, contacts, visits (done and planned), complaints
            "timeline": 12}


def _add(app, world, n, start):
    """n of everything, through the rules: contacts with next actions, visits, complaints (some
    with evidence), review meetings with action items, birthdays this week; customers of the agent."""
    with app.test_request_context():
        agent = db.session.get(User, world.agent.id)
        lead = db.session.get(User, world.lead.id)
        from portal.customers import rules as customer_rules
        day = today("Asia/Taipei")
        monday = rules.start_of_week(day)
        for i in range(start, start + n):
            customer = customer_rules.create_customer(agent, {
                "code": f"QV-{i:04d}", "name_zh": f"客戶{i}", "name_en": f"Customer {i}", "kind": "direct",
                "source": "self_sourced", "preferred_locale": ("zh_Hant", "zh_Hans", "en")[i % 3]}, "ABCD"[i % 4])
            contact = customer_rules.add_contact(agent, customer, {
                "name": f"聯絡人{i}", "phone": "+886 2 2712 3456", "birthday": (monday + timedelta(days=i % 7)).replace(
                    year=1980)})
            rules.log_contact(agent, customer, rules.ContactFields(
                channel=("phone", "email", "chat", "visit")[i % 4], purpose="rate_review", notes=f"Call {i}",
                contact_id=contact.id, satisfaction=1 + i % 5, next_action=f"Send rates {i}", next_due_on=day,
                at=now() - timedelta(hours=i)))
            start_at = now().replace(second=0, microsecond=0) + timedelta(days=1, hours=2 * i)
            rules.plan_visit(agent, customer, rules.VisitFields(starts_at=start_at, ends_at=start_at + timedelta(minutes=50)),
                             ) if i % 2 == 0 else None
            case = rules.open_case(agent, customer, rules.CaseFields(
                channel="phone", category="delay", severity=("urgent", "normal", "low")[i % 3], summary=f"Delay {i}"))
            if i % 3 == 0:
                rules.add_evidence(agent, case, "p.jpg", b"\xff\xd8\xff" + bytes(str(i), "ascii"))
            if i % 4 == 0:
                rules.record_meeting(lead, customer, None, f"Review {i}",
                                     [rules.ActionFields(f"Action {i}", agent, day + timedelta(days=1))])
        db.session.commit()


def _count(app, client, url, htmx=False):
    with app.app_context():
        engine = db.engine
    if htmx:
        client.token()
    with QueryCounter(engine) as counter:
        response = client.hx("GET", url) if htmx else client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[-1500:])
    return counter.count, response.get_data(as_text=True)


PAGES = ("/visits", "/visits/log", "/visits/cases", "/visits/due?which=week", "/visits/actions", "/visits/calendar",
         "/visits/calendar?view=week", "/visits/care", "/visits/reactivation")


def test_visits_lists_cost_the_same_for_few_rows_as_for_many(app, clock, world):
    _add(app, world, 4, 0)
    agent = app.test_client()
    agent.login_as(world.agent)
    lead = app.test_client()
    lead.login_as(world.lead)
    few = {url: _count(app, agent, url)[0] for url in PAGES}
    few["/visits/team"] = _count(app, lead, "/visits/team")[0]
    with app.test_request_context():
        rules.list_dormant(now() + timedelta(days=200))
        db.session.commit()
    few["/visits/reactivation"] = _count(app, agent, "/visits/reactivation")[0]

    _add(app, world, 56, 4)
    with app.test_request_context():
        rules.list_dormant(now() + timedelta(days=200))
        db.session.commit()
    many, pages = {}, {}
    for url in PAGES:
        many[url], pages[url] = _count(app, agent, url)
    many["/visits/team"] = _count(app, lead, "/visits/team")[0]
    assert many == few, (few, many)
    for url, count in many.items():
        ceiling = CEILINGS.get(url.split("?")[0], LIST_CEILING)
        assert count <= ceiling, f"{url}: {count} statements"
    size = app.config["PAGE_SIZE"]
    assert len(set(re.findall(r'href="/visits/log/(\d+)"', pages["/visits/log"]))) == size
    assert "Show more" in pages["/visits/log"]
    assert len(set(re.findall(r'href="/visits/cases/(\d+)"', pages["/visits/cases"]))) >= size
    assert pages["/visits/reactivation"].count("Work on it") == size

    # The next rows of each list cost no more than a keystroke.
    for url, list_url in (("/visits/log", "/visits/log"), ("/visits/cases", "/visits/cases"),
                          ("/visits/reactivation", "/visits/reactivation"),
                          ("/visits/due?which=week", "/visits/due"), ("/visits/actions", "/visits/actions")):
        found = re.search(r'hx-get="(' + re.escape(list_url) + r'\?[^"]*after=[^"]+)"', pages[url])
        assert found, url
        count, _body = _count(app, agent, found.group(1).replace("&amp;", "&"), htmx=True)
        assert count <= MORE_CEILING, (url, count)
    # A search keystroke in the log.
    count, body = _count(app, agent, "/visits/log?q=Call", htmx=True)
    assert count <= MORE_CEILING and "nav-count" not in body


def test_the_customer_timeline_costs_the_same_however_long_the_history(app, clock, world):
    cid = world.customers["VA-A"]
    agent = app.test_client()
    agent.login_as(world.agent)

    def add(n):
        with app.test_request_context():
            person, customer = db.session.get(User, world.agent.id), db.session.get(Customer, cid)
            for i in range(n):
                rules.log_contact(person, customer, rules.ContactFields(channel=("phone", "visit")[i % 2],
                                                                        purpose="regular_revisit", notes=f"Talk {i}"))
                rules.open_case(person, customer, rules.CaseFields(channel="email", category="billing",
                                                                   severity="low", summary=f"Invoice {i}"))
            db.session.commit()

    add(2)
    few, _ = _count(app, agent, f"/customers/{cid}/timeline", htmx=True)
    add(40)
    many, body = _count(app, agent, f"/customers/{cid}/timeline", htmx=True)
    assert few == many <= CEILINGS["timeline"], (few, many)
    assert "Show more" in body
    cursor = re.search(r'hx-get="(/customers/\d+/timeline\?after=[^"]+)"', body).group(1).replace("&amp;", "&")
    more, _ = _count(app, agent, cursor, htmx=True)
    assert more <= many
