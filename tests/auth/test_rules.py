"""Accounts: argon2 hashes, throttling kept in the database, admin guards."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth import rules
from portal.auth.models import LoginAttempt, User
from portal.core.rules import RuleViolation
from portal.extensions import db
from tests.conftest import PASSWORD


def test_passwords_are_stored_as_argon2id(make_user, ctx):
    user = db.session.get(User, make_user("agent").id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert rules.verify_password(user, PASSWORD)
    assert not rules.verify_password(user, PASSWORD + "x")


def test_login_succeeds_and_records_the_attempt(make_user, ctx):
    user = make_user("agent")
    assert rules.authenticate(user.username.upper(), PASSWORD, "10.0.0.1").id == user.id
    attempt = db.session.scalar(sa.select(LoginAttempt))
    assert attempt.succeeded and attempt.address == "10.0.0.1"


def test_throttled_after_too_many_failures_for_one_account(app, make_user, ctx):
    user = make_user("agent")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(limit):
        with pytest.raises(rules.LoginRefused) as refused:
            rules.authenticate(user.username, "wrong", f"10.0.0.{n}")
        assert not refused.value.throttled
    # Even the right password is refused now, from any address.
    with pytest.raises(rules.LoginRefused) as refused:
        rules.authenticate(user.username, PASSWORD, "10.9.9.9")
    assert refused.value.throttled


def test_throttle_window_passes(app, make_user, ctx):
    user = make_user("agent")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        with pytest.raises(rules.LoginRefused):
            rules.authenticate(user.username, "wrong", "10.0.0.1")
    for attempt in db.session.scalars(sa.select(LoginAttempt)):
        attempt.at -= app.config["LOGIN_THROTTLE_WINDOW"] + timedelta(seconds=1)
    assert rules.authenticate(user.username, PASSWORD, "10.0.0.1").id == user.id


def test_throttled_per_address_across_accounts(app, make_user, ctx):
    user = make_user("agent")
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        with pytest.raises(rules.LoginRefused):
            rules.authenticate(f"guess{n}", "wrong", "192.0.2.7")
    with pytest.raises(rules.LoginRefused) as refused:
        rules.authenticate(user.username, PASSWORD, "192.0.2.7")
    assert refused.value.throttled
    assert rules.authenticate(user.username, PASSWORD, "192.0.2.8").id == user.id


def test_deactivated_user_cannot_log_in(make_user, ctx):
    user = make_user("agent", active=False)
    with pytest.raises(rules.LoginRefused):
        rules.authenticate(user.username, PASSWORD, "10.0.0.1")


def test_only_agents_are_new_hires(ctx):
    with pytest.raises(RuleViolation) as refused:
        rules.create_user(None, "lead", PASSWORD, role="supervisor", is_new_hire=True)
    assert refused.value.field == "is_new_hire"


def test_new_hire_probation(make_user, clock, ctx):
    from datetime import timedelta
    ends = clock.start.date() + timedelta(days=30)
    user = db.session.get(User, make_user("agent", is_new_hire=True, probation_ends_on=ends).id)
    assert user.in_probation(ends)
    assert not user.in_probation(ends + timedelta(days=1))


def test_the_last_admin_stays(make_user, ctx):
    admin = db.session.get(User, make_user("admin").id)
    other = db.session.get(User, make_user("admin").id)
    rules.update_user(admin, other, other.version, role="agent")
    with pytest.raises(RuleViolation):
        rules.update_user(other, admin, admin.version, role="agent")
    with pytest.raises(RuleViolation):
        rules.update_user(admin, admin, admin.version, active=False)


def test_weak_password_is_refused(ctx):
    with pytest.raises(RuleViolation) as refused:
        rules.create_user(None, "short", "123", role="agent")
    assert refused.value.field == "password"


def test_user_changes_are_audited(make_user, ctx):
    from portal.core.audit import AuditEntry
    admin = db.session.get(User, make_user("admin").id)
    agent = db.session.get(User, make_user("agent").id)
    rules.update_user(admin, agent, agent.version, role="supervisor")
    rules.reset_password(admin, agent, "another-long-password")
    db.session.commit()
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.subject_type == "user", AuditEntry.subject_id == agent.id).order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "password_reset"]
