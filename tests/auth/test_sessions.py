"""Sessions that end: a session cookie copied before logout, a password reset, a role change or a
deactivation is refused afterwards, on every worker (the check is in the database)."""
import pytest

from portal.auth import rules
from portal.auth.models import User
from portal.extensions import db


def _copy_of(app, client):
    """Another browser holding the same session cookie (copied, or the same user at a second PC)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    return other


def test_a_cookie_copied_before_logout_is_refused_after_it(app, as_role):
    c, _ = as_role("agent")
    thief = _copy_of(app, c)
    assert thief.get("/customers").status_code == 200           # the copy works while the session is open
    assert c.form("/logout").status_code == 303
    refused = thief.get("/customers")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    htmx = thief.get("/customers", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


def test_logging_out_ends_the_users_other_sessions_too(app, as_role):
    c, user = as_role("agent")
    second = app.test_client()
    second.login_as(user)                                         # the same person at a second computer
    assert second.get("/customers").status_code == 200
    c.form("/logout")
    assert second.get("/customers").status_code == 302


@pytest.mark.parametrize("change", ["password", "role", "deactivate"])
def test_an_admin_change_ends_every_session_of_the_user_at_once(app, as_role, make_user, change):
    c, user = as_role("agent")
    with app.test_request_context():
        actor = db.session.get(User, make_user("admin").id)
        target = db.session.get(User, user.id)
        if change == "password":
            rules.reset_password(actor, target, "a-brand-new-password")
        else:
            fields = {"role": "supervisor"} if change == "role" else {"active": False}
            rules.update_user(actor, target, target.version, **fields)
        db.session.commit()
    assert c.get("/customers").status_code == 302


def test_changing_a_name_leaves_the_session_open(app, as_role, make_user):
    c, user = as_role("agent")
    with app.test_request_context():
        actor = db.session.get(User, make_user("admin").id)
        target = db.session.get(User, user.id)
        rules.update_user(actor, target, target.version, display_name="Jason Lin (Kaohsiung)")
        db.session.commit()
    assert c.get("/customers").status_code == 200


def test_a_cookie_with_a_forged_or_old_session_epoch_is_refused(app, as_role):
    """The cookie names user and epoch; one made up from an id alone (an older format) is refused."""
    from flask.sessions import SecureCookieSessionInterface
    c, user = as_role("agent")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    for forged in (str(user.id), f"{user.id}.0", f"{user.id}.x", f"{user.id}.99", "", "1.1.1"):
        other = app.test_client()
        other.set_cookie("session", serializer.dumps({"_user_id": forged, "_fresh": True, "seen": 9e12}))
        assert other.get("/customers").status_code == 302, forged
