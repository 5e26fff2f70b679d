"""Every route for every role: the policy in portal/core/policy.py, seen from the outside.

EXPECTED lists each endpoint of app.url_map (only `static` is left out) with the status each
role gets for every method the route accepts. A GET is sent as is; a POST carries a valid CSRF
token and an EMPTY form, so a role that may act gets the form's refusal (422) and a role that
may not gets 403 before any validation. A route added without a row here fails the suite, and
so does a method added to a route.

The sample records: every agent (and the new hire) works on a customer they own; the other
roles use the agent's customer. test_record_level_access_to_someone_elses_customer walks the
same routes on a customer that belongs to another agent.
"""
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask import url_for

from portal.customers.models import Contact, Customer
from portal.extensions import db

ROLES = ("anonymous", "agent", "new_hire", "supervisor", "finance", "admin")
LOGIN = (302, "/login")         # login_required: to the login page
HOME = (302, "/")               # /login when already logged in
LIST = (302, "/customers")      # / is the customer list
TO_LOGIN = (303, "/login")      # after logging out
TO_CUSTOMER = (303, "/customers/{customer_id}")  # after deleting a contact (plain form)

# A status, or (status, path of the Location header; {placeholders} are the sample ids).
#                                           anonymous  agent     new_hire  supervisor finance  admin
EXPECTED = {
    "core.home": {
        "GET":  (LOGIN,     LIST,     LIST,     LIST,      LIST,     LIST),
    },
    "core.healthz": {
        "GET":  (200,       200,      200,      200,       200,      200),
    },
    "auth.login": {
        "GET":  (200,       HOME,     HOME,     HOME,      HOME,     HOME),
        "POST": (422,       HOME,     HOME,     HOME,      HOME,     HOME),
    },
    "auth.logout": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (TO_LOGIN,  TO_LOGIN, TO_LOGIN, TO_LOGIN,  TO_LOGIN, TO_LOGIN),
    },
    "auth.users": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
    },
    "auth.user_new": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "auth.user_edit": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "auth.user_password": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "customers.index": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.detail": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.history": {
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
    },
    "customers.timeline": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.reassign": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "customers.grade": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "customers.credit": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       422,      422),
    },
    "customers.contact_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.contact_show": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.contact_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.contact_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        # deleting needs no form: the owner, supervisor and admin succeed (each on a contact of its own)
        "POST": (LOGIN,     TO_CUSTOMER, TO_CUSTOMER, TO_CUSTOMER, 403, TO_CUSTOMER),
    },
}

# Record-level rules: on a customer owned by someone else an agent (new hire included) may
# look but not change; everything else is as in EXPECTED.
OWNER_ONLY = {"customers.edit", "customers.contact_add", "customers.contact_edit", "customers.contact_delete"}
AGENTS = {"agent", "new_hire"}


def _routes(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def _methods(rule):
    """The methods to try: the route's own, and GET always (a POST-only route answers 405)."""
    return sorted((rule.methods - {"HEAD", "OPTIONS"}) | {"GET"})


def _expected(endpoint, method, role, samples):
    value = EXPECTED[endpoint][method][ROLES.index(role)]
    status, location = value if isinstance(value, tuple) else (value, None)
    return status, location.format(**samples) if location else None


def _setup(app, make_user, make_customer):
    """Users of every role, logged-in clients, and their sample customers and contacts."""
    users = {
        "agent": make_user("agent", "agent-own"),
        "new_hire": make_user("agent", "agent-newhire", is_new_hire=True,
                              probation_ends_on=date.today() + timedelta(days=90)),
        "supervisor": make_user("supervisor", "supervisor1"),
        "finance": make_user("finance", "finance1"),
        "admin": make_user("admin", "admin1"),
        "other_agent": make_user("agent", "agent-other"),
    }
    # One contact to show and edit, and one to delete per role (a delete must not hide the
    # next role's answer behind a 404).
    contacts = [{"name": "Keep Me", "phone": "+886 2 2345 6789"}] + [{"name": f"Delete {role}"} for role in ROLES]
    customers = {key: make_customer(users[key], contacts=contacts, code=f"SEC-{i}")
                 for i, key in enumerate(("agent", "new_hire", "other_agent"))}
    clients = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        clients[role] = app.test_client()
        clients[role].login_as(users[role])
    return users, customers, clients


def _contact_ids(app, customer_id):
    with app.app_context():
        rows = db.session.execute(sa.select(Contact.name, Contact.id).where(Contact.customer_id == customer_id))
        return dict(rows.all())


def _samples(app, role, customer_id, user_id):
    contacts = _contact_ids(app, customer_id)
    return {"customer_id": customer_id, "user_id": user_id,
            "contact_id": contacts["Keep Me"], "delete_contact_id": contacts[f"Delete {role}"]}


def _versions(app):
    with app.app_context():
        return dict(db.session.execute(sa.select(Customer.id, Customer.version)).all())


def _url(app, rule, samples):
    values = {arg: samples["delete_contact_id" if arg == "contact_id" and rule.endpoint.endswith("_delete") else arg]
              for arg in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _check(client, method, url, expected, label, mismatches):
    status, location = expected
    response = client.get(url) if method == "GET" else client.form(url, {})
    got_location = urlsplit(response.location).path if response.location else None
    if response.status_code != status or (location is not None and got_location != location):
        mismatches.append(f"{label:<12} {method:<4} {url:<40} expected {status} {location or ''}"
                          f" got {response.status_code} {response.location or ''}")


def _walk(app, clients, routes, sample_for, expected_for, mismatches, tag=""):
    """Every role, every route, every method; logging out comes last for each role."""
    for role in ROLES:
        samples = sample_for(role)
        calls = [(endpoint, method) for endpoint, rule in routes.items() for method in _methods(rule)]
        calls.sort(key=lambda call: (call == ("auth.logout", "POST"), call[1] == "POST"))
        for endpoint, method in calls:
            url = _url(app, routes[endpoint], samples)
            _check(clients[role], method, url, expected_for(endpoint, method, role, samples),
                   f"{role}{tag}", mismatches)


def _assert_matrix_covers(routes):
    assert set(routes) == set(EXPECTED), (
        f"routes without a row in EXPECTED: {sorted(set(routes) - set(EXPECTED))}; "
        f"rows for routes that do not exist: {sorted(set(EXPECTED) - set(routes))}")


def test_every_route_is_in_the_matrix(app):
    routes = _routes(app)
    _assert_matrix_covers(routes)
    for endpoint, rule in routes.items():
        assert set(_methods(rule)) == set(EXPECTED[endpoint]), f"{endpoint}: methods {_methods(rule)}"
        for method, row in EXPECTED[endpoint].items():
            assert len(row) == len(ROLES), f"{endpoint} {method}"


def test_every_route_for_every_role(app, make_user, make_customer):
    routes = _routes(app)
    _assert_matrix_covers(routes)
    users, customers, clients = _setup(app, make_user, make_customer)
    before = _versions(app)

    def sample_for(role):
        owned = customers["new_hire"] if role == "new_hire" else customers["agent"]
        return _samples(app, role, owned, users["agent"].id)

    mismatches = []
    _walk(app, clients, routes, sample_for, _expected, mismatches)
    print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} route/role mismatches:\n" + "\n".join(mismatches)

    # Nothing but the permitted deletes changed anything: no refused POST slipped through.
    assert _versions(app)[customers["other_agent"]] == before[customers["other_agent"]]
    left = {key: set(_contact_ids(app, cid)) for key, cid in customers.items()}
    assert left["agent"] == {"Keep Me", "Delete anonymous", "Delete new_hire", "Delete finance"}
    assert left["new_hire"] == {"Keep Me", *(f"Delete {r}" for r in ROLES if r != "new_hire")}
    assert left["other_agent"] == {"Keep Me", *(f"Delete {r}" for r in ROLES)}


def test_record_level_access_to_someone_elses_customer(app, make_user, make_customer):
    """Agents read every customer but change only their own; supervisors and admins change any."""
    users, customers, clients = _setup(app, make_user, make_customer)
    routes = {e: r for e, r in _routes(app).items() if e in EXPECTED and "customer_id" in r.arguments}
    assert OWNER_ONLY <= set(routes)

    def sample_for(role):
        return _samples(app, role, customers["other_agent"], users["agent"].id)

    def expected_for(endpoint, method, role, samples):
        status, location = _expected(endpoint, method, role, samples)
        if role in AGENTS and endpoint in OWNER_ONLY and status != 405:
            return 403, None
        return status, location

    mismatches = []
    _walk(app, clients, routes, sample_for, expected_for, mismatches, tag=" (other)")
    print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} record-level mismatches:\n" + "\n".join(mismatches)

    left = set(_contact_ids(app, customers["other_agent"]))
    assert left == {"Keep Me", "Delete anonymous", "Delete agent", "Delete new_hire", "Delete finance"}


def test_refused_writes_with_valid_data_change_nothing(app, as_role, make_user, make_customer):
    """A valid, well-formed form from a role that may not act is refused and nothing is written."""
    c, agent = as_role("agent")
    other = make_user("agent")
    cid = make_customer(other, contacts=[{"name": "Chen Li"}], code="OTHER-1", name_en="Other Co")
    contact_id = _contact_ids(app, cid)["Chen Li"]
    version = _versions(app)[cid]
    profile = {"code": "MINE-1", "name_en": "Stolen", "kind": "direct", "source": "self_sourced",
               "preferred_locale": "en", "version": str(version)}
    attempts = [
        (f"/customers/{cid}/edit", profile),
        (f"/customers/{cid}/contacts", {"name": "Planted Contact"}),
        (f"/customers/{cid}/contacts/{contact_id}/edit", {"name": "Renamed", "version": "1"}),
        (f"/customers/{cid}/contacts/{contact_id}/delete", {}),
        (f"/customers/{cid}/owner", {"owner_id": str(agent.id), "version": str(version)}),
        (f"/customers/{cid}/grade", {"grade": "A", "reason": "I say so", "version": str(version)}),
        (f"/customers/{cid}/credit", {"credit_terms_days": "90", "credit_limit": "1000000",
                                      "credit_currency": "USD", "version": str(version)}),
        ("/admin/users/new", {"username": "mole", "display_name": "Mole", "password": "long-enough-pw",
                              "role": "admin", "locale": "en", "timezone": "UTC", "active": "y"}),
        (f"/admin/users/{agent.id}", {"display_name": "Me", "role": "admin", "locale": "en",
                                      "timezone": "UTC", "active": "y", "version": "1"}),
        (f"/admin/users/{other.id}/password", {"password": "taken-over-123"}),
    ]
    for url, data in attempts:
        assert c.form(url, data).status_code == 403, url
        assert c.hx("POST", url, data=data).status_code == 403, url
    finance, _ = as_role("finance")
    assert finance.form("/customers/new", profile).status_code == 403

    with app.app_context():
        from portal.auth.models import User
        customer = db.session.get(Customer, cid)
        assert (customer.version, customer.owner_id, customer.grade, customer.name_en) == (version, other.id, "B", "Other Co")
        assert customer.credit_terms_days == 0
        assert [x.name for x in customer.contacts] == ["Chen Li"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1
        assert db.session.get(User, agent.id).role == "agent"
        assert db.session.scalar(sa.select(User).where(User.username == "mole")) is None
    # The other agent's password still works.
    fresh = app.test_client()
    fresh.login_as(other)


def test_anonymous_htmx_request_gets_401_with_hx_redirect(client, make_user, make_customer):
    owner = make_user("agent")
    cid = make_customer(owner)
    plain = client.get(f"/customers/{cid}")
    assert plain.status_code == 302
    assert urlsplit(plain.location).path == "/login"
    assert parse_qs(urlsplit(plain.location).query)["next"] == [f"/customers/{cid}"]

    response = client.get(f"/customers/{cid}/timeline", headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost/customers/{cid}?tab=timeline"})
    assert response.status_code == 401
    target = urlsplit(response.headers["HX-Redirect"])
    assert target.path == "/login" and not target.netloc
    assert parse_qs(target.query)["next"] == [f"/customers/{cid}?tab=timeline"]
    assert "<html" not in response.get_data(as_text=True)  # never a login page swapped into a panel

    # A foreign page named as the current URL does not become an open redirect.
    response = client.get("/customers", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example//x"})
    assert response.status_code == 401
    target = urlsplit(response.headers["HX-Redirect"])
    assert target.path == "/login" and not target.netloc
    assert all(not n.startswith("//") and "evil" not in n for n in parse_qs(target.query).get("next", []))

    # An htmx POST without a session is a 401 as well, not a redirect swapped into the page.
    response = client.hx("POST", f"/customers/{cid}/contacts", data={"name": "X"})
    assert response.status_code == 401
    assert urlsplit(response.headers["HX-Redirect"]).path == "/login"


def test_deactivated_user_is_logged_out_at_the_next_request(app, as_role, make_user):
    c, agent = as_role("agent")
    assert c.get("/customers").status_code == 200
    with app.test_request_context():
        from portal.auth import rules
        from portal.auth.models import User
        admin = db.session.get(User, make_user("admin").id)
        user = db.session.get(User, agent.id)
        rules.update_user(admin, user, user.version, active=False)
        db.session.commit()
    response = c.get("/customers")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert c.form(f"/admin/users/{agent.id}", {}).status_code == 302
