"""The one permission policy, unit by unit."""
from types import SimpleNamespace

import pytest

from portal.core.policy import can


def user(role, uid=1, active=True):
    return SimpleNamespace(id=uid, role=role, active=active, is_authenticated=True)


ANONYMOUS = SimpleNamespace(is_authenticated=False, active=False)
OWN = SimpleNamespace(owner_id=1)
THEIRS = SimpleNamespace(owner_id=2)


@pytest.mark.parametrize("role, action, obj, allowed", [
    ("agent", "customers.view", THEIRS, True),
    ("agent", "customers.edit", OWN, True),
    ("agent", "customers.edit", THEIRS, False),
    ("agent", "customers.create", None, True),
    ("agent", "customers.reassign", OWN, False),
    ("agent", "customers.grade", OWN, False),
    ("agent", "customers.credit", OWN, False),
    ("agent", "audit.view", OWN, False),
    ("supervisor", "customers.edit", THEIRS, True),
    ("supervisor", "customers.reassign", THEIRS, True),
    ("supervisor", "customers.grade", THEIRS, True),
    ("supervisor", "customers.credit", THEIRS, False),
    ("supervisor", "audit.view", THEIRS, True),
    ("supervisor", "users.manage", None, False),
    ("finance", "customers.view", THEIRS, True),
    ("finance", "customers.create", None, False),
    ("finance", "customers.edit", THEIRS, False),
    ("finance", "customers.credit", THEIRS, True),
    ("admin", "users.manage", None, True),
    ("admin", "customers.edit", THEIRS, True),
])
def test_role_rules(role, action, obj, allowed):
    assert can(user(role), action, obj) is allowed


def test_anonymous_and_deactivated_may_do_nothing():
    assert not can(ANONYMOUS, "customers.list")
    assert not can(None, "customers.list")
    assert not can(user("admin", active=False), "users.manage")


def test_unknown_action_fails_closed_loudly():
    with pytest.raises(KeyError):
        can(user("admin"), "customers.destroy_everything")
