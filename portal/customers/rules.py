"""Customers and contacts: creating, editing, ownership, grade and credit."""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit
from portal.core.clock import now
from portal.core.i18n import Language
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.core.text import search_key
from portal.customers.models import Contact, Customer, GradeChange, Grade, Kind, Source
from portal.customers.signals import customer_changed, customer_reassigned
from portal.extensions import db

PROFILE_FIELDS = ("code", "name_zh", "name_en", "kind", "source", "is_vip", "is_state_owned",
                  "preferred_locale", "country", "address", "notes")
CREDIT_FIELDS = ("credit_terms_days", "credit_limit", "credit_currency")
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "line_id", "birthday", "is_primary")


def refresh_search_text(customer: Customer) -> None:
    parts = [customer.code, customer.name_zh, customer.name_en]
    for c in customer.contacts:
        parts += [c.name, c.phone, c.email, c.wechat, c.line_id]
    customer.search_text = search_key(*parts)


def _touch(customer: Customer) -> None:
    customer.updated_at = now()
    customer.sort_name = search_key(customer.name_en or customer.name_zh or customer.code)[:160]


def _profile(fields: dict) -> dict:
    """The profile fields only, flags as booleans."""
    values = {f: fields.get(f) for f in PROFILE_FIELDS}
    values["is_vip"] = bool(values["is_vip"])
    values["is_state_owned"] = bool(values["is_state_owned"])
    values["preferred_locale"] = values["preferred_locale"] or "en"
    return values


def _check_profile(fields: dict, customer: Customer | None = None) -> None:
    """R: a customer has a unique code, a name in at least one language, a known kind and source."""
    if not (fields.get("name_zh") or fields.get("name_en")):
        raise RuleViolation(_l("Enter the Chinese name, the English name, or both."), "name_zh")
    if Kind.get(fields.get("kind")) is None:
        raise RuleViolation(_l("Choose a kind."), "kind")
    if Source.get(fields.get("source")) is None:
        raise RuleViolation(_l("Choose a source."), "source")
    if Language.get(fields.get("preferred_locale")) is None:
        raise RuleViolation(_l("Choose a language."), "preferred_locale")
    taken = sa.select(Customer.id).where(Customer.code == fields["code"])
    if customer is not None:
        taken = taken.where(Customer.id != customer.id)
    if db.session.scalar(taken):
        raise RuleViolation(_l("Another customer already has this code."), "code")


def _check_owner(actor: User, owner: User | None) -> None:
    """Customers are owned by an active agent or supervisor, never by nobody (policy: customers.own)."""
    if not can(actor, "customers.own", owner):
        raise RuleViolation(_l("Choose an active agent or supervisor."), "owner_id")


def create_customer(actor: User, fields: dict, grade: str, owner: User | None = None) -> Customer:
    """A new customer, owned by its creator unless a supervisor or admin names another owner."""
    fields = _profile(fields)
    _check_profile(fields)
    if Grade.get(grade) is None:
        raise RuleViolation(_l("Choose a grade."), "grade")
    if owner is None or not can(actor, "customers.reassign"):
        owner = actor
    _check_owner(actor, owner)
    customer = Customer(**fields, grade=grade, owner=owner, owner_id=owner.id, contacts=[])
    _touch(customer)
    refresh_search_text(customer)
    db.session.add(customer)
    db.session.flush()
    # The first grade has no reason of its own; the page labels it in the reader's language.
    db.session.add(GradeChange(customer_id=customer.id, from_grade=None, to_grade=grade, reason="",
                               changed_by_id=actor.id))
    audit.record(actor, "create", customer,
                 {f: [None, v] for f, v in audit.snapshot(customer, (*PROFILE_FIELDS, "grade", "owner_id")).items()})
    return customer


def update_customer(actor: User, customer: Customer, expected_version, fields: dict) -> Customer:
    check_version(customer, expected_version)
    fields = _profile(fields)
    _check_profile(fields, customer)
    before = audit.snapshot(customer, PROFILE_FIELDS)
    for f, v in fields.items():
        setattr(customer, f, v)
    changes = audit.diff(before, audit.snapshot(customer, PROFILE_FIELDS))
    if changes:
        _touch(customer)
        refresh_search_text(customer)
        db.session.flush()
        audit.record(actor, "update", customer, changes)
        customer_changed.send(actor, customer=customer, changes=changes)
    return customer


def reassign_owner(actor: User, customer: Customer, new_owner: User | None, expected_version) -> Customer:
    """Move a customer to another owner; a departed colleague's customers are never orphaned.

    R-H4: features that hold open work for the customer (handover items) hear of the move
    through `customer_reassigned` and hand that work over in the same transaction.
    """
    check_version(customer, expected_version)
    _check_owner(actor, new_owner)
    if new_owner.id == customer.owner_id:
        raise RuleViolation(_l("This customer already belongs to %(name)s.", name=new_owner.display_name), "owner_id")
    previous_owner = customer.owner or db.session.get(User, customer.owner_id)
    customer.owner = new_owner
    customer.owner_id = new_owner.id
    _touch(customer)
    db.session.flush()
    audit.record(actor, "reassign", customer, {"owner_id": [previous_owner.id, new_owner.id]})
    customer_reassigned.send(actor, customer=customer, previous_owner=previous_owner, new_owner=new_owner)
    return customer


def change_grade(actor: User, customer: Customer, grade: str, reason: str, expected_version) -> GradeChange:
    """Grade review: the new grade and its reason join the customer's grade history."""
    check_version(customer, expected_version)
    if Grade.get(grade) is None:
        raise RuleViolation(_l("Choose a grade."), "grade")
    if grade == customer.grade:
        raise RuleViolation(_l("The customer is already grade %(grade)s.", grade=grade), "grade")
    if not (reason or "").strip():
        raise RuleViolation(_l("Say why the grade changes."), "reason")
    change = GradeChange(customer_id=customer.id, from_grade=customer.grade, to_grade=grade,
                         reason=reason.strip(), changed_by_id=actor.id)
    db.session.add(change)
    customer.grade = grade
    _touch(customer)
    db.session.flush()
    audit.record(actor, "grade", customer, {"grade": [change.from_grade, grade], "reason": [None, change.reason]})
    return change


def set_credit(actor: User, customer: Customer, expected_version, days: int, limit: Decimal, currency: str) -> Customer:
    """Credit terms (days) and credit limit, kept by finance."""
    check_version(customer, expected_version)
    if not 0 <= days <= 365:
        raise RuleViolation(_l("Credit terms are between 0 and 365 days."), "credit_terms_days")
    if limit < 0:
        raise RuleViolation(_l("The credit limit cannot be negative."), "credit_limit")
    before = audit.snapshot(customer, CREDIT_FIELDS)
    customer.credit_terms_days, customer.credit_limit, customer.credit_currency = days, limit, currency
    changes = audit.diff(before, audit.snapshot(customer, CREDIT_FIELDS))
    if changes:
        _touch(customer)
        db.session.flush()
        audit.record(actor, "credit", customer, changes)
    return customer


def _contact_changed(customer: Customer, contact: Contact) -> None:
    if contact.is_primary:
        for other in customer.contacts:
            if other is not contact and other.is_primary:
                other.is_primary = False
    refresh_search_text(customer)
    _touch(customer)


def _contact(fields: dict) -> dict:
    values = {f: fields.get(f) for f in CONTACT_FIELDS}
    values["is_primary"] = bool(values["is_primary"])
    return values


def add_contact(actor: User, customer: Customer, fields: dict) -> Contact:
    contact = Contact(customer_id=customer.id, **_contact(fields))
    if not customer.contacts:
        contact.is_primary = True
    customer.contacts.append(contact)
    _contact_changed(customer, contact)
    db.session.flush()
    audit.record(actor, "create", contact, {f: [None, v] for f, v in audit.snapshot(contact, CONTACT_FIELDS).items()},
                 parent=customer)
    return contact


def update_contact(actor: User, customer: Customer, contact: Contact, expected_version, fields: dict) -> Contact:
    check_version(contact, expected_version)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for f, v in _contact(fields).items():
        setattr(contact, f, v)
    changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if changes:
        _contact_changed(customer, contact)
        db.session.flush()
        audit.record(actor, "update", contact, changes, parent=customer)
        customer_changed.send(actor, customer=customer, changes=changes)
    return contact


def remove_contact(actor: User, customer: Customer, contact: Contact) -> None:
    before = audit.snapshot(contact, CONTACT_FIELDS)
    customer.contacts.remove(contact)
    if contact.is_primary and customer.contacts:
        customer.contacts[0].is_primary = True
    refresh_search_text(customer)
    _touch(customer)
    audit.record(actor, "delete", contact, {f: [v, None] for f, v in before.items()}, parent=customer)
    db.session.flush()
    customer_changed.send(actor, customer=customer, changes={"contact": [before["name"], None]})
