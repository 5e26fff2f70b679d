"""Bad input never gives a 500 and loses nothing.

Missing CSRF tokens, oversized bodies, hostile text (NUL, control characters, bidi overrides,
emoji, combining marks, markup, 10,000-character strings) in every text field, unknown and
out-of-range ids, malformed query strings and cursors, odd log-in names, and stale edits.
Refusals are 400/404/409/413/422 with a message, and a refused form comes back with what the
user typed; accepted text is stored cleaned (PostgreSQL refuses NUL in text) and shown escaped.
"""
import base64
import re
import unicodedata
from urllib.parse import quote, urlsplit

import sqlalchemy as sa

from portal.core.text import clean_text

from portal.auth.models import LoginAttempt, User
from portal.customers.forms import PHONE
from portal.customers.models import Contact, Customer
from portal.extensions import db
from tests.html_forms import form_values

PROFILE = {"code": "BI-0001", "name_zh": "長興海運", "name_en": "Evergrowth Marine", "kind": "peer",
           "grade": "A", "source": "departed", "is_vip": "y", "preferred_locale": "zh_Hans",
           "country": "HK", "address": "No. 1 Harbour Road, Wan Chai", "notes": "Pays on the 5th"}
CONTACT = {"name": "王小明", "title": "Logistics manager", "phone": "+886 2 2712 3456",
           "email": "wang@example.com", "wechat": "wang_xm", "line_id": "wangxm", "birthday": "1980-02-29"}
LONG = "長" * 10_000
MARKUP = "<script>alert(1)</script>\"'&"

# (typed, stored) for text that is accepted after cleaning.
ACCEPTED = {
    "nul": ("Acme\x00 Trading\x00", "Acme Trading"),
    "controls": ("\x01Bell\x07 \x1b[31mRed\x7f\x0b\x0c", "Bell [31mRed"),
    "rtl override": ("Harbour \u202eoc.live\u202c Ltd", "Harbour oc.live Ltd"),  # bidi overrides are dropped
    "emoji": ("🚢 Ocean Freight 👍🏽", "🚢 Ocean Freight 👍🏽"),
    "combining": ("Cafe\u0301 Zoe\u0308 Logistics", "Café Zoë Logistics"),
    "markup": (MARKUP, MARKUP),
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- helpers ----------------------------------------------------------------------------


def assert_echoed(response, typed: dict, skip=()):
    """Every typed value is in the returned form as typed (cleaned, upper-cased code)."""
    shown = form_values(response)
    for name, value in typed.items():
        if name in skip or name in ("csrf_token", "version"):
            continue
        expected = CONTROL.sub("", unicodedata.normalize("NFC", value)).strip() if isinstance(value, str) else value
        if name == "code":
            expected = expected.upper()
        if value == "y":  # a ticked box
            expected = True
        assert shown.get(name) == expected, f"{name}: typed {value[:40]!r}, form shows {str(shown.get(name))[:40]!r}"


def has_error(response) -> bool:
    page = response.get_data(as_text=True)
    return 'class="error"' in page or "alert-error" in page


def customer_by_code(app, code):
    with app.app_context():
        customer = db.session.scalar(sa.select(Customer).where(Customer.code == code))
        if customer is not None:
            db.session.expunge(customer)
        return customer


def contact_by_id(app, contact_id):
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        if contact is not None:
            db.session.expunge(contact)
        return contact


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def version_in(response) -> str:
    return form_values(response)["version"]


def multipart(fields: dict) -> dict:
    """A multipart/form-data body built in memory (the test client would spool a big one to an
    unclosed temporary file)."""
    boundary = "----portal-security-test"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in fields.items()) + f"--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def cursor(raw_json: str) -> str:
    return base64.urlsafe_b64encode(raw_json.encode()).decode().rstrip("=")


# --- CSRF and size limits ---------------------------------------------------------------


def test_post_without_csrf_token_is_400_and_htmx_is_told_to_refresh(app, client, as_role):
    response = client.post("/login", data={"username": "someone", "password": "whatever-it-is"})
    assert response.status_code == 400
    assert "token" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "someone", "password": "whatever-it-is"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and response.headers.get("HX-Refresh") == "true"
    assert count(app, LoginAttempt) == 0

    c, _ = as_role("agent")
    assert c.post("/customers/new", data=PROFILE).status_code == 400
    response = c.post("/customers/new", data=PROFILE, headers={"HX-Request": "true"})
    assert response.status_code == 400 and response.headers.get("HX-Refresh") == "true"
    # A made-up token, and a real token from another session, are no better than none.
    assert c.post("/customers/new", data=PROFILE | {"csrf_token": "forged"}).status_code == 400
    response = c.post("/customers/new", data=PROFILE, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
    assert response.status_code == 400 and response.headers.get("HX-Refresh") == "true"
    assert c.post("/customers/new", data=PROFILE | {"csrf_token": client.token()}).status_code == 400
    assert customer_by_code(app, "BI-0001") is None
    # The same request with the session's own token goes through.
    assert c.form("/customers/new", PROFILE).status_code == 303


def test_body_over_the_limit_is_413_not_500(app, client, as_role):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    big = "x" * (limit + 1)
    response = client.form("/login", {"username": "someone", "password": big})
    assert response.status_code == 413
    c, _ = as_role("agent")
    response = c.form("/customers/new", PROFILE | {"notes": big})
    assert response.status_code == 413
    response = c.hx("POST", "/customers/new", data=PROFILE | {"notes": big})
    assert response.status_code == 413 and "toast" in response.headers["HX-Trigger"]
    # multipart: one text part over MAX_FORM_MEMORY_SIZE, or too many parts, with a small body
    part = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    token = {"csrf_token": c.token()}
    response = c.post("/customers/new", **multipart(token | PROFILE | {"notes": part}))
    assert response.status_code == 413
    many = {f"field{n}": "x" for n in range(app.config["MAX_FORM_PARTS"] + 1)}
    response = c.post("/customers/new", **multipart(token | PROFILE | many))
    assert response.status_code == 413
    assert count(app, Customer) == 0
    # the same body within the limits is a normal request
    assert c.post("/customers/new", **multipart(token | PROFILE)).status_code == 303
    assert customer_by_code(app, "BI-0001") is not None


# --- hostile text in every field ----------------------------------------------------------


def test_hostile_text_in_customer_form_is_cleaned_or_refused(app, as_role):
    c, agent = as_role("agent")
    n = 0
    for field in ("name_zh", "name_en", "address", "notes"):
        for case, (typed, stored) in ACCEPTED.items():
            n += 1
            code = f"HT-{n:03d}"
            response = c.form("/customers/new", PROFILE | {"code": code, field: typed})
            assert response.status_code == 303, (field, case, response.status_code)
            customer = customer_by_code(app, code)
            assert getattr(customer, field) == stored, (field, case)
            assert "\x00" not in customer.sort_name
            page = c.get(urlsplit(response.location).path)
            assert page.status_code == 200, (field, case)
            if case == "markup":
                assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
        # 10,000 characters: refused next to the field, and nothing typed is lost.
        n += 1
        typed = PROFILE | {"code": f"HT-{n:03d}", field: LONG}
        for response in (c.form("/customers/new", typed), c.hx("POST", "/customers/new", data=typed)):
            assert response.status_code == 422, field
            assert has_error(response)
            assert_echoed(response, typed)
        assert customer_by_code(app, typed["code"]) is None

    # The list and search show the accepted records (escaped), whatever they hold.
    listing = c.get("/customers?q=ocean")
    assert listing.status_code == 200 and "🚢 Ocean Freight 👍🏽" in listing.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in c.get("/customers").get_data(as_text=True)

    # The code: control characters go; anything outside the code alphabet is refused.
    for typed, stored in (("nu\x00l-1", "NUL-1"), ("\x01ab-\x07cd", "AB-CD"), ("\u202eab-1", "AB-1")):
        assert c.form("/customers/new", PROFILE | {"code": typed}).status_code == 303, typed
        assert customer_by_code(app, stored) is not None
    for typed in ("🚢-1", "A\u0301B", MARKUP, "A" * 10_000, "\x00\x00"):
        response = c.form("/customers/new", PROFILE | {"code": typed})
        assert response.status_code == 422 and has_error(response), repr(typed[:20])
        assert_echoed(response, PROFILE | {"code": typed})

    # A name of control characters only is no name.
    response = c.form("/customers/new", PROFILE | {"code": "CTL-1", "name_zh": "\x00\x01", "name_en": "\x7f"})
    assert response.status_code == 422 and "Enter the Chinese name, the English name, or both." in response.get_data(as_text=True)

    # Select fields and the owner with junk: refused or cleaned, never a 500.
    # (junk, expected): cleaning makes "direct\x00" a kind and "\x00" a ticked box; the rest is refused.
    for n, (junk, expected) in enumerate((({"kind": "direct\x00"}, 303), ({"kind": "🚢"}, 422), ({"grade": "Z"}, 422),
                                         ({"source": LONG}, 422), ({"preferred_locale": "xx"}, 422),
                                         ({"country": "ZZZ"}, 422), ({"country": "t\x00w"}, 422),
                                         ({"owner_id": "abc"}, 422), ({"owner_id": "1\x00"}, 422),
                                         ({"is_vip": "\x00"}, 303))):
        code = f"JNK-{n}"
        response = c.form("/customers/new", PROFILE | {"code": code} | junk)
        assert response.status_code == expected, junk
        if response.status_code == 422:
            assert has_error(response), junk
            assert_echoed(response, PROFILE | {"code": code}, skip=junk)
        else:
            created = customer_by_code(app, code)
            assert created.owner_id == agent.id and "\x00" not in (created.kind + (created.country or ""))


def test_hostile_text_in_customer_edit_form_is_cleaned_or_refused(app, as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent, code="ED-1")
    for case, (typed, stored) in ACCEPTED.items():
        version = version_in(c.get(f"/customers/{cid}/edit"))
        response = c.form(f"/customers/{cid}/edit", PROFILE | {"code": "ED-1", "name_en": typed, "version": version})
        assert response.status_code == 303, case
        assert customer_by_code(app, "ED-1").name_en == stored, case
    version = version_in(c.get(f"/customers/{cid}/edit"))
    typed = PROFILE | {"code": "ED-1", "address": LONG, "version": version}
    response = c.hx("POST", f"/customers/{cid}/edit", data=typed)
    assert response.status_code == 422 and has_error(response)
    assert_echoed(response, typed, skip=("grade",))  # grade is changed on its own form, not here
    assert customer_by_code(app, "ED-1").address != LONG


def test_hostile_text_in_contact_forms_is_cleaned_or_refused(app, as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent)
    for field in ("name", "title", "wechat", "line_id"):
        for case, (typed, stored) in ACCEPTED.items():
            response = c.form(f"/customers/{cid}/contacts", CONTACT | {field: typed})
            assert response.status_code == 303, (field, case, response.status_code)
            with app.app_context():
                contact = db.session.scalar(sa.select(Contact).order_by(Contact.id.desc()).limit(1))
                assert getattr(contact, field) == stored, (field, case)
                contact_id = contact.id
            assert c.get(f"/customers/{cid}").status_code == 200
            # and the same through the inline edit form
            version = version_in(c.get(f"/customers/{cid}/contacts/{contact_id}/edit"))
            response = c.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                            data=CONTACT | {field: typed + "!", "version": version})
            assert response.status_code == 200, (field, case)
            assert getattr(contact_by_id(app, contact_id), field) == stored + "!"
            if case == "markup":
                assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        typed = CONTACT | {field: LONG}
        for response in (c.form(f"/customers/{cid}/contacts", typed),
                         c.hx("POST", f"/customers/{cid}/contacts", data=typed),
                         c.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                              data=typed | {"version": version_in(c.get(f"/customers/{cid}/contacts/{contact_id}/edit"))})):
            assert response.status_code == 422 and has_error(response), field
            assert_echoed(response, typed)
    before = count(app, Contact)

    # Phone and e-mail: NUL and control characters are dropped, anything else odd is refused.
    for field, typed, stored in (("phone", "+886\x00 2 2712\x07 3456", "+886 2 2712 3456"),
                                 ("email", "wang\x00@example\x01.com", "wang@example.com")):
        assert c.form(f"/customers/{cid}/contacts", CONTACT | {field: typed}).status_code == 303
        with app.app_context():
            assert getattr(db.session.scalar(sa.select(Contact).order_by(Contact.id.desc()).limit(1)), field) == stored
    for field in ("phone", "email", "birthday"):
        for typed in ("🚢", "+886 🚢", MARKUP, LONG, "1" * 10_000):
            response = c.form(f"/customers/{cid}/contacts", CONTACT | {field: typed})
            assert response.status_code == 422 and has_error(response), (field, typed[:20])
            assert_echoed(response, CONTACT | {field: typed})
    assert count(app, Contact) == before + 2


def test_phone_the_form_accepts_fits_the_column(app, as_role, make_customer):
    """A phone number the form's pattern allows must fit contact.phone (40 characters) or be
    refused with a message: PostgreSQL raises on a longer value (a 500), SQLite silently keeps
    more than the column holds."""
    c, agent = as_role("agent")
    cid = make_customer(agent)
    column = Contact.__table__.c.phone.type.length
    long_phone = "+8" + "86 2 2712 3456 / 2712 3457 / 12"[:30] + " ext. 123456"
    padded = "+886 2 2712 3456" + " " * 100 + "x12"
    for phone in (long_phone, padded):
        assert PHONE.regex.match(phone) and len(phone) > column
        response = c.form(f"/customers/{cid}/contacts", CONTACT | {"phone": phone})
        assert response.status_code == 422, (len(phone), response.status_code)
        assert has_error(response)
        assert_echoed(response, CONTACT | {"phone": phone})
    assert count(app, Contact) == 0


def test_credit_panel_refuses_bad_numbers_without_500(app, as_role, make_user, make_customer):
    finance, _ = as_role("finance")
    cid = make_customer(make_user("agent"))
    failures = []
    cases = [("credit_limit", v) for v in ("sNaN", "NaN", "-NaN", "Infinity", "-Infinity", "1e400", "-0.01",
                                           "1e13", "99999999999999999999999", "0x10", "12,000", "", "\x00", "🚢")]
    cases += [("credit_terms_days", v) for v in ("99999999999999999999", "-1", "366", "1e3", "\x00", "🚢")]
    for field, value in cases:
        data = {"credit_terms_days": "30", "credit_limit": "100", "credit_currency": "USD",
                "version": customer_by_code(app, "T-0001").version} | {field: value}
        response = finance.hx("POST", f"/customers/{cid}/credit", data=data)
        if response.status_code != 422 or not has_error(response):
            failures.append(f"{field}={value!r} -> {response.status_code}")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)
    customer = customer_by_code(app, "T-0001")
    assert (customer.credit_terms_days, customer.credit_limit) == (0, 0)


def test_owner_pickers_refuse_unknown_and_out_of_range_ids_without_500(app, as_role, make_user, make_customer):
    """Ids beyond 32 bits overflow PostgreSQL's integer, beyond 64 bits SQLite's: never a 500."""
    supervisor, boss = as_role("supervisor")
    cid = make_customer(make_user("agent"))
    failures = []
    for n, owner_id in enumerate(("0", "-1", "999999", str(2**31), str(2**63), "9" * 20, "abc", "\x00")):
        version = customer_by_code(app, "T-0001").version
        response = supervisor.hx("POST", f"/customers/{cid}/owner", data={"owner_id": owner_id, "version": version})
        if response.status_code != 422 or not has_error(response):
            failures.append(f"reassign owner_id={owner_id!r} -> {response.status_code}")
        response = supervisor.form("/customers/new", PROFILE | {"code": f"OWN-{n}", "owner_id": owner_id})
        if response.status_code != 422 or not has_error(response):   # an owner nobody is: refused, not guessed
            failures.append(f"new customer owner_id={owner_id!r} -> {response.status_code}")
    with app.app_context():
        owners = set(db.session.scalars(sa.select(Customer.owner_id)))
        assert owners <= set(db.session.scalars(sa.select(User.id)))  # never an unknown owner
    print("\n".join(failures))
    assert not failures, "\n".join(failures)
    assert customer_by_code(app, "T-0001").owner_id != boss.id


def test_grade_panel_refuses_bad_reasons(app, as_role, make_user, make_customer):
    supervisor, _ = as_role("supervisor")
    cid = make_customer(make_user("agent"))
    for reason in (LONG, "\x00\x01", "   "):
        version = customer_by_code(app, "T-0001").version
        response = supervisor.hx("POST", f"/customers/{cid}/grade", data={"grade": "A", "reason": reason, "version": version})
        assert response.status_code == 422 and has_error(response), repr(reason[:10])
        if reason == LONG:
            assert_echoed(response, {"reason": reason})
    response = supervisor.hx("POST", f"/customers/{cid}/grade", data={
        "grade": "A", "reason": "Ships \x00monthly 🚢", "version": customer_by_code(app, "T-0001").version})
    assert response.status_code == 200
    with app.app_context():
        from portal.customers.models import GradeChange
        assert db.session.scalar(sa.select(GradeChange.reason).order_by(GradeChange.id.desc()).limit(1)) == "Ships monthly 🚢"


# --- log-in --------------------------------------------------------------------------------


def test_login_with_huge_or_odd_credentials_is_refused_not_500(app, client, make_user):
    user = make_user("agent", "wang")
    response = client.form("/login", {"username": "u" * 10_000, "password": "p" * 10_000})
    assert response.status_code == 422 and has_error(response)
    assert "p" * 200 not in response.get_data(as_text=True)  # a password is never echoed
    for username in ("İstanbul", "ｗａｎｇ", "𝖜𝖆𝖓𝖌", "w\u0301ang", "🚢", "ß" * 40,
                     "wang' OR '1'='1", "%", "_ang", "\\"):
        response = client.form("/login", {"username": username, "password": "correct-horse-battery"})
        assert response.status_code == 401, (username, response.status_code)   # nobody has that name
        assert has_error(response)
    client.login_as(user)


def test_login_with_control_characters_never_stores_nul(app, client, make_user):
    user = make_user("agent", "wang")
    for field in ("username", "password"):
        for n, (typed, _) in enumerate([*ACCEPTED.values(), ("\x00", ""), ("\x00wang\x00", "")]):
            # a different name each time: five failures for one name would throttle it (429)
            data = {"username": f"nobody{n}", "password": "not-the-password"} | {field: typed}
            response = client.form("/login", data)
            # a username of control characters only is no username (422); anything else is wrong (401)
            expected = 422 if field == "username" and not clean_text(typed) else 401
            assert response.status_code == expected, (field, repr(typed), response.status_code)
            assert has_error(response)
    with app.app_context():
        names = db.session.scalars(sa.select(LoginAttempt.username)).all()
        assert names and all("\x00" not in name and len(name) <= 40 for name in names)
    client.login_as(user)


def test_login_next_never_leaves_the_site(app, make_user):
    make_user("agent", "wang")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example",
                   "\\\\evil.example", "javascript:alert(1)", "/customers\r\nSet-Cookie: x=1", "/%0d%0aX: 1",
                   "/\x00", "/" + "a" * 5000):
        c = app.test_client()
        c.get("/login?next=" + quote(target, safe=""))
        response = c.form("/login", {"username": "wang", "password": "correct-horse-battery", "next": target})
        assert response.status_code == 303, (target, response.status_code)
        location = urlsplit(response.location)
        assert not location.scheme and not location.netloc and location.path.startswith("/"), (target, response.location)
        assert not location.path.startswith("//") and "\n" not in response.location


# --- ids and query strings ------------------------------------------------------------------


def test_unknown_and_out_of_range_ids_are_404(app, as_role, make_customer):
    c, agent = as_role("agent")
    admin, _ = as_role("admin")
    for bad in ("999999", "99999999999999999999", str(2**31), "0", "-1", "abc", "1.5", "%00", "1e3", "0x1"):
        for url in (f"/customers/{bad}", f"/customers/{bad}/edit", f"/customers/{bad}/timeline",
                    f"/customers/{bad}/contacts/1"):
            assert c.get(url).status_code == 404, url
        assert c.form(f"/customers/{bad}/contacts", {"name": "X"}).status_code == 404
        assert admin.get(f"/admin/users/{bad}").status_code == 404
        assert admin.form(f"/admin/users/{bad}/password", {"password": "long-enough-pw"}).status_code == 404
    response = c.hx("GET", "/customers/999999")
    assert response.status_code == 404 and "toast" in response.headers["HX-Trigger"]

    # A contact id that belongs to another customer is not found through this one.
    mine = make_customer(agent, contacts=[{"name": "Mine"}])
    other = make_customer(agent, contacts=[{"name": "Theirs"}])
    with app.app_context():
        theirs = db.session.scalar(sa.select(Contact).where(Contact.customer_id == other))
        theirs_id, theirs_version = theirs.id, theirs.version
    for customer_id, contact_id in ((mine, theirs_id), (mine, 999999)):
        base = f"/customers/{customer_id}/contacts/{contact_id}"
        assert c.get(base).status_code == 404
        assert c.get(f"{base}/edit").status_code == 404
        assert c.form(f"{base}/edit", {"name": "Hijacked", "version": theirs_version}).status_code == 404
        assert c.form(f"{base}/delete", {}).status_code == 404
        assert c.hx("POST", f"{base}/delete").status_code == 404
    assert contact_by_id(app, theirs_id).name == "Theirs"


def test_ids_are_ascii_digits_only(as_role, make_customer):
    """`<id:...>` takes 1 to 2**31-1 written in ASCII digits; other digits (full-width １, Arabic-Indic ١)
    are not another spelling of an existing record's URL."""
    admin, user = as_role("admin")
    cid = make_customer(as_role("agent")[1])
    failures = []
    for name, zero in (("full-width", 0xFF10), ("Arabic-Indic", 0x0660), ("mathematical bold", 0x1D7CE)):
        for url in (f"/admin/users/{user.id}", f"/customers/{cid}"):
            assert admin.get(url).status_code == 200
            other = re.sub(r"[0-9]+$", lambda m: "".join(chr(zero + int(d)) for d in m.group()), url)
            status = admin.get(quote(other)).status_code
            if status != 404:
                failures.append(f"{name} digits: {other} -> {status}")
    assert admin.get(quote("/customers/¹")).status_code == 404
    assert not failures, "\n".join(failures)


def test_malformed_query_strings_on_lists_are_200(app, as_role, make_customer):
    c, agent = as_role("agent")
    admin, _ = as_role("admin")
    for n in range(3):
        make_customer(agent)
    cursors = ['["x",1e400]', '["x",99999999999999999999]', f'["x",{2**31}]', f'["x",{2**63}]', '["x",-1]',
               '["\\u0000",1]', '["x\\u0000y",1]', '[1,2,3]', '{"a":1}', '["x","1"]', '["x",true]', '["x",1.5]',
               '[null,null]', '[[],{}]', '"x"', '[]']
    queries = ["after=garbage", "after=%FF%FE", "after=" + "A" * 600, "after=%00", "sort=drop%20table",
               "sort=drop table", "dir=sideways", "owner=99999999999999999999", "owner=%C2%B2",
               "owner=%EF%BC%91", "owner=%D9%A3", "owner=-1", "owner=0", "owner=%00",
               "q=" + "x" * 5000, "q=%00", "q=%FF", "q=" + quote("長" * 3000), "q=%25%5F%5C", "grade=Z",
               "grade=%00", "kind=%00", "vip=%FF", "state_owned=1&vip=1", "lang=xx", "lang=%00", "q=a&q=b",
               "sort=updated&after=" + cursor('["2024-13-45T00:00:00",1]'),
               "sort=updated&after=" + cursor('["2024-01-01T00:00:00+08:00",1]'),
               "sort=updated&after=" + cursor('[12345,1]'),
               "sort=updated&dir=desc&after=" + cursor('["9999-12-31T23:59:59",2147483647]')]
    queries += [f"sort={sort}&after={cursor(raw)}" for raw in cursors for sort in ("name", "grade")]
    failures = []
    for query in queries:
        for response in (c.get(f"/customers?{query}"), c.hx("GET", f"/customers?{query}")):
            if response.status_code != 200:
                failures.append(f"/customers?{query[:80]} -> {response.status_code}")
    for raw in cursors + ['["x"]', "garbage"]:
        response = admin.get(f"/admin/users?after={cursor(raw)}")
        if response.status_code != 200:
            failures.append(f"/admin/users?after={raw} -> {response.status_code}")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)


def test_search_finds_words_and_never_treats_symbols_as_wildcards(as_role, make_customer):
    c, agent = as_role("agent")
    make_customer(agent, code="PCT-1", name_en="100% Cotton Ltd", name_zh=None)
    make_customer(agent, code="UND-1", name_en="Under_Score Shipping", name_zh=None)
    make_customer(agent, code="BSL-1", name_en="Back\\Slash Co", name_zh=None)
    make_customer(agent, code="PLN-1", name_en="Plain Trading", name_zh=None)
    codes = ("PCT-1", "UND-1", "BSL-1", "PLN-1")
    # Words are searched; symbols separate words and, alone, find nothing (never a wildcard).
    for q, expected in (("%", set()), ("0%", set()), ("100%", {"PCT-1"}), ("_", set()), ("under_score", {"UND-1"}),
                        ("\\", set()), ("back\\slash", {"BSL-1"}), ("%_", set()), ("\\%", set()), ("[a-z]", set()),
                        ("*", set()), ("' OR 1=1 --", set()), ('"shipping" OR "co"', set()), ("plain", {"PLN-1"}),
                        ("PLA", {"PLN-1"})):
        response = c.hx("GET", f"/customers?q={quote(q)}")
        assert response.status_code == 200, q
        page = response.get_data(as_text=True)
        assert {code for code in codes if code in page} == expected, q


# --- stale edits ------------------------------------------------------------------------------


def test_stale_edit_is_409_with_message_and_typed_values_kept(app, as_role, make_customer):
    c, agent = as_role("agent")
    supervisor, _ = as_role("supervisor")
    cid = make_customer(agent, code="ST-1")
    form = form_values(c.get(f"/customers/{cid}/edit"))
    # Someone else saves first.
    theirs = supervisor.form(f"/customers/{cid}/edit", PROFILE | {"code": "ST-1", "version": form["version"],
                                                                  "address": "Their address"})
    assert theirs.status_code == 303
    mine = PROFILE | {"code": "ST-1", "version": form["version"], "name_en": "My Name", "address": "My address",
                      "notes": "Typed while they saved"}
    for response in (c.form(f"/customers/{cid}/edit", mine), c.hx("POST", f"/customers/{cid}/edit", data=mine)):
        assert response.status_code == 409
        assert "Someone else changed this record" in response.get_data(as_text=True)
        assert_echoed(response, mine, skip=("grade",))
    assert customer_by_code(app, "ST-1").address == "Their address"
    for version in ("", "abc", "99999999999999999999", "-1", "\x00"):
        response = c.form(f"/customers/{cid}/edit", mine | {"version": version})
        assert response.status_code == 409, repr(version)
    assert customer_by_code(app, "ST-1").address == "Their address"


def test_stale_edit_is_still_refused_after_a_validation_error(app, as_role, make_customer):
    """A form loaded before someone else's save stays stale when it first comes back with a 422:
    correcting the mistake and sending again must be refused (409), not overwrite their save."""
    c, agent = as_role("agent")
    supervisor, _ = as_role("supervisor")
    cid = make_customer(agent, code="ST-2")
    loaded = form_values(c.get(f"/customers/{cid}/edit"))
    assert supervisor.form(f"/customers/{cid}/edit", PROFILE | {
        "code": "ST-2", "version": loaded["version"], "address": "Their address"}).status_code == 303
    mine = PROFILE | {"code": "ST-2", "version": loaded["version"], "address": "My address", "name_zh": LONG}
    invalid = c.hx("POST", f"/customers/{cid}/edit", data=mine)
    assert invalid.status_code == 422
    corrected = mine | {"name_zh": "長興海運", "version": version_in(invalid)}
    response = c.hx("POST", f"/customers/{cid}/edit", data=corrected)
    assert response.status_code == 409, "a stale form became fresh after a 422 and overwrote another user's save"
    assert customer_by_code(app, "ST-2").address == "Their address"


def test_stale_contact_edit_is_still_refused_after_a_validation_error(app, as_role, make_customer):
    c, agent = as_role("agent")
    supervisor, _ = as_role("supervisor")
    cid = make_customer(agent, contacts=[{"name": "Chen"}])
    with app.app_context():
        contact_id = db.session.scalar(sa.select(Contact.id).where(Contact.customer_id == cid))
    loaded = version_in(c.get(f"/customers/{cid}/contacts/{contact_id}/edit"))
    assert supervisor.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                         data=CONTACT | {"name": "Their Chen", "version": loaded}).status_code == 200
    invalid = c.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                   data=CONTACT | {"name": "My Chen", "phone": "call me", "version": loaded})
    assert invalid.status_code == 422
    response = c.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                    data=CONTACT | {"name": "My Chen", "version": version_in(invalid)})
    assert response.status_code == 409, "a stale contact form became fresh after a 422"
    assert contact_by_id(app, contact_id).name == "Their Chen"


def test_stale_contact_edit_is_409_with_typed_values_kept(app, as_role, make_customer):
    c, agent = as_role("agent")
    supervisor, _ = as_role("supervisor")
    cid = make_customer(agent, contacts=[{"name": "Chen"}])
    with app.app_context():
        contact_id = db.session.scalar(sa.select(Contact.id).where(Contact.customer_id == cid))
    loaded = version_in(c.get(f"/customers/{cid}/contacts/{contact_id}/edit"))
    assert supervisor.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit",
                         data=CONTACT | {"name": "Their Chen", "version": loaded}).status_code == 200
    mine = CONTACT | {"name": "My Chen", "title": "Typed title", "version": loaded}
    response = c.hx("POST", f"/customers/{cid}/contacts/{contact_id}/edit", data=mine)
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert_echoed(response, mine)
    assert contact_by_id(app, contact_id).name == "Their Chen"


def test_stale_user_edit_is_still_refused_after_a_validation_error(app, as_role, make_user):
    admin, _ = as_role("admin")
    other_admin, _ = as_role("admin")
    user = make_user("agent", display_name="Jason Lin")
    loaded = form_values(admin.get(f"/admin/users/{user.id}"))
    fields = {k: v for k, v in loaded.items() if k in ("display_name", "email", "role", "team", "locale",
                                                      "timezone", "version") and v is not None}
    fields |= {"active": "y", "locale": fields.get("locale") or "en", "timezone": fields.get("timezone") or "UTC"}
    assert other_admin.form(f"/admin/users/{user.id}", fields | {"display_name": "Their Name"}).status_code == 303
    invalid = admin.hx("POST", f"/admin/users/{user.id}", data=fields | {"display_name": LONG})
    assert invalid.status_code == 422
    response = admin.hx("POST", f"/admin/users/{user.id}", data=fields | {"display_name": "My Name",
                                                                         "version": version_in(invalid)})
    assert response.status_code == 409, "a stale user form became fresh after a 422"
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Their Name"
