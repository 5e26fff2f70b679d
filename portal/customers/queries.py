"""Reads for the customer screens: one customer, the list with search and filters, grade history,
the customer's own timeline entries, lookups by code, and books of customers by owner."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from portal.auth.models import User
from portal.core import audit, search
from portal.core.policy import BOOK_HOLDERS
from portal.core.pagination import Page, keyset_page
from portal.core.text import search_term
from portal.core.timeline import TimelineEntry
from portal.customers.models import Contact, Customer, Grade, GradeChange, Kind
from portal.extensions import db


def load_customer(customer_id: int) -> Customer | None:
    """A customer with its owner and contacts loaded, as the detail page and rules need."""
    return db.session.scalar(
        sa.select(Customer).where(Customer.id == customer_id)
        .options(joinedload(Customer.owner), selectinload(Customer.contacts))
    )


def normal_code(code: str | None) -> str:
    return (code or "").strip().upper()[:12]


def customer_by_code(code: str | None) -> Customer | None:
    code = normal_code(code)
    return db.session.scalar(sa.select(Customer).where(Customer.code == code)) if code else None


def customer_id_for_code(code: str | None) -> int | None:
    """The id of the customer with this code; None when there is no code or no such customer."""
    code = normal_code(code)
    return db.session.scalar(sa.select(Customer.id).where(Customer.code == code)) if code else None


def contacts_of(customer_id: int | None) -> list[Contact]:
    if not customer_id:
        return []
    return db.session.scalars(sa.select(Contact).where(Contact.customer_id == customer_id)
                              .order_by(Contact.is_primary.desc(), Contact.name)).all()


def contact_of(customer_id: int, contact_id: int | None) -> Contact | None:
    """The contact only when it belongs to this customer."""
    if not contact_id:
        return None
    return db.session.scalar(sa.select(Contact).where(Contact.id == contact_id, Contact.customer_id == customer_id))


SORTS = {
    "name": (Customer.sort_name, str),
    "code": (Customer.code, str),
    "grade": (Customer.grade, str),
    "updated": (Customer.updated_at, datetime),
}


@dataclass
class CustomerFilters:
    q: str = ""
    kind: str | None = None
    grade: str | None = None
    owner_id: int | None = None
    vip: bool = False
    state_owned: bool = False

    @property
    def any(self) -> bool:
        return bool(self.q or self.kind or self.grade or self.owner_id or self.vip or self.state_owned)

    def apply(self, select):
        found = search.matching("customer", self.q)
        if found is not None:
            select = select.where(Customer.id.in_(found))
        if Kind.get(self.kind):
            select = select.where(Customer.kind == self.kind)
        if Grade.get(self.grade):
            select = select.where(Customer.grade == self.grade)
        if self.owner_id:
            select = select.where(Customer.owner_id == self.owner_id)
        if self.vip:
            select = select.where(Customer.is_vip.is_(True))
        if self.state_owned:
            select = select.where(Customer.is_state_owned.is_(True))
        return select


def _exact(term: str):
    """A customer whose code or name is exactly what was typed comes first."""
    typed = search_term(term)
    return sa.or_(Customer.code == typed.upper(), Customer.name_zh == (term or "").strip(),
                  sa.func.lower(Customer.name_en) == typed)


def list_customers(filters: CustomerFilters, sort: str = "name", descending: bool = False,
                   after: str | None = None, size: int = 50) -> Page:
    """One page of customers with owners and contacts loaded: a fixed number of queries.
    A search lists exact code and name matches first, then the rest in the chosen order."""
    column, kind = SORTS.get(sort, SORTS["name"])
    # raiseload: anything the list shows but did not load here fails loudly instead of N+1.
    select = filters.apply(sa.select(Customer)).options(
        joinedload(Customer.owner), selectinload(Customer.contacts), raiseload("*"))
    first = _exact(filters.q) if search.query_tokens(filters.q) else None
    return keyset_page(select, column, Customer.id, descending=descending, after=after,
                       kind=kind, size=size, first=first)


def search_documents(session, ids: list[int]) -> dict[int, str]:
    """The search tokens of customers: code, names, and their contacts' names, phones and handles."""
    customers = session.execute(sa.select(Customer.id, Customer.code, Customer.name_zh, Customer.name_en)
                                   .where(Customer.id.in_(ids))).all()
    contacts: dict[int, list] = {}
    for row in session.execute(sa.select(Contact.customer_id, Contact.name, Contact.phone, Contact.email,
                                            Contact.wechat, Contact.line_id).where(Contact.customer_id.in_(ids))):
        contacts.setdefault(row.customer_id, []).append(row)
    documents = {}
    for c in customers:
        people = contacts.get(c.id, [])
        documents[c.id] = search.document_tokens(
            c.code, *(p.email for p in people), *(p.wechat for p in people), *(p.line_id for p in people),
            names=[c.name_zh, c.name_en, *(p.name for p in people)], phones=[p.phone for p in people])
    return documents


def search_source() -> search.Source:
    return search.Source(
        kind="customer", model=Customer, documents=search_documents,
        watch={Customer: (("code", "name_zh", "name_en"), lambda session, rows: [c.id for c in rows]),
               Contact: (None, lambda session, rows: [c.customer_id for c in rows])})


def book_of(owner_id: int) -> list[Customer]:
    """Every customer a user owns, by code: the book a leaver hands over."""
    return db.session.scalars(sa.select(Customer).where(Customer.owner_id == owner_id).order_by(Customer.code)).all()


def customers_by_id(ids) -> dict[int, Customer]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))}


def book_sizes(user_ids: list[int]) -> dict[int, int]:
    """How many customers each of these users owns (users owning none are left out)."""
    rows = db.session.execute(sa.select(Customer.owner_id, sa.func.count()).where(Customer.owner_id.in_(user_ids))
                              .group_by(Customer.owner_id))
    return {owner_id: count for owner_id, count in rows}


def orphaned_books() -> list[tuple[User, int]]:
    """Deactivated users (or users in a role that holds no customers) who still own customers:
    books to hand over (R-H4), with their sizes, largest first."""
    return owners_and_orphaned_books()[1]


def owners_and_orphaned_books() -> tuple[list[User], list[tuple[User, int]]]:
    """The list's owner filter and the supervisor's leaver notice in one statement: the active
    users who may hold customers (by name), and those who may not but still own some (R-H4) with
    their book sizes, largest first. Each user is one index probe on the customers' owner."""
    holds = sa.and_(User.active.is_(True), User.role.in_(sorted(BOOK_HOLDERS)))
    book = (sa.select(sa.func.count(Customer.id)).where(Customer.owner_id == User.id)
            .correlate(User).scalar_subquery())
    rows = db.session.execute(
        sa.select(User, sa.case((holds, 1), else_=0).label("holds"), sa.case((holds, 0), else_=book).label("book"))
        # (book > 0 rather than EXISTS: PostgreSQL answers EXISTS for a user with no customers by
        # scanning them all, expecting an early hit; the count is read from the owner index.)
        .where(sa.or_(holds, book > 0))
        .order_by(User.display_name, User.id)).all()
    holders = [user for user, holder, _size in rows if holder]
    orphaned = sorted(((user, size) for user, holder, size in rows if not holder), key=lambda p: (-p[1], p[0].id))
    return holders, orphaned


def grade_history(customer: Customer):
    return db.session.scalars(
        sa.select(GradeChange).where(GradeChange.customer_id == customer.id).order_by(GradeChange.id.desc())
    ).all()


def timeline_entries(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """The customer's own milestones on its timeline: created, owner changes, grade changes."""
    select = (sa.select(audit.AuditEntry)
              .where(audit.AuditEntry.subject_type == Customer.__tablename__,
                     audit.AuditEntry.subject_id == customer_id,
                     audit.AuditEntry.action.in_(("create", "reassign", "grade"))))
    if before is not None:
        select = select.where(audit.AuditEntry.at <= before)
    entries = db.session.scalars(select.order_by(audit.AuditEntry.id.desc()).limit(limit)).all()
    names = audit.user_names(entries, "owner_id")
    result = []
    for e in entries:
        data = {"action": e.action}
        if e.action == "reassign":
            data["owner"] = names.get(e.changes["owner_id"][1], "?")
        elif e.action == "grade":
            old, new = e.changes.get("grade", [None, None])
            data.update(old=old, new=new, reason=(e.changes.get("reason") or [None, ""])[1] or "")
        # The audit row's id tells apart two changes at the same moment (the timeline's keyset).
        result.append(TimelineEntry(at=e.at, kind="customer", template="customers/_timeline_entry.html",
                                    subject_id=e.id, data=data,
                                    by=e.actor.display_name if e.actor else ""))
    return result
