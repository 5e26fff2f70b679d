"""Reads for the quote screens: one quote, its revisions, the lane's recent prices (R-Q9), the
approval queue, follow-ups, the history with its filters, exports and the impact list (R-Q10)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from portal.auth.models import User
from portal.core.pagination import Page, keyset_page
from portal.core.text import like_pattern, search_term
from portal.core.timeline import TimelineEntry
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes.models import OPEN, QUOTED, ApprovalDecision, ChargeLine, Direction, FollowUp, Quote, Status
from portal.quotes.rules import ALL_IN


def load_quote(quote_id: int) -> Quote | None:
    return db.session.scalar(sa.select(Quote).where(Quote.id == quote_id).options(
        joinedload(Quote.customer), joinedload(Quote.contact), joinedload(Quote.agent),
        selectinload(Quote.lines), selectinload(Quote.decisions).joinedload(ApprovalDecision.decided_by)))


def revisions(quote: Quote) -> list[Quote]:
    return db.session.scalars(sa.select(Quote).where(Quote.number == quote.number)
                              .order_by(Quote.revision.desc())).all()


def lane_prices(pol: str, pod: str, container_type: str | None = None, exclude_id: int | None = None,
                limit: int = 5) -> list[tuple[Quote, Decimal | None]]:
    """R-Q9: the lane's latest quotes that reached the customer, with their ocean freight sell rate."""
    select = (sa.select(Quote).where(Quote.pol == pol, Quote.pod == pod,
                                     Quote.status.in_(QUOTED))
              .options(joinedload(Quote.customer), selectinload(Quote.lines))
              .order_by(Quote.sent_at.desc(), Quote.id.desc()).limit(limit))
    if container_type:
        select = select.where(Quote.container_type == container_type)
    if exclude_id:
        select = select.where(Quote.id != exclude_id)
    return [(quote, _freight(quote)) for quote in db.session.scalars(select).unique()]


def lane_prices_for(quotes: list[Quote], limit: int = 3) -> dict[int, list[tuple[Quote, ChargeLine | None]]]:
    """lane_prices for many quotes in two queries: each quote's lane, its latest `limit` quotes."""
    lanes = {(q.pol, q.pod) for q in quotes}
    if not lanes:
        return {}
    rank = sa.func.row_number().over(partition_by=(Quote.pol, Quote.pod, Quote.container_type),
                                     order_by=(Quote.sent_at.desc(), Quote.id.desc())).label("rank")
    ranked = (sa.select(Quote.id, rank)
              .where(sa.tuple_(Quote.pol, Quote.pod).in_(lanes),
                     Quote.status.in_(QUOTED)).subquery())
    recent = db.session.scalars(
        sa.select(Quote).join(ranked, ranked.c.id == Quote.id).where(ranked.c.rank <= limit + 1)
        .options(joinedload(Quote.customer), selectinload(Quote.lines))
        .order_by(Quote.sent_at.desc(), Quote.id.desc())).unique().all()
    result = {}
    for quote in quotes:
        same_lane = [r for r in recent if (r.pol, r.pod) == (quote.pol, quote.pod) and r.id != quote.id
                     and (quote.container_type is None or r.container_type == quote.container_type)][:limit]
        result[quote.id] = [(r, _freight(r)) for r in same_lane]
    return result


def _freight(quote: Quote) -> ChargeLine | None:
    return next((line for line in quote.lines if line.charge_code in ("OFR", ALL_IN)
                 and line.direction == Direction.RECEIVABLE), None)


def pending_approvals() -> list[Quote]:
    return db.session.scalars(
        sa.select(Quote).where(Quote.status == Status.PENDING, Quote.is_current.is_(True))
        .options(joinedload(Quote.customer), joinedload(Quote.agent), selectinload(Quote.lines), raiseload("*"))
        .order_by(Quote.updated_at, Quote.id)).unique().all()


def decided(quote_ids) -> set[int]:
    """Which of these quotes a supervisor decided on before (their cards show what changed since)."""
    if not quote_ids:
        return set()
    return set(db.session.scalars(sa.select(ApprovalDecision.quote_id).where(
        ApprovalDecision.quote_id.in_(list(quote_ids))).distinct()))


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(
        Quote.status == Status.PENDING, Quote.is_current.is_(True)))


def follow_ups_due(agent: User, until: datetime) -> list[FollowUp]:
    return db.session.scalars(
        sa.select(FollowUp).where(FollowUp.agent_id == agent.id, FollowUp.done_at.is_(None), FollowUp.due_at <= until)
        .options(joinedload(FollowUp.quote).joinedload(Quote.customer)).order_by(FollowUp.due_at)).all()


def reminders_count(agent: User) -> int:
    """Follow-ups the reminder job raised for this agent that are not done yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp).where(
        FollowUp.agent_id == agent.id, FollowUp.done_at.is_(None), FollowUp.reminded_at.is_not(None)))


def my_recent_decisions(agent: User, limit: int = 10) -> list[Quote]:
    """The agent's quotes a supervisor decided on lately: the new hire sees the outcome (R-Q1)."""
    return db.session.scalars(
        sa.select(Quote).where(Quote.agent_id == agent.id, Quote.is_current.is_(True),
                               Quote.status.in_((Status.PENDING, Status.APPROVED, Status.RETURNED)))
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
        select = select.where(Quote.is_current.is_(True))
        for attr in ("customer_id", "pol", "pod", "container_type", "carrier", "agent_id"):
            value = getattr(self, attr)
            if value:
                select = select.where(getattr(Quote, attr) == value)
        if self.customer_code:
            select = select.where(Quote.customer_id.in_(sa.select(Customer.id).where(Customer.code == self.customer_code)))
        if Status.get(self.status):
            select = select.where(Quote.status == self.status)
        if self.date_from:
            select = select.where(Quote.inquiry_at >= datetime.combine(self.date_from, time()))
        if self.date_to:
            select = select.where(Quote.inquiry_at < datetime.combine(self.date_to + timedelta(days=1), time()))
        for word in search_term(self.q).split():
            pattern = like_pattern(word)
            select = select.where(sa.or_(
                sa.func.lower(Quote.number).like(pattern, escape="\\"),
                sa.func.lower(Quote.commodity).like(pattern, escape="\\"),
                Quote.customer_id.in_(sa.select(Customer.id).where(Customer.search_text.like(pattern, escape="\\")))))
        return select


def history(filters: QuoteFilters, after: str | None = None, size: int = 50) -> Page:
    select = filters.apply(sa.select(Quote)).options(
        joinedload(Quote.customer), joinedload(Quote.agent), selectinload(Quote.lines), raiseload("*"))
    return keyset_page(select, Quote.created_at, Quote.id, descending=True, after=after, kind=datetime, size=size)


def filtered(filters: QuoteFilters, limit: int = 5000) -> list[Quote]:
    """Every quote the filters match (for export), newest first."""
    return db.session.scalars(filters.apply(sa.select(Quote)).options(
        joinedload(Quote.customer), joinedload(Quote.agent), selectinload(Quote.lines), raiseload("*"))
        .order_by(Quote.created_at.desc(), Quote.id.desc()).limit(limit)).unique().all()


def impacted_quotes(carrier: str | None = None, pol: str | None = None, pod: str | None = None,
                    shipper: str | None = None) -> list[Quote]:
    """R-Q10: the open quotes a carrier's rate change on a lane, or a change of shipper, affects."""
    select = sa.select(Quote).where(Quote.is_current.is_(True), Quote.status.in_(OPEN))
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


def timeline_entries(customer_id: int, limit: int) -> list[TimelineEntry]:
    """R-V4: the customer's quotes on its timeline."""
    quotes = db.session.scalars(sa.select(Quote).where(Quote.customer_id == customer_id, Quote.is_current.is_(True))
                                .order_by(Quote.id.desc()).limit(limit)).all()
    return [TimelineEntry(at=q.sent_at or q.created_at, kind="quote", template="quotes/_timeline_entry.html",
                          subject_id=q.id, data={"label": q.label, "pol": q.pol, "pod": q.pod, "status": q.status})
            for q in quotes]
