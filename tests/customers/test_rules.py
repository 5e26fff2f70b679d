"""Customer rules, called directly: the checks hold whatever screen calls them."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.audit import AuditEntry
from portal.core.rules import RuleViolation, StaleRecord
from portal.customers import queries, rules
from portal.customers.models import Customer, GradeChange
from portal.extensions import db

PROFILE = {"code": "TW-0001", "name_zh": "台灣精密機械股份有限公司", "name_en": "Taiwan Precision Machinery Co., Ltd.",
           "kind": "direct", "source": "self_sourced", "preferred_locale": "zh_Hant", "country": "TW"}


@pytest.fixture
def agent(app, make_user, ctx):
    return db.session.get(User, make_user("agent").id)


@pytest.fixture
def supervisor(make_user, ctx):
    return db.session.get(User, make_user("supervisor").id)


def audit_actions(customer):
    return db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.parent_type == "customer", AuditEntry.parent_id == customer.id).order_by(AuditEntry.id)).all()


def test_create_customer_records_owner_grade_history_and_audit(agent):
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    assert customer.owner_id == agent.id
    assert [(g.from_grade, g.to_grade) for g in queries.grade_history(customer)] == [(None, "B")]
    assert audit_actions(customer) == ["create"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.subject_type == "customer"))
    assert entry.actor_id == agent.id and entry.changes["code"] == [None, "TW-0001"]


def test_agent_cannot_give_a_new_customer_to_someone_else(agent, supervisor):
    customer = rules.create_customer(agent, PROFILE, "B", owner=supervisor)
    assert customer.owner_id == agent.id


def test_supervisor_may_name_the_owner(agent, supervisor):
    customer = rules.create_customer(supervisor, PROFILE, "A", owner=agent)
    assert customer.owner_id == agent.id


def test_customer_code_is_unique(agent):
    rules.create_customer(agent, PROFILE, "B")
    with pytest.raises(RuleViolation) as refused:
        rules.create_customer(agent, PROFILE | {"name_en": "Other"}, "B")
    assert refused.value.field == "code"


def test_a_customer_needs_a_name_in_some_language(agent):
    with pytest.raises(RuleViolation) as refused:
        rules.create_customer(agent, PROFILE | {"name_zh": None, "name_en": None}, "B")
    assert refused.value.field == "name_zh"
    assert rules.create_customer(agent, PROFILE | {"name_zh": None}, "C").display_name == PROFILE["name_en"]


def test_stale_edit_is_refused(agent):
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    loaded_version = customer.version
    rules.update_customer(agent, customer, loaded_version, PROFILE | {"address": "台北市松山區"})
    db.session.commit()
    with pytest.raises(StaleRecord):
        rules.update_customer(agent, customer, loaded_version, PROFILE | {"address": "高雄市"})
    assert customer.address == "台北市松山區"


def test_update_audits_before_and_after(agent):
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    rules.update_customer(agent, customer, customer.version, PROFILE | {"name_en": "TPM Corp."})
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "update"
    assert entry.changes == {"name_en": [PROFILE["name_en"], "TPM Corp."]}


def test_saving_without_changes_writes_no_audit(agent):
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    rules.update_customer(agent, customer, customer.version, PROFILE)
    db.session.commit()
    assert audit_actions(customer) == ["create"]


def test_grade_change_keeps_history_with_reason(agent, supervisor):
    customer = rules.create_customer(agent, PROFILE, "C")
    db.session.commit()
    rules.change_grade(supervisor, customer, "A", "每月出貨三十櫃以上", customer.version)
    db.session.commit()
    history = queries.grade_history(customer)
    assert [(g.from_grade, g.to_grade) for g in history] == [("C", "A"), (None, "C")]
    assert history[0].reason == "每月出貨三十櫃以上" and history[0].changed_by_id == supervisor.id
    assert audit_actions(customer) == ["create", "grade"]


@pytest.mark.parametrize("grade, reason", [("C", "same grade"), ("A", "  "), ("E", "unknown grade")])
def test_grade_change_refusals(agent, supervisor, grade, reason):
    customer = rules.create_customer(agent, PROFILE, "C")
    db.session.commit()
    with pytest.raises(RuleViolation):
        rules.change_grade(supervisor, customer, grade, reason, customer.version)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GradeChange)) == 1


def test_reassign_moves_ownership_and_is_audited(agent, supervisor, make_user):
    other = db.session.get(User, make_user("agent").id)
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    rules.reassign_owner(supervisor, customer, other, customer.version)
    db.session.commit()
    assert db.session.get(Customer, customer.id).owner_id == other.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "reassign")).one()
    assert entry.changes == {"owner_id": [agent.id, other.id]}


def test_customers_never_go_to_an_inactive_user_or_to_finance(agent, supervisor, make_user):
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    gone = db.session.get(User, make_user("agent", active=False).id)
    finance = db.session.get(User, make_user("finance").id)
    for target in (gone, finance):
        with pytest.raises(RuleViolation):
            rules.reassign_owner(supervisor, customer, target, customer.version)
    assert customer.owner_id == agent.id


def test_credit_terms_are_decimal_and_bounded(agent, make_user):
    finance = db.session.get(User, make_user("finance").id)
    customer = rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    rules.set_credit(finance, customer, customer.version, 45, Decimal("1500000.50"), "TWD")
    db.session.commit()
    stored = db.session.get(Customer, customer.id)
    assert stored.credit_limit == Decimal("1500000.50") and isinstance(stored.credit_limit, Decimal)
    with pytest.raises(RuleViolation):
        rules.set_credit(finance, stored, stored.version, 400, Decimal("1"), "USD")
    with pytest.raises(RuleViolation):
        rules.set_credit(finance, stored, stored.version, 30, Decimal("-1"), "USD")


def test_contacts_feed_search_and_one_main_contact(agent):
    customer = rules.create_customer(agent, PROFILE, "B")
    first = rules.add_contact(agent, customer, {"name": "王小明", "phone": "+886 2 2712 3456"})
    second = rules.add_contact(agent, customer, {"name": "Amy Chen", "email": "amy@tpm.example", "is_primary": True})
    db.session.commit()
    assert second.is_primary and not first.is_primary
    def found(q):
        return [c.id for c in queries.list_customers(queries.CustomerFilters(q=q)).items]

    assert found("王小明") == found("amy@tpm.example") == found("2712 3456") == [customer.id]
    rules.remove_contact(agent, customer, second)
    db.session.commit()
    assert first.is_primary
    assert found("amy") == []   # the index follows the contacts
    assert audit_actions(customer) == ["create", "create", "create", "delete"]


def test_search_folds_full_width_and_case(agent):
    rules.create_customer(agent, PROFILE, "B")
    db.session.commit()
    found = queries.list_customers(queries.CustomerFilters(q="ｔｗ-０００１")).items
    assert [c.code for c in found] == ["TW-0001"]
    assert queries.list_customers(queries.CustomerFilters(q="precision 精密")).items
    assert not queries.list_customers(queries.CustomerFilters(q="precision 長榮")).items


def test_keyset_pages_cover_every_customer_once(agent):
    for n in range(7):
        rules.create_customer(agent, PROFILE | {"code": f"TW-{n:04d}", "name_en": f"Company {n % 3}"}, "B")
    db.session.commit()
    seen, after = [], None
    while True:
        page = queries.list_customers(queries.CustomerFilters(), "name", False, after, size=3)
        seen += [c.code for c in page.items]
        if not page.has_more:
            break
        after = page.next_cursor
    assert sorted(seen) == [f"TW-{n:04d}" for n in range(7)]
    assert len(seen) == 7
    names = [db.session.scalar(sa.select(Customer.sort_name).where(Customer.code == code)) for code in seen]
    assert names == sorted(names)
