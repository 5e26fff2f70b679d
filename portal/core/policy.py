"""The one permission policy: can(user, action, obj=None).

Views and templates ask it; nothing else checks roles. Each action maps to a rule that
takes the user and, for record-level actions, the record.
"""
from enum import StrEnum

from flask import abort
from flask_login import current_user


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FINANCE = "finance"
    ADMIN = "admin"


STAFF = frozenset(Role)


def _roles(*roles):
    allowed = frozenset(roles)
    return lambda user, obj: user.role in allowed


def _owner_or(*roles):
    """The record's owner, or one of roles (record-level rule)."""
    allowed = frozenset(roles)

    def rule(user, obj):
        if user.role in allowed:
            return True
        return obj is not None and user.role == Role.AGENT and obj.owner_id == user.id

    return rule


RULES = {
    "customers.list": _roles(*STAFF),
    "customers.view": _roles(*STAFF),
    "customers.create": _roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN),
    "customers.edit": _owner_or(Role.SUPERVISOR, Role.ADMIN),
    "customers.reassign": _roles(Role.SUPERVISOR, Role.ADMIN),
    "customers.grade": _roles(Role.SUPERVISOR, Role.ADMIN),
    "customers.credit": _roles(Role.FINANCE, Role.ADMIN),
    "audit.view": _roles(Role.SUPERVISOR, Role.ADMIN),
    "users.manage": _roles(Role.ADMIN),
}


def can(user, action: str, obj=None) -> bool:
    """May user do action (on obj)? Unknown actions are refused, so a typo fails closed."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no policy rule for {action!r}")
    return rule(user, obj)


def require(action: str, obj=None) -> None:
    """Abort with 403 unless the current user may do action."""
    if not can(current_user, action, obj):
        abort(403)
