"""Reads for the visits screens: the cadence lists, the contact log, next actions, the calendar,
the reactivation queue and its results, complaint cases, care reminders, the customer's timeline
entries, the search documents and what a user still holds. Lists are keyset pages read through an
index in their order, with what their rows show loaded alongside."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from portal.auth.models import User
from portal.core import search
from portal.core.links import Subject
from portal.core.pagination import Page, keyset_page
from portal.core.policy import can
from portal.core.timeline import TimelineEntry
from portal.customers.models import Contact, Customer
from portal.extensions import db
from portal.visits.models import (ActionItem, CadenceRule, CalendarFeed, CaseEvent, CaseState, Channel,
                                  ComplaintCase, ContactEntry, CustomerCadence, Evidence, PlannedVisit, Reactivation,
                                  ReactivationAttempt, ReviewMeeting, Severity, VisitState)

WEEK = timedelta(days=7)
DUE_LISTS = ("overdue", "today", "week")


# --- cadence (R-V2) ------------------------------------------------------------------------------


def _due_filter(which: str, day: date):
    if which == "overdue":
        return CustomerCadence.due_on < day
    if which == "today":
        return CustomerCadence.due_on == day
    return sa.and_(CustomerCadence.due_on > day, CustomerCadence.due_on <= day + WEEK)


def due_list(owner_id: int | None, which: str, day: date, after: str | None = None, size: int = 25) -> Page:
    """Customers whose contact or revisit is overdue, due today, or due in the next seven days,
    soonest first: an agent's (owner_id) or everyone's."""
    select = sa.select(CustomerCadence).where(_due_filter(which, day))
    if owner_id is not None:
        select = select.where(CustomerCadence.owner_id == owner_id)
    select = select.options(joinedload(CustomerCadence.customer), raiseload("*"))
    return keyset_page(select, CustomerCadence.due_on, CustomerCadence.customer_id, after=after, kind=date, size=size)


def due_counts(owner_id: int, day: date) -> dict[str, int]:
    """How many of an agent's customers are overdue, due today, due within the week."""
    row = db.session.execute(sa.select(
        sa.func.count().filter(CustomerCadence.due_on < day),
        sa.func.count().filter(CustomerCadence.due_on == day),
        sa.func.count().filter(CustomerCadence.due_on > day))
        .where(CustomerCadence.owner_id == owner_id, CustomerCadence.due_on <= day + WEEK)).one()
    return dict(zip(DUE_LISTS, row))


def overdue_count(owner_id: int, day: date) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustomerCadence).where(
        CustomerCadence.owner_id == owner_id, CustomerCadence.due_on < day)) or 0


@dataclass
class AgentRow:
    user: User
    overdue: int = 0
    today: int = 0
    week: int = 0
    customers: int = 0
    revisits_on_time: int = 0
    contacts: int = 0
    satisfaction_sum: int = 0
    satisfaction_count: int = 0
    attempts: dict = None
    cases_open: int = 0
    cases_late: int = 0
    cases_closed: int = 0
    case_satisfaction_sum: int = 0
    case_satisfaction_count: int = 0

    @property
    def satisfaction(self) -> float | None:
        return self.satisfaction_sum / self.satisfaction_count if self.satisfaction_count else None

    @property
    def case_satisfaction(self) -> float | None:
        return self.case_satisfaction_sum / self.case_satisfaction_count if self.case_satisfaction_count else None

    @property
    def on_cadence(self) -> int | None:
        """Percent of the agent's customers whose revisit is not overdue (R-V2)."""
        return round(100 * self.revisits_on_time / self.customers) if self.customers else None


def team(day: date, since: datetime) -> list[AgentRow]:
    """Per agent and supervisor: the cadence lists' counts, revisits on cadence, contacts and their
    satisfaction since `since` (R-V5), reactivation results and complaint cases. A fixed number of
    grouped queries, whatever the team's size."""
    people = db.session.scalars(sa.select(User).where(User.active.is_(True), User.role.in_(("agent", "supervisor")))
                                .order_by(User.display_name)).all()
    rows = {u.id: AgentRow(u, attempts={}) for u in people}

    def row(user_id):
        return rows.get(user_id)

    for owner_id, overdue, today_, week, customers, on_time in db.session.execute(sa.select(
            CustomerCadence.owner_id, sa.func.count().filter(CustomerCadence.due_on < day),
            sa.func.count().filter(CustomerCadence.due_on == day),
            sa.func.count().filter(sa.and_(CustomerCadence.due_on > day, CustomerCadence.due_on <= day + WEEK)),
            sa.func.count(), sa.func.count().filter(CustomerCadence.revisit_due_on >= day))
            .group_by(CustomerCadence.owner_id)):
        if r := row(owner_id):
            r.overdue, r.today, r.week, r.customers, r.revisits_on_time = overdue, today_, week, customers, on_time
    for agent_id, contacts, score_sum, score_count in db.session.execute(sa.select(
            ContactEntry.agent_id, sa.func.count(), sa.func.coalesce(sa.func.sum(ContactEntry.satisfaction), 0),
            sa.func.count(ContactEntry.satisfaction)).where(ContactEntry.at >= since).group_by(ContactEntry.agent_id)):
        if r := row(agent_id):
            r.contacts, r.satisfaction_sum, r.satisfaction_count = contacts, score_sum, score_count
    for agent_id, outcome, n in db.session.execute(sa.select(
            ReactivationAttempt.agent_id, ReactivationAttempt.outcome, sa.func.count())
            .where(ReactivationAttempt.at >= since).group_by(ReactivationAttempt.agent_id, ReactivationAttempt.outcome)):
        if r := row(agent_id):
            r.attempts[str(outcome)] = n
    closed_recently = sa.and_(ComplaintCase.closed_at.is_not(None), ComplaintCase.closed_at >= since)
    for owner_id, open_, late, closed, score_sum, score_count in db.session.execute(sa.select(
            ComplaintCase.owner_id, sa.func.count().filter(ComplaintCase.state != CaseState.CLOSED),
            sa.func.count().filter(ComplaintCase.first_response_at > ComplaintCase.response_due_at),
            sa.func.count().filter(closed_recently),
            sa.func.coalesce(sa.func.sum(ComplaintCase.satisfaction).filter(closed_recently), 0),
            sa.func.count(ComplaintCase.satisfaction).filter(closed_recently))
            .where(sa.or_(ComplaintCase.state != CaseState.CLOSED, closed_recently))
            .group_by(ComplaintCase.owner_id)):
        if r := row(owner_id):
            r.cases_open, r.cases_late, r.cases_closed = open_, late, closed
            r.case_satisfaction_sum, r.case_satisfaction_count = score_sum, score_count
    return list(rows.values())


def cadence_rules() -> list[CadenceRule]:
    return db.session.scalars(sa.select(CadenceRule).order_by(CadenceRule.grade)).all()


def cadence_of(customer_id: int) -> CustomerCadence | None:
    return db.session.get(CustomerCadence, customer_id)


# --- the contact log (R-V1) ---------------------------------------------------------------------------


@dataclass
class LogFilters:
    q: str = ""
    agent_id: int | None = None
    customer_id: int | None = None
    channel: str | None = None
    purpose: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.agent_id or self.customer_id or self.channel or self.purpose)


def contact_log(filters: LogFilters, after: str | None = None, size: int = 25) -> Page:
    """The contact log, newest first, searchable and filtered by agent, customer, channel, purpose."""
    select = sa.select(ContactEntry)
    found = search.matching("contact_log", filters.q)
    if found is not None:
        select = select.where(ContactEntry.id.in_(found))
    if filters.agent_id:
        select = select.where(ContactEntry.agent_id == filters.agent_id)
    if filters.customer_id:
        select = select.where(ContactEntry.customer_id == filters.customer_id)
    if Channel.get(filters.channel):
        select = select.where(ContactEntry.channel == filters.channel)
    if filters.purpose:
        select = select.where(ContactEntry.purpose == filters.purpose)
    select = select.options(joinedload(ContactEntry.customer), joinedload(ContactEntry.agent),
                            joinedload(ContactEntry.next_owner), raiseload("*"))
    return keyset_page(select, ContactEntry.at, ContactEntry.id, descending=True, after=after, kind=datetime,
                       size=size)


def load_entry(entry_id: int) -> ContactEntry | None:
    return db.session.scalar(sa.select(ContactEntry).where(ContactEntry.id == entry_id).options(
        joinedload(ContactEntry.customer), joinedload(ContactEntry.agent), joinedload(ContactEntry.next_owner),
        joinedload(ContactEntry.next_done_by), joinedload(ContactEntry.contact)))


def next_actions(owner_id: int, after: str | None = None, size: int = 25) -> Page:
    """An agent's next actions still to do, by due date."""
    select = sa.select(ContactEntry).where(ContactEntry.next_owner_id == owner_id,
                                           ContactEntry.next_due_on.is_not(None), ContactEntry.next_done_at.is_(None))
    select = select.options(joinedload(ContactEntry.customer), raiseload("*"))
    return keyset_page(select, ContactEntry.next_due_on, ContactEntry.id, after=after, kind=date, size=size)


def meeting_of(entry_id: int) -> ReviewMeeting | None:
    return db.session.scalar(sa.select(ReviewMeeting).where(ReviewMeeting.contact_entry_id == entry_id))


def load_meeting(meeting_id: int) -> ReviewMeeting | None:
    return db.session.scalar(sa.select(ReviewMeeting).where(ReviewMeeting.id == meeting_id).options(
        joinedload(ReviewMeeting.customer), joinedload(ReviewMeeting.recorded_by),
        selectinload(ReviewMeeting.actions).joinedload(ActionItem.owner)))


def open_action_items(owner_id: int, limit: int = 50) -> list[ActionItem]:
    """Action items of review meetings still open for their owner, by due date (the handover desk)."""
    return db.session.scalars(sa.select(ActionItem).where(ActionItem.owner_id == owner_id, ActionItem.done_at.is_(None))
                              .options(joinedload(ActionItem.customer), joinedload(ActionItem.meeting), raiseload("*"))
                              .order_by(ActionItem.due_on, ActionItem.id).limit(limit)).all()


# --- planned visits and the calendar --------------------------------------------------------------------------


@dataclass
class CalendarItem:
    """A visit on the calendar: planned (or cancelled) from its plan, done from the contact log."""
    starts_at: datetime
    ends_at: datetime | None
    customer: Customer
    agent: User
    state: VisitState
    purpose: object
    place: str
    visit_id: int | None = None
    entry_id: int | None = None


def calendar(agent_id: int | None, start: datetime, end: datetime) -> list[CalendarItem]:
    """The visits in [start, end): an agent's (agent_id) or the team's, planned and done, in time order."""
    plans = sa.select(PlannedVisit).where(PlannedVisit.starts_at >= start, PlannedVisit.starts_at < end)
    logged = sa.select(ContactEntry).where(ContactEntry.channel == Channel.VISIT, ContactEntry.at >= start,
                                           ContactEntry.at < end)
    if agent_id is not None:
        plans = plans.where(PlannedVisit.agent_id == agent_id)
        logged = logged.where(ContactEntry.agent_id == agent_id)
    items = []
    for v in db.session.scalars(plans.options(joinedload(PlannedVisit.customer), joinedload(PlannedVisit.agent),
                                              raiseload("*")).order_by(PlannedVisit.starts_at, PlannedVisit.id)):
        if v.state != VisitState.DONE:   # a done visit shows through its contact log entry
            items.append(CalendarItem(v.starts_at, v.ends_at, v.customer, v.agent, v.state, v.purpose, v.place,
                                      visit_id=v.id))
    for e in db.session.scalars(logged.options(joinedload(ContactEntry.customer), joinedload(ContactEntry.agent),
                                               raiseload("*")).order_by(ContactEntry.at, ContactEntry.id)):
        items.append(CalendarItem(e.at, None, e.customer, e.agent, VisitState.DONE, e.purpose, "", entry_id=e.id))
    items.sort(key=lambda i: (i.starts_at, i.customer.id))
    return items


def agent_visits(agent_id: int, start: datetime, end: datetime) -> list[PlannedVisit]:
    """An agent's planned and done visits for the calendar feed (cancelled ones too, marked so)."""
    return db.session.scalars(sa.select(PlannedVisit).where(
        PlannedVisit.agent_id == agent_id, PlannedVisit.starts_at >= start, PlannedVisit.starts_at < end)
        .options(joinedload(PlannedVisit.customer), joinedload(PlannedVisit.contact), raiseload("*"))
        .order_by(PlannedVisit.starts_at, PlannedVisit.id)).all()


def load_visit(visit_id: int) -> PlannedVisit | None:
    return db.session.scalar(sa.select(PlannedVisit).where(PlannedVisit.id == visit_id).options(
        joinedload(PlannedVisit.customer).joinedload(Customer.owner), joinedload(PlannedVisit.agent),
        joinedload(PlannedVisit.contact)))


def upcoming_visits(customer_id: int, moment: datetime, limit: int = 3) -> list[PlannedVisit]:
    return db.session.scalars(sa.select(PlannedVisit).where(
        PlannedVisit.customer_id == customer_id, PlannedVisit.state == VisitState.PLANNED,
        PlannedVisit.starts_at >= moment - timedelta(hours=12))
        .options(joinedload(PlannedVisit.agent), raiseload("*"))
        .order_by(PlannedVisit.starts_at).limit(limit)).all()


def feed_for_digest(digest: str) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.digest == digest))


def live_feed_of(user_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user_id,
                                                           CalendarFeed.revoked_at.is_(None))
                             .order_by(CalendarFeed.id.desc()).limit(1))


# --- reactivation (R-V3) ----------------------------------------------------------------------------------


def reactivation_queue(owner_id: int | None, after: str | None = None, size: int = 25) -> Page:
    """Dormant customers still in the queue, the longest silent first (worked oldest-first)."""
    select = sa.select(Reactivation).where(Reactivation.closed_at.is_(None))
    if owner_id is not None:
        select = select.where(Reactivation.owner_id == owner_id)
    select = select.options(joinedload(Reactivation.customer), joinedload(Reactivation.owner), raiseload("*"))
    return keyset_page(select, Reactivation.silent_since, Reactivation.id, after=after, kind=datetime, size=size)


def load_reactivation(target_id: int) -> Reactivation | None:
    return db.session.scalar(sa.select(Reactivation).where(Reactivation.id == target_id).options(
        joinedload(Reactivation.customer).selectinload(Customer.contacts), joinedload(Reactivation.owner),
        selectinload(Reactivation.attempts_made).joinedload(ReactivationAttempt.agent)))


def reactivation_results(since: datetime, agent_id: int | None = None) -> dict[int, dict[str, int]]:
    """{agent id: {outcome: count}} of the calls and visits to dormant customers since `since`."""
    select = sa.select(ReactivationAttempt.agent_id, ReactivationAttempt.outcome, sa.func.count()).where(
        ReactivationAttempt.at >= since)
    if agent_id is not None:
        select = select.where(ReactivationAttempt.agent_id == agent_id)
    results: dict[int, dict[str, int]] = {}
    for agent, outcome, n in db.session.execute(select.group_by(ReactivationAttempt.agent_id,
                                                                ReactivationAttempt.outcome)):
        results.setdefault(agent, {})[str(outcome)] = n
    return results


# --- complaint cases (R-V6) --------------------------------------------------------------------------------


@dataclass
class CaseFilters:
    q: str = ""
    state: str | None = None         # a CaseState, or "open"
    owner_id: int | None = None
    severity: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.state or self.owner_id or self.severity)


def cases(filters: CaseFilters, after: str | None = None, size: int = 25) -> Page:
    """Complaint cases, the newest received first."""
    select = sa.select(ComplaintCase)
    found = search.matching("complaint_case", filters.q)
    if found is not None:
        select = select.where(ComplaintCase.id.in_(found))
    if filters.state == "open":
        select = select.where(ComplaintCase.state != CaseState.CLOSED)
    elif CaseState.get(filters.state):
        select = select.where(ComplaintCase.state == filters.state)
    if filters.owner_id:
        select = select.where(ComplaintCase.owner_id == filters.owner_id)
    if Severity.get(filters.severity):
        select = select.where(ComplaintCase.severity == filters.severity)
    select = select.options(joinedload(ComplaintCase.customer), joinedload(ComplaintCase.owner), raiseload("*"))
    return keyset_page(select, ComplaintCase.received_at, ComplaintCase.id, descending=True, after=after,
                       kind=datetime, size=size)


def load_case(case_id: int) -> ComplaintCase | None:
    return db.session.scalar(sa.select(ComplaintCase).where(ComplaintCase.id == case_id).options(
        joinedload(ComplaintCase.customer).selectinload(Customer.contacts), joinedload(ComplaintCase.owner),
        joinedload(ComplaintCase.first_response_by), joinedload(ComplaintCase.contact),
        joinedload(ComplaintCase.shipment), joinedload(ComplaintCase.quote),
        selectinload(ComplaintCase.events).joinedload(CaseEvent.by),
        selectinload(ComplaintCase.evidence).joinedload(Evidence.uploaded_by)))


def waiting_for_response(owner_id: int | None = None, limit: int = 50) -> list[ComplaintCase]:
    """Cases still waiting for their first response, the one due soonest first (the 1-hour clock)."""
    select = sa.select(ComplaintCase).where(ComplaintCase.first_response_at.is_(None))
    if owner_id is not None:
        select = select.where(ComplaintCase.owner_id == owner_id)
    return db.session.scalars(select.options(joinedload(ComplaintCase.customer), joinedload(ComplaintCase.owner),
                                             raiseload("*"))
                              .order_by(ComplaintCase.response_due_at, ComplaintCase.id).limit(limit)).all()


def late_responses(moment: datetime) -> int:
    """Urgent cases past their first-response time without one: what supervisors are alerted to."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ComplaintCase).where(
        ComplaintCase.first_response_at.is_(None), ComplaintCase.response_due_at < moment,
        ComplaintCase.severity == Severity.URGENT)) or 0


def open_cases_of(customer_id: int) -> list[ComplaintCase]:
    return db.session.scalars(sa.select(ComplaintCase).where(ComplaintCase.customer_id == customer_id,
                                                             ComplaintCase.state != CaseState.CLOSED)
                              .options(raiseload("*")).order_by(ComplaintCase.received_at.desc()).limit(10)).all()


def evidence_of(case_id: int, evidence_id: int) -> Evidence | None:
    return db.session.scalar(sa.select(Evidence).where(Evidence.id == evidence_id, Evidence.case_id == case_id))


def find_case(reference: str) -> int | None:
    """A complaint case named by its number (CC2026-0001), for a handover item that links it."""
    value = (reference or "").strip().upper()[:20]
    return db.session.scalar(sa.select(ComplaintCase.id).where(ComplaintCase.number == value)) if value else None


def describe_cases(ids: list[int]) -> dict[int, Subject]:
    rows = db.session.execute(sa.select(ComplaintCase.id, ComplaintCase.number, ComplaintCase.summary)
                              .where(ComplaintCase.id.in_(ids))).all()
    return {r.id: Subject(label=f"{r.number} · {r.summary}", endpoint="visits.case", values={"case_id": r.id},
                          reference=r.number) for r in rows}


# --- care reminders (R-V7) ---------------------------------------------------------------------------------


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def birthdays(owner_id: int | None, first: date, last: date) -> list[tuple[date, Contact]]:
    """Contacts of an agent's customers (or everyone's) whose birthday falls from first to last,
    with the day it falls on, in date order."""
    days = _days(first, last)
    month, day = sa.extract("month", Contact.birthday), sa.extract("day", Contact.birthday)
    match = sa.or_(*(sa.and_(month == d.month, day == d.day) for d in days))
    select = sa.select(Contact).join(Customer, Customer.id == Contact.customer_id).where(
        Contact.birthday.is_not(None), match)
    if owner_id is not None:
        select = select.where(Customer.owner_id == owner_id)
    found = []
    by_month_day = {(d.month, d.day): d for d in days}
    for contact in db.session.scalars(select.options(joinedload(Contact.customer), raiseload("*"))):
        falls = by_month_day.get((contact.birthday.month, contact.birthday.day))
        if falls:
            found.append((falls, contact))
    found.sort(key=lambda pair: (pair[0], pair[1].customer.sort_name, pair[1].id))
    return found


def festival_page(owner_id: int | None, after: str | None = None, size: int = 25) -> Page:
    """An agent's customers (or everyone's) by name, with their contacts: whom to greet for a festival."""
    select = sa.select(Customer)
    if owner_id is not None:
        select = select.where(Customer.owner_id == owner_id)
    select = select.options(selectinload(Customer.contacts), raiseload("*"))
    return keyset_page(select, Customer.sort_name, Customer.id, after=after, size=size)


def greeted(contact_ids, occasions) -> dict[tuple[int, str], ContactEntry]:
    """{(contact id, occasion): the care message logged} for these contacts and occasions."""
    contact_ids, occasions = sorted(set(contact_ids)), sorted(set(occasions))
    if not contact_ids or not occasions:
        return {}
    rows = db.session.scalars(sa.select(ContactEntry).where(ContactEntry.contact_id.in_(contact_ids),
                                                            ContactEntry.occasion.in_(occasions))
                              .options(raiseload("*"))).all()
    return {(e.contact_id, e.occasion): e for e in rows}


def agreements_ending(owner_id: int | None, day: date, within: int = 30, limit: int = 50) -> list[Customer]:
    """R-V7: customers whose cooperation agreement ends within `within` days or ended in the last
    ninety, the soonest first."""
    select = sa.select(Customer).where(Customer.agreement_ends_on.is_not(None),
                                       Customer.agreement_ends_on <= day + timedelta(days=within),
                                       Customer.agreement_ends_on >= day - timedelta(days=90))
    if owner_id is not None:
        select = select.where(Customer.owner_id == owner_id)
    return db.session.scalars(select.options(raiseload("*")).order_by(Customer.agreement_ends_on, Customer.id)
                              .limit(limit)).all()


# --- the customer's timeline (R-V4) ---------------------------------------------------------------------------


def _entries_select(customer_id: int, before: datetime | None):
    select = sa.select(ContactEntry).where(ContactEntry.customer_id == customer_id)
    if before is not None:
        select = select.where(ContactEntry.at <= before)
    return select.options(joinedload(ContactEntry.agent), raiseload("*")).order_by(
        ContactEntry.at.desc(), ContactEntry.id.desc())


def _entry_data(e: ContactEntry) -> dict:
    return {"channel": e.channel, "purpose": e.purpose, "contact": e.contact_name, "notes": e.notes[:200],
            "outcome": e.outcome, "satisfaction": e.satisfaction, "next_action": e.next_action,
            "next_due_on": e.next_due_on, "source_type": e.source_type, "source_id": e.source_id}


def timeline_contacts(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V4: the customer's contacts (calls, e-mails, chats, meetings) on its timeline."""
    entries = db.session.scalars(_entries_select(customer_id, before).where(ContactEntry.channel != Channel.VISIT)
                                 .limit(limit)).all()
    return [TimelineEntry(at=e.at, kind="contact", template="visits/_timeline_contact.html", subject_id=e.id,
                          data=_entry_data(e), by=e.agent.display_name) for e in entries]


def timeline_visits(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V4: visits to the customer: those that took place (from the log) and those planned or
    cancelled (from the calendar)."""
    done = db.session.scalars(_entries_select(customer_id, before).where(ContactEntry.channel == Channel.VISIT)
                              .limit(limit)).all()
    plans = sa.select(PlannedVisit).where(PlannedVisit.customer_id == customer_id,
                                          PlannedVisit.state != VisitState.DONE)
    if before is not None:
        plans = plans.where(PlannedVisit.starts_at <= before)
    planned = db.session.scalars(plans.options(joinedload(PlannedVisit.agent), raiseload("*"))
                                 .order_by(PlannedVisit.starts_at.desc(), PlannedVisit.id.desc()).limit(limit)).all()
    found = [TimelineEntry(at=e.at, kind="visit", template="visits/_timeline_contact.html", subject_id=e.id,
                           data=_entry_data(e), by=e.agent.display_name) for e in done]
    found += [TimelineEntry(at=v.starts_at, kind="visit", template="visits/_timeline_visit.html",
                            subject_id=-v.id, data={"visit_id": v.id, "state": v.state, "purpose": v.purpose,
                                                    "place": v.place, "ends_at": v.ends_at},
                            by=v.agent.display_name) for v in planned]
    return found


def timeline_cases(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V6/R-V4: every step of the customer's complaint cases on its timeline."""
    select = sa.select(CaseEvent).where(CaseEvent.customer_id == customer_id)
    if before is not None:
        select = select.where(CaseEvent.at <= before)
    events = db.session.scalars(select.options(joinedload(CaseEvent.case), joinedload(CaseEvent.by), raiseload("*"))
                                .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(limit)).all()
    link = reader is not None and can(reader, "cases.view")
    return [TimelineEntry(at=e.at, kind="case", template="visits/_timeline_case.html", subject_id=e.id,
                          data={"case_id": e.case_id if link else None, "number": e.case.number, "step": e.step,
                                "note": e.note[:200], "summary": e.case.summary},
                          by=e.by.display_name if e.by else "") for e in events]


# --- search --------------------------------------------------------------------------------------------


def contact_documents(session, ids: list[int]) -> dict[int, str]:
    """The search tokens of contact log entries: what was said and agreed, the contact person, and
    the customer's code and names."""
    rows = session.execute(sa.select(ContactEntry.id, ContactEntry.notes, ContactEntry.outcome,
                                     ContactEntry.next_action, ContactEntry.contact_name, Customer.code,
                                     Customer.name_zh, Customer.name_en)
                           .join(Customer, Customer.id == ContactEntry.customer_id)
                           .where(ContactEntry.id.in_(ids))).all()
    return {r.id: search.document_tokens(r.notes, r.outcome, r.next_action, r.code,
                                         names=[r.contact_name, r.name_zh, r.name_en]) for r in rows}


def case_documents(session, ids: list[int]) -> dict[int, str]:
    rows = session.execute(sa.select(ComplaintCase.id, ComplaintCase.number, ComplaintCase.summary,
                                     ComplaintCase.description, ComplaintCase.reported_by, Customer.code,
                                     Customer.name_zh, Customer.name_en)
                           .join(Customer, Customer.id == ComplaintCase.customer_id)
                           .where(ComplaintCase.id.in_(ids))).all()
    return {r.id: search.document_tokens(r.number, r.summary, r.description, r.code,
                                         names=[r.reported_by, r.name_zh, r.name_en]) for r in rows}


def _owned(model):
    return lambda session, customers: session.scalars(
        sa.select(model.id).where(model.customer_id.in_([c.id for c in customers]))).all()


def search_sources() -> list[search.Source]:
    """Contact log entries and complaint cases are found by their words and their customer's."""
    return [
        search.Source(kind="contact_log", model=ContactEntry, documents=contact_documents,
                      watch={Customer: (("code", "name_zh", "name_en"), _owned(ContactEntry))}),
        search.Source(kind="complaint_case", model=ComplaintCase, documents=case_documents,
                      watch={Customer: (("code", "name_zh", "name_en"), _owned(ComplaintCase))}),
    ]


# --- what a user still holds (auth.holdings) ----------------------------------------------------------------


def held_by(user_ids: list[int], moment: datetime) -> dict[int, int]:
    """{user id: open cases handled + next actions and action items to do + upcoming visits}."""
    held: dict[int, int] = {}
    for select in (
        sa.select(ComplaintCase.owner_id, sa.func.count()).where(ComplaintCase.owner_id.in_(user_ids),
                                                                 ComplaintCase.state != CaseState.CLOSED)
        .group_by(ComplaintCase.owner_id),
        sa.select(ContactEntry.next_owner_id, sa.func.count()).where(
            ContactEntry.next_owner_id.in_(user_ids), ContactEntry.next_due_on.is_not(None),
            ContactEntry.next_done_at.is_(None)).group_by(ContactEntry.next_owner_id),
        sa.select(ActionItem.owner_id, sa.func.count()).where(ActionItem.owner_id.in_(user_ids),
                                                              ActionItem.done_at.is_(None))
        .group_by(ActionItem.owner_id),
        sa.select(PlannedVisit.agent_id, sa.func.count()).where(
            PlannedVisit.agent_id.in_(user_ids), PlannedVisit.state == VisitState.PLANNED,
            PlannedVisit.starts_at >= moment).group_by(PlannedVisit.agent_id),
    ):
        for user_id, n in db.session.execute(select):
            held[user_id] = held.get(user_id, 0) + n
    return held
