"""Reads for the quote screens: one quote, its revisions, the lane's recent prices (R-Q9), the
approval queue, follow-ups, the history with its filters, exports and the impact list (R-Q10)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload, undefer

from portal.auth.models import User
from portal.core.links import Subject
from portal.core.pagination import Page, keyset_page
from portal.core import search
from portal.core.text import like_pattern, search_term
from portal.core.timeline import TimelineEntry
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes.models import OPEN, QUOTED, ApprovalDecision, ChargeLine, Direction, FollowUp, Quote, Status
from portal.quotes.rules import ALL_IN
from portal.reference import PORT_BY_CODE


def load_quote(quote_id: int) -> Quote | None:
    return db.session.scalar(sa.select(Quote).where(Quote.id == quote_id).options(
        joinedload(Quote.customer), joinedload(Quote.contact), joinedload(Quote.agent),
        selectinload(Quote.lines), selectinload(Quote.decisions).joinedload(ApprovalDecision.decided_by)))


def revisions(quote: Quote) -> list[Quote]:
    return db.session.scalars(sa.select(Quote).where(Quote.number == quote.number)
                              .order_by(Quote.revision.desc())).all()


@dataclass(frozen=True)
class LanePrice:
    """An earlier quote on the lane as the lane's price history shows it (R-Q9)."""
    id: int
    label: str
    customer_name: str
    container_type: str | None
    sent_at: datetime
    sell_rate: Decimal | None      # the ocean freight (or ALL-IN) sell rate
    currency: str | None


def _freight(column):
    """The quote's ocean freight (or ALL-IN) receivable line's column, as a scalar subquery."""
    return (sa.select(column).where(ChargeLine.quote_id == Quote.id, ChargeLine.charge_code.in_(("OFR", ALL_IN)),
                                    ChargeLine.direction == Direction.RECEIVABLE)
            .order_by(ChargeLine.id).limit(1).scalar_subquery())


def _lane_select(pol: str, pod: str, container_type: str | None, limit: int, exclude_id: int | None = None):
    """The lane's latest quotes that reached the customer, read through ix_quote_lane_sent."""
    select = (sa.select(Quote.id, Quote.number, Quote.revision, Quote.container_type, Quote.sent_at,
                        Customer.name_zh, Customer.name_en, Customer.code,
                        _freight(ChargeLine.sell_rate).label("sell_rate"),
                        _freight(ChargeLine.currency).label("currency"))
              .join(Customer, Customer.id == Quote.customer_id)
              .where(Quote.pol == pol, Quote.pod == pod, Quote.sent_at.is_not(None))
              .order_by(Quote.sent_at.desc(), Quote.id.desc()).limit(limit))
    if container_type:
        select = select.where(Quote.container_type == container_type)
    if exclude_id:
        select = select.where(Quote.id != exclude_id)
    return select


def _lane_price(row) -> LanePrice:
    label = f"{row.number} r{row.revision}" if row.revision > 1 else row.number
    return LanePrice(row.id, label, row.name_zh or row.name_en or row.code, row.container_type, row.sent_at,
                     row.sell_rate, row.currency)


def lane_prices(pol: str, pod: str, container_type: str | None = None, exclude_id: int | None = None,
                limit: int = 5) -> list[LanePrice]:
    """R-Q9: the lane's latest quotes that reached the customer, with their ocean freight sell rate."""
    if not (pol and pod):
        return []
    return [_lane_price(row) for row in db.session.execute(_lane_select(pol, pod, container_type, limit, exclude_id))]


def lane_prices_for(quotes: list[Quote], limit: int = 3) -> dict[int, list[LanePrice]]:
    """lane_prices for every quote of a page in one statement: the latest `limit` + 1 quotes of
    each lane (one indexed read per lane, joined with UNION ALL), the quote itself left out."""
    lanes = sorted({(q.pol, q.pod, q.container_type or "") for q in quotes})
    if not lanes:
        return {}
    parts = [sa.select(_lane_select(pol, pod, container or None, limit + 1)
                       .add_columns(sa.literal(n).label("lane")).subquery())
             for n, (pol, pod, container) in enumerate(lanes)]
    found: dict[int, list[LanePrice]] = {}
    for row in db.session.execute(sa.union_all(*parts)):
        found.setdefault(row.lane, []).append(_lane_price(row))
    return {q.id: [p for p in found.get(lanes.index((q.pol, q.pod, q.container_type or "")), []) if p.id != q.id][:limit]
            for q in quotes}


def pending_approvals(after: str | None = None, size: int = 20) -> Page:
    """The approval queue, longest waiting first (ix_quote_pending), a page at a time."""
    select = (sa.select(Quote).where(Quote.status == Status.PENDING, Quote.is_current == sa.true())
              .options(joinedload(Quote.customer), joinedload(Quote.agent), selectinload(Quote.lines),
                       undefer(Quote.was_decided), raiseload("*")))
    return keyset_page(select, Quote.updated_at, Quote.id, after=after, kind=datetime, size=size)


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(
        Quote.status == Status.PENDING, Quote.is_current == sa.true()))


def follow_ups_due(agent: User, until: datetime) -> list[FollowUp]:
    return db.session.scalars(
        sa.select(FollowUp).where(FollowUp.agent_id == agent.id, FollowUp.done_at.is_(None), FollowUp.due_at <= until)
        .options(joinedload(FollowUp.quote).joinedload(Quote.customer)).order_by(FollowUp.due_at)).all()


def reminders_count(agent: User) -> int:
    """Follow-ups the reminder job raised for this agent that are not done yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp).where(
        FollowUp.agent_id == agent.id, FollowUp.done_at.is_(None), FollowUp.reminded_at.is_not(None)))


# The statuses of a quote on its way through approval, written out so that the query's condition
# is the partial index ix_quote_agent_deciding's own.
DECIDING = sa.text("quote.status IN ('pending', 'approved', 'returned')")


def my_recent_decisions(agent: User, limit: int = 10) -> list[Quote]:
    """The agent's quotes a supervisor decided on lately: the new hire sees the outcome (R-Q1)."""
    return db.session.scalars(
        sa.select(Quote).where(Quote.agent_id == agent.id, Quote.is_current == sa.true(), DECIDING)
        .options(joinedload(Quote.customer), selectinload(Quote.decisions), raiseload("*"))
        .order_by(Quote.updated_at.desc()).limit(limit)).unique().all()


@dataclass
class QuoteFilters:
    q: str = ""
    customer_code: str | None = None
    customer_id: int | None = None
    pol: str | None = None
    pod: str | None = None
    container_type: str | None = None
    carrier: str | None = None
    status: str | None = None
    agent_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, select):
        select = select.where(Quote.is_current == sa.true())
        for attr in ("customer_id", "pol", "pod", "container_type", "carrier", "agent_id"):
            value = getattr(self, attr)
            if value:
                select = select.where(getattr(Quote, attr) == value)
        if self.customer_code:   # one customer (or none): its quotes in order through ix_quote_current_customer
            select = select.where(Quote.customer_id == sa.select(Customer.id).where(
                Customer.code == self.customer_code).scalar_subquery())
        if Status.get(self.status):
            select = select.where(Quote.status == self.status)
        if self.date_from:
            select = select.where(Quote.inquiry_at >= datetime.combine(self.date_from, time()))
        if self.date_to:
            select = select.where(Quote.inquiry_at < datetime.combine(self.date_to + timedelta(days=1), time()))
        found = search.matching("quote", self.q)
        if found is not None:
            select = select.where(Quote.id.in_(found))
        return select


def history(filters: QuoteFilters, after: str | None = None, size: int = 50) -> Page:
    """R-Q9: current revisions, newest inquiry first, through the ix_quote_current_* index of the filter."""
    select = filters.apply(sa.select(Quote)).options(
        joinedload(Quote.customer), joinedload(Quote.agent), selectinload(Quote.lines), raiseload("*"))
    return keyset_page(select, Quote.inquiry_at, Quote.id, descending=True, after=after, kind=datetime, size=size)


EXPORT_LIMIT = 50_000


def filtered(filters: QuoteFilters, limit: int = EXPORT_LIMIT, batch: int = 500):
    """The quotes the filters match (for export), newest first, read a page at a time so that an
    export of any size holds one page of quotes in memory."""
    after, given = None, 0
    while given < limit:
        page = history(filters, after, min(batch, limit - given))
        yield from page.items
        given += len(page.items)
        if not page.has_more:
            return
        after = page.next_cursor


def impacted_quotes(carrier: str | None = None, pol: str | None = None, pod: str | None = None,
                    shipper: str | None = None) -> list[Quote]:
    """R-Q10: the open quotes a carrier's rate change on a lane, or a change of shipper, affects."""
    select = sa.select(Quote).where(Quote.is_current == sa.true(), Quote.status.in_(OPEN))
    if not (carrier or pol or pod or shipper):
        return []
    if carrier:
        select = select.where(Quote.carrier == carrier)
    if pol:
        select = select.where(Quote.pol == pol)
    if pod:
        select = select.where(Quote.pod == pod)
    if shipper:
        select = select.where(sa.func.lower(Quote.shipper).like(like_pattern(search_term(shipper)), escape="\\"))
    return db.session.scalars(select.options(joinedload(Quote.customer), joinedload(Quote.agent), raiseload("*"))
                              .order_by(Quote.valid_until, Quote.id)).unique().all()


def timeline_entries(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V4: the customer's quotes on its timeline, at the moment they were sent (or made)."""
    at = sa.func.coalesce(Quote.sent_at, Quote.created_at)
    select = sa.select(Quote).where(Quote.customer_id == customer_id, Quote.is_current == sa.true())
    if before is not None:
        select = select.where(at <= before)
    quotes = db.session.scalars(select.order_by(at.desc(), Quote.id.desc()).limit(limit)).all()
    return [TimelineEntry(at=q.sent_at or q.created_at, kind="quote", template="quotes/_timeline_entry.html",
                          subject_id=q.id, data={"label": q.label, "pol": q.pol, "pod": q.pod, "status": q.status})
            for q in quotes]


def search_documents(session, ids: list[int]) -> dict[int, str]:
    """The search tokens of quotes: number, commodity, shipper, the lane (codes and names in the
    three languages) and the customer's code and names."""
    rows = session.execute(
        sa.select(Quote.id, Quote.number, Quote.commodity, Quote.shipper, Quote.pol, Quote.pod, Customer.code,
                  Customer.name_zh, Customer.name_en)
        .join(Customer, Customer.id == Quote.customer_id).where(Quote.id.in_(ids))).all()
    documents = {}
    for r in rows:
        ports = [PORT_BY_CODE.get(code) for code in (r.pol, r.pod)]
        port_names = [n for p in ports if p for n in (p.name_en, p.name_zh_hant, p.name_zh_hans)]
        documents[r.id] = search.document_tokens(r.number, r.commodity, r.shipper, r.pol, r.pod, r.code,
                                                 *port_names, names=[r.name_zh, r.name_en])
    return documents


def search_source() -> search.Source:
    """Quotes are found by their own words and by their customer's: a renamed customer's quotes
    are indexed again in the same transaction."""
    def of_customers(session, customers):
        ids = [c.id for c in customers]
        return session.scalars(sa.select(Quote.id).where(Quote.customer_id.in_(ids))).all() if ids else []

    return search.Source(
        kind="quote", model=Quote, documents=search_documents,
        watch={Quote: (("number", "commodity", "shipper", "pol", "pod", "customer_id"),
                       lambda session, rows: [q.id for q in rows]),
               Customer: (("code", "name_zh", "name_en"), of_customers)})


# --- for other features -------------------------------------------------------------------------------


def find_subject(reference: str) -> int | None:
    """A quote named by its number (Q2611-00012): its current revision."""
    value = (reference or "").strip().upper()[:20]
    if not value:
        return None
    return db.session.scalar(sa.select(Quote.id).where(Quote.number == value, Quote.is_current == sa.true())
                             .limit(1))


def describe_subjects(ids: list[int]) -> dict[int, Subject]:
    """How linked quotes show (a handover item's link): number, customer and lane."""
    rows = db.session.execute(sa.select(Quote.id, Quote.number, Quote.revision, Quote.pol, Quote.pod, Customer.code)
                              .join(Customer, Customer.id == Quote.customer_id).where(Quote.id.in_(ids))).all()
    return {r.id: Subject(label=f"{r.number} · {r.code} {r.pol} → {r.pod}", endpoint="quotes.detail",
                          values={"quote_id": r.id}, reference=r.number) for r in rows}
