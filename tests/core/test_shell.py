"""The shell every screen shares: headers, health check, error pages, languages, toasts."""
import json

from portal.auth.models import User
from portal.extensions import db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_security_headers_forbid_inline_script_and_eval(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "HX-Request" in response.headers["Vary"]


def test_pages_carry_the_htmx_config_and_csrf_header(client):
    page = client.get("/login").get_data(as_text=True)
    config = page.split('name="htmx-config" content=\'')[1].split("'>")[0]
    parsed = json.loads(config)
    assert parsed["selfRequestsOnly"] is True
    assert parsed["allowEval"] is False
    assert parsed["historyRestoreAsHxRequest"] is False
    assert any(rule["code"] == "422" and rule["swap"] for rule in parsed["responseHandling"])
    assert '"X-CSRFToken": "' in page
    assert "/static/vendor/htmx.min.js" in page


def test_browser_language_decides_before_login(client):
    assert "登入" in client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}).get_data(as_text=True)
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Log in" in client.get("/login", headers={"Accept-Language": "de-DE,en;q=0.5"}).get_data(as_text=True)


def test_hong_kong_browser_reads_traditional(client):
    page = client.get("/login", headers={"Accept-Language": "zh-HK"}).get_data(as_text=True)
    assert 'lang="zh-Hant-TW"' in page


def test_lang_in_a_link_shows_that_page_only_and_changes_nothing_stored(app, as_role):
    c, user = as_role("agent", locale="en")
    assert "客戶" in c.get("/customers?lang=zh_Hant").get_data(as_text=True)
    # A link (say, a customer document opened in the customer's language) changes nothing stored.
    assert "Customers" in c.get("/customers").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"


def test_the_language_switch_is_a_post_remembered_for_the_user(app, as_role, client):
    c, user = as_role("agent", locale="en")
    response = c.form("/language", {"lang": "zh_Hant", "next": "/customers?grade=A"})
    assert response.status_code == 303 and response.headers["Location"] == "/customers?grade=A"
    assert "客戶" in c.get("/customers").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "zh_Hant"
    # Only a path of this site is followed afterwards; a language that does not exist is refused.
    assert c.form("/language", {"lang": "zh_Hans", "next": "https://evil.example/"}).headers["Location"] == "/"
    assert c.form("/language", {"lang": "klingon", "next": "/customers"}).status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).locale == "zh_Hans"
    # Before login the choice is kept for the browser.
    client.form("/language", {"lang": "zh_Hans", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_error_pages_speak_the_users_language(client):
    for lang, words in (("en", "Not found"), ("zh_Hant", "不存在"), ("zh_Hans", "不存在")):
        response = client.get(f"/no-such-page?lang={lang}")
        assert response.status_code == 404
        assert words in response.get_data(as_text=True)


def test_htmx_errors_come_back_as_a_toast(as_role):
    c, _ = as_role("agent")
    response = c.hx("GET", "/customers/999999")
    assert response.status_code == 404
    event = json.loads(response.headers["HX-Trigger"])
    assert event["toast"][0]["level"] == "error"
    assert response.get_data() == b""


def test_flash_messages_travel_as_toasts_on_htmx_requests(as_role):
    c, _ = as_role("agent")
    response = c.hx("POST", "/customers/new", data={
        "code": "TW-100", "name_zh": "台灣精密", "kind": "direct", "grade": "B", "source": "self_sourced",
        "preferred_locale": "zh_Hant"})
    assert response.status_code == 204
    target = response.headers["HX-Redirect"]
    followed = c.hx("GET", target)
    toast = json.loads(followed.headers["HX-Trigger"])["toast"]
    assert "台灣精密" in toast[0]["message"]


def test_home_sends_staff_to_customers_and_strangers_to_login(client, as_role):
    assert client.get("/").headers["Location"].startswith("/login")
    c, _ = as_role("agent")
    assert c.get("/").headers["Location"].endswith("/customers")


NEW_CUSTOMER = {"code": "TW-1", "name_zh": "甲", "kind": "direct", "grade": "B", "source": "self_sourced",
                "preferred_locale": "zh_Hant"}


def test_a_unique_value_taken_at_the_same_moment_answers_409_with_the_input_kept(app, as_role, monkeypatch):
    """The rule's own check passed (the other save had not committed yet); the database's unique
    index refuses the second row: the loser is told, the form keeps what was typed."""
    from portal.customers import rules

    c, _ = as_role("agent")
    assert c.form("/customers/new", NEW_CUSTOMER).status_code == 303
    monkeypatch.setattr(rules, "_check_profile", lambda fields, customer=None: None)  # the race window
    response = c.form("/customers/new", NEW_CUSTOMER | {"name_zh": "乙 typed meanwhile"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "at the same moment" in page and 'value="乙 typed meanwhile"' in page


def test_any_other_integrity_error_is_a_logged_500(app, as_role, monkeypatch, caplog):
    """A foreign key the database refuses is a bug, not a conflict: logged with the request."""
    from portal.customers import rules
    from portal.customers.models import GradeChange
    from portal.extensions import db as database

    def broken(actor, fields, grade, owner=None):
        database.session.add(GradeChange(customer_id=2_000_000, to_grade="B", reason="", changed_by_id=actor.id))
        database.session.flush()

    c, _ = as_role("agent")
    monkeypatch.setattr(rules, "create_customer", broken)
    response = c.form("/customers/new", NEW_CUSTOMER)
    assert response.status_code == 500
    assert any("integrity error on POST /customers/new" in r.getMessage() for r in caplog.records)


def test_pages_and_static_files_are_compressed_and_static_files_cached_for_a_year(as_role):
    import gzip
    import re as regex
    c, _ = as_role("agent")
    page = c.get("/customers", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and page.headers["Cache-Control"] == "no-store"
    html = gzip.decompress(page.data).decode()
    css = regex.search(r'href="(/static/css/portal\.css\?v=[0-9a-f]{12})"', html).group(1)
    static = c.get(css, headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200 and static.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in static.headers["Cache-Control"] and "immutable" in static.headers["Cache-Control"]
    assert b".topbar" in gzip.decompress(static.data)
    assert "immutable" not in c.get("/static/css/portal.css").headers.get("Cache-Control", "")  # no version: no promise


def test_form_messages_pickers_and_language_names_speak_the_users_language(as_role):
    """WTForms' own messages, time-zone pickers and language names on a Chinese page are Chinese."""
    c, _ = as_role("admin", locale="zh_Hans")
    response = c.form("/customers/new", {"code": "TW-0100", "name_en": "x" * 200, "kind": "direct",
                                         "grade": "B", "source": "self_sourced", "preferred_locale": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "最多 160 个字符" in page and "characters" not in page
    form = c.get("/admin/users/new").get_data(as_text=True)
    assert 'value="Asia/Taipei">台北 (GMT+08:00)</option>' in form and ">Asia/Taipei<" not in form
    assert 'value="zh_Hant">繁体中文</option>' in form and 'value="en">英语</option>' in form
    users = c.get("/admin/users").get_data(as_text=True)
    assert "<td>简体中文</td>" in users and "<td>English</td>" not in users
    shifts = c.get("/handover/shifts").get_data(as_text=True)
    assert "日班" in shifts and "Day" not in shifts and "台北" in shifts
