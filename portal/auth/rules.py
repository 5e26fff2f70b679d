"""Accounts: passwords, login throttling, user administration."""
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.holdings import holdings_of
from portal.auth.models import LoginAttempt, Team, User
from portal.config import LANGUAGES
from portal.core import audit
from portal.core.clock import now
from portal.core.policy import BOOK_HOLDERS, Role
from portal.core.rules import RuleViolation, check_version
from portal.extensions import db

PASSWORD_MIN = 10
PASSWORD_MAX = 128
USER_FIELDS = ("display_name", "email", "phone", "role", "is_new_hire", "probation_ends_on", "team",
               "locale", "timezone", "active")


class LoginRefused(Exception):
    def __init__(self, message, throttled: bool = False):
        super().__init__(str(message))
        self.message = message
        self.throttled = throttled


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise RuleViolation(_l("Use at least %(n)d characters.", n=PASSWORD_MIN), "password")
    if len(password) > PASSWORD_MAX:
        raise RuleViolation(_l("Use at most %(n)d characters.", n=PASSWORD_MAX), "password")


def verify_password(user: User, password: str) -> bool:
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def failures_since_success(column, value, since) -> int:
    last_success = sa.select(sa.func.max(LoginAttempt.at)).where(
        column == value, LoginAttempt.succeeded.is_(True)).scalar_subquery()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            column == value,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
            sa.or_(last_success.is_(None), LoginAttempt.at > last_success),
        )
    )


def is_throttled(username: str, address: str) -> bool:
    """Too many recent failures for this account or from this address."""
    config = current_app.config
    since = now() - config["LOGIN_THROTTLE_WINDOW"]
    if failures_since_success(LoginAttempt.username, username, since) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    return failures_since_success(LoginAttempt.address, address, since) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def authenticate(username: str, password: str, address: str) -> User:
    """The user these credentials belong to, or LoginRefused. Every attempt is logged."""
    username = (username or "").strip().lower()[:40]
    address = (address or "unknown")[:64]
    if is_throttled(username, address):
        raise LoginRefused(_l("Too many failed attempts. Wait %(minutes)d minutes and try again.",
                              minutes=int(current_app.config["LOGIN_THROTTLE_WINDOW"].total_seconds() // 60)),
                           throttled=True)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        _hasher().hash(password)  # the same work as a verify: timing does not reveal usernames
        ok = False
    else:
        ok = verify_password(user, password) and user.active
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    if not ok:
        raise LoginRefused(_l("Wrong username or password, or the account is deactivated."))
    user.last_login_at = now()
    return user


def _check_user_fields(fields: dict, user: User | None = None) -> None:
    if Role.get(fields.get("role")) is None:
        raise RuleViolation(_l("Choose a role."), "role")
    if fields.get("team") is not None and Team.get(fields["team"]) is None:
        raise RuleViolation(_l("Choose a team."), "team")
    if fields.get("locale") not in (None, *LANGUAGES):
        raise RuleViolation(_l("Choose a language."), "locale")
    if fields.get("is_new_hire") and fields.get("role") != Role.AGENT:
        raise RuleViolation(_l("Only agents can be new hires."), "is_new_hire")
    if user is not None and user.role == Role.ADMIN and user.active and (
            fields.get("role") != Role.ADMIN or not fields.get("active", True)):
        remaining = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))
        if remaining == 0:
            raise RuleViolation(_l("The portal needs at least one active admin."), "role")


def _check_nothing_orphaned(user: User, fields: dict) -> None:
    """R-H4: a user who holds customers (or anything else a feature registered) keeps the
    account and role that may hold them until they are handed over to colleagues."""
    keeps = fields.get("active", True) and fields.get("role") in BOOK_HOLDERS
    if not user.active or user.role not in BOOK_HOLDERS or keeps:
        return
    held = holdings_of(user)
    if held:
        what = ", ".join(h.label for h in held)
        field = "active" if not fields.get("active", True) else "role"
        raise RuleViolation(_l("%(name)s still holds %(what)s. Hand them over to colleagues first, then change "
                               "the account.", name=user.display_name, what=what), field)


def create_user(actor: User | None, username: str, password: str, **fields) -> User:
    username = (username or "").strip().lower()
    if not username:
        raise RuleViolation(_l("Enter a username."), "username")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise RuleViolation(_l("This username is taken."), "username")
    check_password_strength(password)
    fields.setdefault("display_name", username)
    fields.setdefault("active", True)
    _check_user_fields(fields)
    if not fields.get("is_new_hire"):
        fields["probation_ends_on"] = None
    user = User(username=username, password_hash=hash_password(password), **fields)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", user, {f: [None, getattr(user, f)] for f in ("username", *USER_FIELDS)})
    return user


def update_user(actor: User, user: User, expected_version, **fields) -> User:
    check_version(user, expected_version)
    if actor.id == user.id and not fields.get("active", True):
        raise RuleViolation(_l("You cannot deactivate your own account."), "active")
    merged = {f: getattr(user, f) for f in USER_FIELDS} | fields
    _check_nothing_orphaned(user, merged)
    if not merged.get("is_new_hire"):
        merged["probation_ends_on"] = None
    _check_user_fields(merged, user)
    before = audit.snapshot(user, USER_FIELDS)
    for field, value in merged.items():
        setattr(user, field, value)
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if changes:
        if "role" in changes or "active" in changes:
            # New rights, or none: sessions opened under the old ones end now.
            end_sessions(user)
        db.session.flush()
        audit.record(actor, "update", user, changes)
    return user


def reset_password(actor: User, user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.flush()
    audit.record(actor, "password_reset", user)


def end_sessions(user: User) -> None:
    """Every session of this user ends at its next request, on every worker and server."""
    user.session_epoch = (user.session_epoch or 1) + 1


def log_out(user: User) -> None:
    end_sessions(user)
    db.session.flush()
    audit.record(user, "logout", user)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language choice (the header switch)."""
    if locale in LANGUAGES and user.locale != locale:
        before = user.locale
        user.locale = locale
        db.session.flush()
        audit.record(user, "update", user, {"locale": [before, locale]})


def book_holders():
    """Active users who may own customers and take over handovers (policy: customers.own), for pickers."""
    return db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.role.in_(sorted(BOOK_HOLDERS)))
        .order_by(User.display_name)
    ).all()

