"""Login, logout, sessions and the admin screens."""
import json
import subprocess
import sys

import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db
from tests.conftest import PASSWORD


def test_login_page_and_wrong_password(client, make_user):
    user = make_user("agent")
    response = client.form("/login", {"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert f'value="{user.username}"' in response.get_data(as_text=True)


def test_login_changes_the_session_and_logout_ends_it(client, make_user):
    user = make_user("agent")
    client.get("/login")
    before = client.get_cookie("session").value
    client.login_as(user)
    after = client.get_cookie("session").value
    assert before != after
    assert client.get("/customers").status_code == 200
    assert client.form("/logout").status_code == 303
    assert client.get("/customers").status_code == 302


def test_login_follows_only_local_next(client, make_user):
    user = make_user("agent")
    token = client.token()
    local = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token,
                                         "next": "/customers?grade=A"})
    assert local.headers["Location"] == "/customers?grade=A"
    client.form("/logout")
    client._token = None
    evil = client.form("/login", {"username": user.username, "password": PASSWORD, "next": "//evil.example/x"})
    assert evil.headers["Location"] == "/"


def test_throttled_login_answers_429(app, client, make_user):
    user = make_user("agent")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.form("/login", {"username": user.username, "password": "wrong"})
    response = client.form("/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_deactivated_user_is_logged_out_at_the_next_request(app, as_role):
    c, user = as_role("agent")
    assert c.get("/customers").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert c.get("/customers").status_code == 302


def test_idle_session_is_logged_out(app, as_role):
    c, _ = as_role("agent")
    with c.session_transaction() as session:
        session["seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() + 5
    response = c.get("/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_expired_login_on_htmx_request_redirects_the_page(client):
    response = client.get("/customers?q=x", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/customers?q=x"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_admin_creates_edits_and_resets_users(app, as_role):
    c, admin = as_role("admin")
    bad = c.hx("POST", "/admin/users/new", data={"username": "Bad Name", "password": "short", "display_name": "",
                                                 "role": "agent", "locale": "en", "timezone": "Asia/Taipei"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Use 2 to 40 lower-case letters" in page and "Use 10 to 128 characters." in page
    made = c.hx("POST", "/admin/users/new", data={
        "username": "amy.wu", "password": "a-long-password", "display_name": "吳怡君 Amy Wu", "role": "agent",
        "is_new_hire": "y", "probation_ends_on": "2027-02-28", "team": "direct", "locale": "zh_Hant",
        "timezone": "Asia/Taipei", "active": "y"})
    assert made.status_code == 204 and made.headers["HX-Redirect"] == "/admin/users"
    with app.app_context():
        amy = db.session.scalar(sa.select(User).where(User.username == "amy.wu"))
        assert amy.is_new_hire and amy.team == "direct" and amy.probation_ends_on.isoformat() == "2027-02-28"
    assert "吳怡君 Amy Wu" in c.get("/admin/users").get_data(as_text=True)
    edited = c.form(f"/admin/users/{amy.id}", {"display_name": "吳怡君", "role": "supervisor", "locale": "zh_Hant",
                                               "timezone": "Asia/Taipei", "active": "y", "version": amy.version})
    assert edited.status_code == 303
    reset = c.hx("POST", f"/admin/users/{amy.id}/password", data={"password": "brand-new-password"})
    assert reset.status_code == 200 and "toast" in json.loads(reset.headers["HX-Trigger"])
    fresh = app.test_client()
    fresh.form("/login", {"username": "amy.wu", "password": "brand-new-password"})
    assert fresh.get("/customers").status_code == 200


def test_admin_deactivates_a_user_and_lists_them_apart(app, as_role, make_user):
    c, _ = as_role("admin")
    leaver = make_user("agent", display_name="Leaving Soon")
    c.form(f"/admin/users/{leaver.id}", {"display_name": "Leaving Soon", "role": "agent", "locale": "en",
                                         "timezone": "Asia/Taipei", "version": leaver.version})
    assert "<td>Leaving Soon</td>" not in c.get("/admin/users").get_data(as_text=True)
    assert "<td>Leaving Soon</td>" in c.get("/admin/users?inactive=1").get_data(as_text=True)


def test_cli_creates_a_user_with_password_from_stdin(app, tmp_path):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PATH": "/usr/bin:/bin",
           "PORTAL_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "lin.jason",
                             "--role", "agent", "--new-hire", "--locale", "zh_Hant"],
                            input="a-long-password\n", capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "lin.jason"))
        assert user.is_new_hire and user.locale == "zh_Hant" and user.role == "agent"
    again = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "lin.jason",
                            "--role", "agent"], input="a-long-password\n", capture_output=True, text=True,
                           env=env, timeout=60)
    assert again.returncode != 0 and "taken" in again.stderr
