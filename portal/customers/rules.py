"""Customers and contacts: creating, editing, ownership, grade and credit."""
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit
from portal.core.clock import now, today
from portal.core.i18n import Language
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.core.text import search_key
from portal.customers.models import Contact, Customer, GradeChange, Grade, Kind, Source
from portal.customers.signals import customer_changed, customer_created, customers_reassigned, grade_changed
from portal.extensions import db

PROFILE_FIELDS = ("code", "name_zh", "name_en", "kind", "source", "is_vip", "is_state_owned",
                  "preferred_locale", "country", "timezone", "address", "notes", "legal_representative",
                  "business_scope", "business_licence_no", "cooperating_since", "agreement_starts_on",
                  "agreement_ends_on")
# An agreement ending within this many days is pointed out (R-V7).
AGREEMENT_WARNING_DAYS = 30
CREDIT_FIELDS = ("credit_terms_days", "credit_limit", "credit_currency")
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "line_id", "birthday", "is_primary")


def _touch(customer: Customer) -> None:
    customer.updated_at = now()
    customer.sort_name = search_key(customer.name_en or customer.name_zh or customer.code)[:160]


def _profile(fields: dict) -> dict:
    """The profile fields only, flags as booleans."""
    values = {f: fields.get(f) for f in PROFILE_FIELDS}
    values["is_vip"] = bool(values["is_vip"])
    values["is_state_owned"] = bool(values["is_state_owned"])
    values["preferred_locale"] = values["preferred_locale"] or "en"
    values["timezone"] = values["timezone"] or None
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
    if fields.get("timezone"):
        try:
            ZoneInfo(fields["timezone"])
        except (ValueError, KeyError, OSError):
            raise RuleViolation(_l("Choose a time zone from the list."), "timezone") from None
    taken = sa.select(Customer.id).where(Customer.code == fields["code"])
    if customer is not None:
        taken = taken.where(Customer.id != customer.id)
    if db.session.scalar(taken):
        raise RuleViolation(_l("Another customer already has this code."), "code")
    starts, ends = fields.get("agreement_starts_on"), fields.get("agreement_ends_on")
    if starts and ends and ends < starts:
        raise RuleViolation(_l("The agreement cannot end before it starts."), "agreement_ends_on")
    since = fields.get("cooperating_since")
    if since and since > today(current_app.config["PORTAL_TIMEZONE"]):
        raise RuleViolation(_l("Cooperation cannot begin in the future."), "cooperating_since")


def agreement_state(customer: Customer, on: date | None = None) -> tuple[str, int] | None:
    """R-V7: ("expired", days since) once the cooperation agreement has ended, ("ending", days
    left) within AGREEMENT_WARNING_DAYS of its end, None otherwise (or without an end date)."""
    if customer.agreement_ends_on is None:
        return None
    on = on or today(current_app.config["PORTAL_TIMEZONE"])
    left = (customer.agreement_ends_on - on).days
    if left < 0:
        return "expired", -left
    if left <= AGREEMENT_WARNING_DAYS:
        return "ending", left
    return None


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
    db.session.add(customer)
    db.session.flush()
    # The first grade has no reason of its own; the page labels it in the reader's language.
    db.session.add(GradeChange(customer_id=customer.id, from_grade=None, to_grade=grade, reason="",
                               changed_by_id=actor.id))
    audit.record(actor, "create", customer,
                 {f: [None, v] for f, v in audit.snapshot(customer, (*PROFILE_FIELDS, "grade", "owner_id")).items()})
    customer_created.send(actor, customer=customer)
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
        db.session.flush()
        audit.record(actor, "update", customer, changes)
        customer_changed.send(actor, customer=customer, changes=changes)
    return customer


def reassign_owner(actor: User, customer: Customer, new_owner: User | None, expected_version) -> Customer:
    """Move a customer to another owner; a departed colleague's customers are never orphaned.

    R-H4: features that hold open work for the customer (handover items) hear of the move
    through `customers_reassigned` and hand that work over in the same transaction.
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
    customers_reassigned.send(actor, customers=[customer], previous_owner=previous_owner, new_owner=new_owner)
    return customer


def hand_over_book(actor: User, leaver: User, plan: dict[int, User], versions: dict[int, int]) -> dict[User, int]:
    """R-H4: a colleague's customers (all, or those in plan) move to one or several colleagues
    in one change: each receiver gets their share with one handover note listing it and its
    open items (customers_reassigned, once per receiver).

    plan maps customer ids to receivers; versions holds the version of each customer the
    supervisor saw. Everything is refused, nothing moved, when a receiver may not hold customers
    or is the leaver, or when a customer changed meanwhile (another supervisor's handover of the
    same book). Returns how many customers each receiver took.
    """
    if not plan:
        raise RuleViolation(_l("Choose at least one customer and who takes it over."), "customers")
    for receiver in set(plan.values()):
        if receiver.id == leaver.id:
            raise RuleViolation(_l("Choose colleagues other than %(name)s to take the customers over.",
                                   name=leaver.display_name), "customers")
        if not can(actor, "customers.own", receiver):
            raise RuleViolation(_l("%(name)s cannot take customers over: choose an active agent or supervisor.",
                                   name=receiver.display_name), "customers")
    # Lock the rows first, so a second supervisor handing over the same book waits for this
    # change and then finds the customers gone from it.
    customers = db.session.scalars(sa.select(Customer).where(Customer.id.in_(plan)).order_by(Customer.id)
                                   .with_for_update()).all()
    for customer in customers:
        db.session.refresh(customer)
    moved_meanwhile = [c for c in customers if c.owner_id != leaver.id or c.version != versions.get(c.id)]
    if moved_meanwhile or len(customers) != len(plan):
        raise RuleViolation(_l("Some of these customers changed since you opened this page (another handover, "
                               "perhaps): %(codes)s. Reload to see the book as it is now.",
                               codes=", ".join(c.code for c in moved_meanwhile[:10]) or "—"), "customers")
    shares: dict[User, list[Customer]] = {}
    for customer in customers:
        shares.setdefault(plan[customer.id], []).append(customer)
    for receiver, share in sorted(shares.items(), key=lambda s: s[0].display_name):
        for customer in share:
            customer.owner, customer.owner_id = receiver, receiver.id
            _touch(customer)
        db.session.flush()
        for customer in share:
            audit.record(actor, "reassign", customer, {"owner_id": [leaver.id, receiver.id]})
        customers_reassigned.send(actor, customers=share, previous_owner=leaver, new_owner=receiver)
    return {receiver: len(share) for receiver, share in shares.items()}


def spread(customers: list[Customer], receivers: list[User]) -> dict[int, User]:
    """A first proposal for sharing customers among receivers: even shares, dealt best grade
    first so that the A-grade accounts are shared out too. Changes nothing; the supervisor
    adjusts it before handing over."""
    if not receivers:
        return {}
    held = {r.id: 0 for r in receivers}
    order = {r.id: n for n, r in enumerate(receivers)}
    plan = {}
    for customer in sorted(customers, key=lambda c: (c.grade or "Z", c.code)):
        receiver = min(receivers, key=lambda r: (held[r.id], order[r.id]))
        plan[customer.id] = receiver
        held[receiver.id] += 1
    return plan


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
    grade_changed.send(actor, customer=customer, change=change)
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
    _touch(customer)
    audit.record(actor, "delete", contact, {f: [v, None] for f, v in before.items()}, parent=customer)
    db.session.flush()
    customer_changed.send(actor, customer=customer, changes={"contact": [before["name"], None]})
