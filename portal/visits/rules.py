"""Visits and the contact log (R-V1 to R-V7): changes and checks. Reads are in queries.py.

- The contact log (R-V1): every contact with its channel, purpose, contact person, notes, outcome,
  satisfaction (R-V5) and next action; contacts other features report (core.contacts) join it.
- Cadence (R-V2): each grade is contacted and revisited every so many days; a customer's next
  contact and revisit fall due by the grades it had along the way (its grade history), on a
  working day.
- Reactivation (R-V3): customers silent for the configured number of days are queued for their
  owner; call first, then aim for a visit; each attempt's outcome is kept.
- Planned visits: an agent's calendar, no two visits at once.
- Complaint cases (R-V6): the closed loop from receipt to the satisfaction call-back, the first
  response within an hour for urgent ones, evidence, claims; operations review meetings with
  action items.
- Care reminders (R-V7): greetings for birthdays and festivals are contacts too.
"""
import hashlib
import hmac
import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit
from portal.core.clock import now, today
from portal.core.policy import BOOK_HOLDERS, can
from portal.core.rules import RuleViolation, check_version
from portal.core.sequence import next_value
from portal.customers.models import Contact, Customer, GradeChange
from portal.extensions import db
from portal.quotes.models import Quote
from portal.shipments.models import Shipment
from portal.visits import workdays
from portal.visits.models import (CLAIM_PENDING, CLOSING, REVISIT_CHANNELS, REVISIT_PURPOSES, ActionItem,
                                  CadenceRule, CalendarFeed, CaseEvent, CaseState, CaseStep, Category, Channel,
                                  ClaimState, ComplaintCase, ContactEntry, CustomerCadence, Evidence, Outcome,
                                  PlannedVisit, Purpose, Reactivation, ReactivationAttempt, ReactivationState,
                                  ReviewMeeting, Severity, VisitSettings, VisitState)

# The handbook's cadence (#89): A and B almost every day, C two to three times a week, D when
# time allows; revisits (定期回訪) per grade are the department's to set. Supervisors change both.
DEFAULT_CADENCE = {"A": (1, 30), "B": (1, 60), "C": (3, 90), "D": (30, 180)}
DEFAULT_DORMANT_DAYS = 180
# R-V6: an urgent complaint gets its first response within the hour; others within the working
# day (seed 002: 當日回復) or, when minor, three days.
RESPONSE_TIME = {Severity.URGENT: timedelta(hours=1), Severity.NORMAL: timedelta(hours=24),
                 Severity.LOW: timedelta(hours=72)}
LONGEST_VISIT = timedelta(hours=12)
# A contact logged a few minutes "ahead" is a clock out of step, not a contact in the future.
CLOCK_SLACK = timedelta(minutes=5)
EVIDENCE_TYPES = {  # what a phone or scanner makes: photos and PDFs, recognised by their first bytes
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/heic": (".heic", ".heif"),
    "image/webp": (".webp",),
}
FEED_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _zone() -> str:
    return current_app.config["PORTAL_TIMEZONE"]


def _today() -> date:
    return today(_zone())


def _country() -> str:
    return workdays.country_for(current_app.config)


def local_date(moment: datetime, zone: str | None = None) -> date:
    """The department's date of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone or _zone())).date()


def _user_zone(user: User | None) -> ZoneInfo:
    return ZoneInfo((user.timezone if user is not None and user.timezone else None) or _zone())


def _clock_text(moment: datetime, user: User | None) -> str:
    return moment.replace(tzinfo=UTC).astimezone(_user_zone(user)).strftime("%Y-%m-%d %H:%M")


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _check_satisfaction(value, field: str = "satisfaction") -> int | None:
    """R-V5: satisfaction is a score from 1 (very unhappy) to 5 (very happy), or not asked."""
    if value in (None, ""):
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise RuleViolation(_l("Satisfaction is a score from 1 to 5."), field)
    return score


def _book_holder(user: User | None, field: str) -> User:
    if user is None or not user.active or user.role not in BOOK_HOLDERS:
        raise RuleViolation(_l("Choose an active agent or supervisor."), field)
    return user


def _may_work(actor: User, customer: Customer, field: str = "customer") -> None:
    """An agent works the customers they own, a supervisor any (policy: visits.log)."""
    if not can(actor, "visits.log", customer):
        owner = customer.owner or db.session.get(User, customer.owner_id)
        raise RuleViolation(_l("%(customer)s is looked after by %(owner)s: only they or a supervisor can log "
                               "contacts and plan visits for this customer.", customer=customer.display_name,
                               owner=owner.display_name if owner else "—"), field)


def _contact_of(customer: Customer, contact_id, field: str = "contact_id") -> Contact | None:
    if not contact_id:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.customer_id != customer.id:
        raise RuleViolation(_l("Choose one of this customer's contacts."), field)
    return contact


# --- cadence (R-V2) ---------------------------------------------------------------------------------


def cadence_rules() -> dict[str, CadenceRule]:
    rules = {r.grade: r for r in db.session.scalars(sa.select(CadenceRule))}
    for grade, (contact_days, revisit_days) in DEFAULT_CADENCE.items():
        rules.setdefault(grade, CadenceRule(grade=grade, contact_days=contact_days, revisit_days=revisit_days))
    return rules


def settings() -> VisitSettings:
    found = db.session.scalar(sa.select(VisitSettings).order_by(VisitSettings.id).limit(1))
    return found or VisitSettings(dormant_days=DEFAULT_DORMANT_DAYS, version=1)


def grade_periods(start: date, grade: str, changes, zone: str | None = None) -> list[tuple[date, str]]:
    """The customer's grades as periods [(first day, grade), ...] from its grade history: changes
    are (moment, new grade) pairs in the order they were made; a day's last change holds for it."""
    periods: dict[date, str] = {start: grade}
    if changes:
        periods = {}
    for moment, new_grade in changes:
        periods[local_date(moment, zone)] = str(new_grade)
    ordered = sorted(periods.items())
    # Consecutive periods of the same grade are one.
    merged = [ordered[0]]
    for day, g in ordered[1:]:
        if g != merged[-1][1]:
            merged.append((day, g))
    return merged


def due_after(last: date, periods: list[tuple[date, str]], days: dict[str, int]) -> date:
    """R-V2, the cadence follows the grade at the time: the first day d after `last` on which the
    grade the customer had that day asks for a contact (d - last >= that grade's interval).

    A customer contacted on Monday as grade C (every 3 days) is due on Thursday; if it became
    grade A (every day) on Tuesday, it is due on Tuesday; if it went down to D on Tuesday instead,
    it is due D's interval after Monday."""
    best = None
    for n, (start, grade) in enumerate(periods):
        end = periods[n + 1][0] if n + 1 < len(periods) else None
        candidate = max(start, last + timedelta(days=max(days.get(grade, 30), 1)))
        if end is None or candidate < end:
            best = candidate if best is None else min(best, candidate)
    return best if best is not None else last + timedelta(days=max(days.get(periods[-1][1], 30), 1))


def next_due(last: date, periods, days: dict[str, int], country: str) -> date:
    """The due day of R-V2, moved to the next working day when it falls on a weekend or holiday."""
    return workdays.next_working_day(due_after(last, periods, days), country)


def _is_revisit(entry_channel, entry_purpose) -> bool:
    return entry_channel in REVISIT_CHANNELS or entry_purpose in REVISIT_PURPOSES


def refresh_cadence(customer_ids) -> int:
    """Recompute where these customers stand on their cadence (after a contact, a grade change, a
    new customer, or new settings); returns how many rows were written."""
    ids = sorted({i for i in customer_ids if i})
    if not ids:
        return 0
    rules = cadence_rules()
    contact_days = {g: r.contact_days for g, r in rules.items()}
    revisit_days = {g: r.revisit_days for g, r in rules.items()}
    country = _country()
    written = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        customers = db.session.execute(sa.select(Customer.id, Customer.owner_id, Customer.grade, Customer.created_at)
                                       .where(Customer.id.in_(chunk))).all()
        changes: dict[int, list] = {}
        for row in db.session.execute(sa.select(GradeChange.customer_id, GradeChange.changed_at, GradeChange.to_grade)
                                      .where(GradeChange.customer_id.in_(chunk)).order_by(GradeChange.id)):
            changes.setdefault(row.customer_id, []).append((row.changed_at, row.to_grade))
        last_contact = dict(db.session.execute(
            sa.select(ContactEntry.customer_id, sa.func.max(ContactEntry.at))
            .where(ContactEntry.customer_id.in_(chunk)).group_by(ContactEntry.customer_id)).all())
        revisit = sa.or_(ContactEntry.channel.in_([c.value for c in REVISIT_CHANNELS]),
                         ContactEntry.purpose.in_([p.value for p in REVISIT_PURPOSES]))
        last_revisit = dict(db.session.execute(
            sa.select(ContactEntry.customer_id, sa.func.max(ContactEntry.at))
            .where(ContactEntry.customer_id.in_(chunk), revisit).group_by(ContactEntry.customer_id)).all())
        existing = {c.customer_id: c for c in db.session.scalars(
            sa.select(CustomerCadence).where(CustomerCadence.customer_id.in_(chunk)))}
        for c in customers:
            created = local_date(c.created_at)
            periods = grade_periods(created, c.grade, changes.get(c.id, []))
            contacted, revisited = last_contact.get(c.id), last_revisit.get(c.id)
            contact_due = next_due(local_date(contacted) if contacted else created, periods, contact_days, country)
            revisit_due = next_due(local_date(revisited) if revisited else created, periods, revisit_days, country)
            row = existing.get(c.id)
            if row is None:
                row = CustomerCadence(customer_id=c.id)
                db.session.add(row)
            row.owner_id, row.grade = c.owner_id, str(c.grade)
            row.last_contact_at, row.last_revisit_at = contacted, revisited
            row.contact_due_on, row.revisit_due_on = contact_due, revisit_due
            row.due_on = min(contact_due, revisit_due)
            row.updated_at = now()
            written += 1
        db.session.flush()
    return written


def refresh_all_cadence(batch: int = 1000) -> int:
    """Every customer's cadence anew (new settings; a nightly check after bulk loads)."""
    last, total = 0, 0
    while True:
        ids = db.session.scalars(sa.select(Customer.id).where(Customer.id > last).order_by(Customer.id)
                                 .limit(batch)).all()
        if not ids:
            return total
        total += refresh_cadence(ids)
        last = ids[-1]


def refresh_missing_cadence(batch: int = 1000) -> int:
    """The cadence of customers that have none yet (after an upgrade, or customers loaded in bulk)."""
    total = 0
    while True:
        ids = db.session.scalars(sa.select(Customer.id).where(~sa.exists(sa.select(CustomerCadence.customer_id).where(
            CustomerCadence.customer_id == Customer.id))).order_by(Customer.id).limit(batch)).all()
        if not ids:
            return total
        total += refresh_cadence(ids)


def update_settings(actor: User, cadence: dict[str, tuple[int, int]], versions: dict[str, int],
                    dormant_days: int, settings_version) -> None:
    """R-V2/R-V3: a supervisor sets each grade's contact and revisit intervals and when a silent
    customer counts as dormant. Every customer's due dates follow (refresh_all_cadence, a job)."""
    if not can(actor, "visits.settings"):
        raise RuleViolation(_l("Only a supervisor changes the cadence."))
    current = settings()
    if current.id is not None:
        check_version(current, settings_version)
    if not 30 <= (dormant_days or 0) <= 1095:
        raise RuleViolation(_l("A customer counts as dormant after 30 to 1,095 days without activity."),
                            "dormant_days")
    rules = cadence_rules()
    changes = {}
    for grade in DEFAULT_CADENCE:
        contact_days, revisit_days = cadence.get(grade, (None, None))
        if not (contact_days and 1 <= contact_days <= 365):
            raise RuleViolation(_l("Contact every 1 to 365 days."), f"contact_{grade.lower()}")
        if not (revisit_days and 1 <= revisit_days <= 730):
            raise RuleViolation(_l("Revisit every 1 to 730 days."), f"revisit_{grade.lower()}")
        rule = rules[grade]
        if rule in db.session:
            check_version(rule, versions.get(grade))
        changes[f"contact_days_{grade}"] = [rule.contact_days, contact_days]
        changes[f"revisit_days_{grade}"] = [rule.revisit_days, revisit_days]
        rule.contact_days, rule.revisit_days = contact_days, revisit_days
        rule.updated_at, rule.updated_by_id = now(), actor.id
        if rule not in db.session:
            db.session.add(rule)
    changes["dormant_days"] = [current.dormant_days, dormant_days]
    current.dormant_days, current.updated_at, current.updated_by_id = dormant_days, now(), actor.id
    if current not in db.session:
        db.session.add(current)
    db.session.flush()
    audit.record(actor, "settings", current, changes)


# --- the contact log (R-V1) -----------------------------------------------------------------------------


@dataclass
class ContactFields:
    channel: str
    purpose: str
    notes: str = ""
    at: datetime | None = None                 # naive UTC; None: now
    contact_id: int | None = None
    contact_name: str = ""
    outcome: str = ""
    satisfaction: int | None = None
    next_action: str = ""
    next_due_on: date | None = None
    next_owner: User | None = None


def _check_next_action(actor: User, fields: ContactFields) -> tuple[str, date | None, int | None]:
    """A next action says what, by when (today or later) and who (an agent or supervisor)."""
    text = _text(fields.next_action, 300)
    if not text and fields.next_due_on is None:
        return "", None, None
    if not text:
        raise RuleViolation(_l("Say what the next action is, or leave its due date empty."), "next_action")
    if fields.next_due_on is None:
        raise RuleViolation(_l("Give the next action a due date."), "next_due_on")
    if fields.next_due_on < _today():
        raise RuleViolation(_l("The next action's due date has passed: choose today or a later day."),
                            "next_due_on")
    owner = _book_holder(fields.next_owner or actor, "next_owner_id")
    return text, fields.next_due_on, owner.id


def log_contact(actor: User, customer: Customer, fields: ContactFields, *, source: tuple[str, int] | None = None,
                occasion: str | None = None, checked: bool = False, agent: User | None = None) -> ContactEntry:
    """R-V1: log a contact with a customer. `checked`: the caller's own rule has decided who may
    report it (a quote's follow-up, a case's call-back), so the customer's owner rule is not asked."""
    if not checked:
        _may_work(actor, customer)
    channel, purpose = Channel.get(fields.channel), Purpose.get(fields.purpose)
    if channel is None:
        raise RuleViolation(_l("Choose how you were in touch."), "channel")
    if purpose is None:
        raise RuleViolation(_l("Choose the purpose of the contact."), "purpose")
    moment = fields.at or now()
    if moment > now() + CLOCK_SLACK:
        raise RuleViolation(_l("A contact cannot be logged ahead of time: plan a visit instead."), "at")
    notes = (fields.notes or "").strip()[:5000]
    if not notes and not checked:
        raise RuleViolation(_l("Say what was discussed."), "notes")
    satisfaction = _check_satisfaction(fields.satisfaction)
    contact = _contact_of(customer, fields.contact_id)
    next_action, next_due_on, next_owner_id = _check_next_action(actor, fields)
    entry = ContactEntry(
        customer_id=customer.id, agent_id=(agent or actor).id, at=moment, channel=channel, purpose=purpose,
        contact_id=contact.id if contact else None,
        contact_name=_text(fields.contact_name, 80) or (contact.name if contact else ""),
        notes=notes, outcome=_text(fields.outcome, 300), satisfaction=satisfaction, next_action=next_action,
        next_due_on=next_due_on, next_owner_id=next_owner_id, source_type=source[0] if source else None,
        source_id=source[1] if source else None, occasion=occasion)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "create", entry, {f: [None, v] for f, v in audit.snapshot(entry, (
        "customer_id", "at", "channel", "purpose", "contact_name", "outcome", "satisfaction", "next_action",
        "next_due_on", "next_owner_id")).items()})
    refresh_cadence([customer.id])
    return entry


def finish_next_action(actor: User, entry: ContactEntry, expected_version) -> ContactEntry:
    """The next action of a contact is done (its owner, or a supervisor, ticks it off)."""
    check_version(entry, expected_version)
    if not entry.next_action:
        raise RuleViolation(_l("This contact has no next action."))
    if entry.next_done_at is not None:
        raise RuleViolation(_l("This next action is done already."))
    if not can(actor, "visits.next_action", entry):
        raise RuleViolation(_l("This next action is another agent's."))
    entry.next_done_at, entry.next_done_by_id = now(), actor.id
    db.session.flush()
    audit.record(actor, "next_action", entry, {"next_done_at": [None, entry.next_done_at]})
    return entry


def on_contact_reported(sender, report) -> None:
    """core.contacts: a contact another feature made (a quote's follow-up) joins the log."""
    customer = db.session.get(Customer, report.customer_id)
    if customer is None:
        return
    agent = db.session.get(User, report.agent_id) if report.agent_id else sender
    if agent is None:
        return
    fields = ContactFields(channel=report.channel if Channel.get(report.channel) else Channel.PHONE,
                           purpose=report.purpose if Purpose.get(report.purpose) else Purpose.REVISIT,
                           notes=report.summary or "", at=report.at, contact_id=report.contact_id)
    log_contact(sender or agent, customer, fields, source=(report.source_type, report.source_id), checked=True,
                agent=agent)


# --- planned visits --------------------------------------------------------------------------------------


@dataclass
class VisitFields:
    starts_at: datetime | None
    ends_at: datetime | None
    purpose: str = Purpose.REVISIT
    place: str = ""
    contact_id: int | None = None
    agenda: str = ""


def _check_times(fields: VisitFields, new: bool) -> None:
    if fields.starts_at is None:
        raise RuleViolation(_l("Enter when the visit starts."), "starts_at")
    if fields.ends_at is None:
        raise RuleViolation(_l("Enter when the visit ends."), "ends_at")
    if fields.ends_at <= fields.starts_at:
        raise RuleViolation(_l("A visit ends after it starts."), "ends_at")
    if fields.ends_at - fields.starts_at > LONGEST_VISIT:
        raise RuleViolation(_l("A visit lasts at most 12 hours."), "ends_at")
    if new and fields.starts_at < now():
        raise RuleViolation(_l("A planned visit lies ahead: log a visit that has happened in the contact log."),
                            "starts_at")


def _check_overlap(agent: User, starts_at: datetime, ends_at: datetime, visit: PlannedVisit | None = None,
                   reader: User | None = None) -> None:
    """No agent is in two places at once: their planned (and done) visits never overlap."""
    clash = sa.select(PlannedVisit).where(
        PlannedVisit.agent_id == agent.id, PlannedVisit.state != VisitState.CANCELLED,
        PlannedVisit.starts_at < ends_at, PlannedVisit.ends_at > starts_at)
    if visit is not None and visit.id is not None:
        clash = clash.where(PlannedVisit.id != visit.id)
    other = db.session.scalar(clash.order_by(PlannedVisit.starts_at).limit(1))
    if other is not None:
        customer = other.customer or db.session.get(Customer, other.customer_id)
        raise RuleViolation(_l("%(agent)s has a visit to %(customer)s from %(start)s to %(end)s then: choose "
                               "another time.", agent=agent.display_name, customer=customer.display_name,
                               start=_clock_text(other.starts_at, reader or agent),
                               end=_clock_text(other.ends_at, reader or agent)), "starts_at")


def plan_visit(actor: User, customer: Customer, fields: VisitFields, agent: User | None = None,
               checked: bool = False) -> PlannedVisit:
    """A visit on the calendar of the customer's agent (or the supervisor's choice)."""
    if not checked:
        _may_work(actor, customer)
    agent = _book_holder(agent or actor, "agent_id")
    if agent.id != actor.id and not can(actor, "visits.team"):
        raise RuleViolation(_l("Only a supervisor plans visits for a colleague."), "agent_id")
    if Purpose.get(fields.purpose) is None:
        raise RuleViolation(_l("Choose the purpose of the visit."), "purpose")
    _check_times(fields, new=True)
    contact = _contact_of(customer, fields.contact_id)
    _check_overlap(agent, fields.starts_at, fields.ends_at, reader=actor)
    visit = PlannedVisit(customer_id=customer.id, agent_id=agent.id, starts_at=fields.starts_at,
                         ends_at=fields.ends_at, purpose=fields.purpose, place=_text(fields.place, 300),
                         contact_id=contact.id if contact else None, agenda=(fields.agenda or "").strip()[:5000],
                         created_by_id=actor.id)
    db.session.add(visit)
    db.session.flush()
    audit.record(actor, "create", visit, {f: [None, v] for f, v in audit.snapshot(
        visit, ("customer_id", "agent_id", "starts_at", "ends_at", "purpose", "place")).items()})
    return visit


def _planned(visit: PlannedVisit) -> None:
    if visit.state != VisitState.PLANNED:
        raise RuleViolation(_l("This visit is %(state)s already.", state=visit.state.label))


def reschedule_visit(actor: User, visit: PlannedVisit, expected_version, fields: VisitFields) -> PlannedVisit:
    check_version(visit, expected_version)
    _planned(visit)
    if Purpose.get(fields.purpose) is None:
        raise RuleViolation(_l("Choose the purpose of the visit."), "purpose")
    _check_times(fields, new=fields.starts_at != visit.starts_at)
    customer = visit.customer or db.session.get(Customer, visit.customer_id)
    contact = _contact_of(customer, fields.contact_id)
    agent = visit.agent or db.session.get(User, visit.agent_id)
    _check_overlap(agent, fields.starts_at, fields.ends_at, visit, reader=actor)
    fields_changed = ("starts_at", "ends_at", "purpose", "place", "contact_id", "agenda")
    before = audit.snapshot(visit, fields_changed)
    visit.starts_at, visit.ends_at, visit.purpose = fields.starts_at, fields.ends_at, fields.purpose
    visit.place, visit.agenda = _text(fields.place, 300), (fields.agenda or "").strip()[:5000]
    visit.contact_id = contact.id if contact else None
    db.session.flush()
    audit.record(actor, "update", visit, audit.diff(before, audit.snapshot(visit, fields_changed)))
    return visit


def cancel_visit(actor: User, visit: PlannedVisit, expected_version, reason: str) -> PlannedVisit:
    check_version(visit, expected_version)
    _planned(visit)
    reason = _text(reason, 300)
    if not reason:
        raise RuleViolation(_l("Say why the visit is cancelled."), "reason")
    visit.state, visit.cancel_reason = VisitState.CANCELLED, reason
    db.session.flush()
    audit.record(actor, "cancel", visit, {"state": [VisitState.PLANNED, VisitState.CANCELLED],
                                          "cancel_reason": [None, reason]})
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.visit_id == visit.id,
                                                             Reactivation.closed_at.is_(None)))
    if target is not None:   # the dormant customer goes back to the queue, to call again
        target.state, target.visit_id = ReactivationState.WORKING, None
        target.next_step = _text(str(_l("Visit cancelled: %(reason)s", reason=reason)), 300)
        target.next_step_on = _today()
        db.session.flush()
    return visit


def record_visit(actor: User, visit: PlannedVisit, expected_version, fields: ContactFields) -> ContactEntry:
    """The planned visit took place: it is logged as a contact (a visit counts as a revisit, R-V2)."""
    check_version(visit, expected_version)
    _planned(visit)
    if visit.starts_at > now():
        raise RuleViolation(_l("This visit has not started yet: record it once it has taken place."))
    customer = visit.customer or db.session.get(Customer, visit.customer_id)
    fields.channel = Channel.VISIT
    fields.at = visit.starts_at
    fields.contact_id = fields.contact_id or visit.contact_id
    agent = visit.agent or db.session.get(User, visit.agent_id)
    entry = log_contact(actor, customer, fields, source=(PlannedVisit.__tablename__, visit.id), checked=True,
                        agent=agent)
    visit.state, visit.contact_entry_id = VisitState.DONE, entry.id
    db.session.flush()
    audit.record(actor, "done", visit, {"state": [VisitState.PLANNED, VisitState.DONE]})
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.visit_id == visit.id,
                                                             Reactivation.closed_at.is_(None)))
    if target is not None:   # R-V3: the dormant customer was visited
        _attempt(actor, target, entry, Channel.VISIT, Outcome.VISITED)
    return entry


# --- calendar feeds --------------------------------------------------------------------------------------


def feed_token(feed: CalendarFeed, secret_key: str) -> str:
    """The feed's token: 192 bits derived from its nonce with the server's key (never stored)."""
    mac = hmac.new(secret_key.encode(), b"calendar-feed:" + feed.nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_feed(actor: User, secret_key: str) -> tuple[CalendarFeed, str]:
    """A private iCalendar address for the user's visits; an earlier one stops working."""
    for old in db.session.scalars(sa.select(CalendarFeed).where(CalendarFeed.user_id == actor.id,
                                                                CalendarFeed.revoked_at.is_(None))):
        old.revoked_at = now()
    feed = CalendarFeed(user_id=actor.id, nonce=secrets.token_hex(16))
    token = feed_token(feed, secret_key)
    feed.digest = token_digest(token)
    db.session.add(feed)
    db.session.flush()
    audit.record(actor, "create", feed, {"calendar_feed": [None, feed.id]})
    return feed, token


def revoke_feed(actor: User) -> CalendarFeed:
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == actor.id,
                                                           CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        raise RuleViolation(_l("You have no calendar address to revoke."))
    feed.revoked_at = now()
    db.session.flush()
    audit.record(actor, "revoke", feed, {"revoked_at": [None, feed.revoked_at]})
    return feed


# --- reactivation (R-V3) ----------------------------------------------------------------------------------


def list_dormant(moment: datetime | None = None) -> int:
    """R-V3: customers without a shipment, quote or contact for the configured number of days join
    their owner's reactivation queue (once: while they are in it they are not listed again); those
    in the queue that shipped or asked for a quote meanwhile leave it as active again. Returns how
    many joined."""
    moment = moment or now()
    cutoff = moment - timedelta(days=settings().dormant_days)
    quotes = sa.select(Quote.id).where(Quote.customer_id == Customer.id, Quote.created_at >= cutoff)
    shipments = sa.select(Shipment.id).where(Shipment.customer_id == Customer.id, Shipment.booked_at >= cutoff)
    contacted = sa.select(ContactEntry.id).where(ContactEntry.customer_id == Customer.id, ContactEntry.at >= cutoff)
    queued = sa.select(Reactivation.id).where(Reactivation.customer_id == Customer.id,
                                              Reactivation.closed_at.is_(None))
    dormant = db.session.execute(sa.select(Customer.id, Customer.owner_id, Customer.created_at).where(
        Customer.created_at < cutoff, ~sa.exists(quotes), ~sa.exists(shipments), ~sa.exists(contacted),
        ~sa.exists(queued)).order_by(Customer.id)).all()
    ids = [d.id for d in dormant]
    last = {}
    for model, column in ((Quote, Quote.created_at), (Shipment, Shipment.booked_at), (ContactEntry, ContactEntry.at)):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for customer_id, at in db.session.execute(sa.select(model.customer_id, sa.func.max(column))
                                                      .where(model.customer_id.in_(chunk))
                                                      .group_by(model.customer_id)):
                last[customer_id] = max(last.get(customer_id, at), at)
    for d in dormant:
        target = Reactivation(customer_id=d.id, owner_id=d.owner_id, silent_since=last.get(d.id, d.created_at),
                              listed_at=moment)
        db.session.add(target)
    db.session.flush()
    # Active again without anyone calling: a quote or a booking since the customer was listed.
    for target in db.session.scalars(sa.select(Reactivation).where(Reactivation.closed_at.is_(None), sa.or_(
            sa.exists(sa.select(Quote.id).where(Quote.customer_id == Reactivation.customer_id,
                                                Quote.created_at > Reactivation.listed_at)),
            sa.exists(sa.select(Shipment.id).where(Shipment.customer_id == Reactivation.customer_id,
                                                   Shipment.booked_at > Reactivation.listed_at))))):
        target.state, target.last_outcome, target.closed_at = ReactivationState.CLOSED, Outcome.REVIVED, moment
    db.session.flush()
    return len(dormant)


@dataclass
class AttemptFields:
    channel: str
    outcome: str
    notes: str = ""
    contact_id: int | None = None
    next_step: str = ""
    next_step_on: date | None = None
    visit: VisitFields | None = None


def _attempt(actor: User, target: Reactivation, entry: ContactEntry | None, channel, outcome: Outcome,
             next_step: str = "", next_step_on: date | None = None) -> ReactivationAttempt:
    attempt = ReactivationAttempt(reactivation_id=target.id, contact_entry_id=entry.id if entry else None,
                                  agent_id=actor.id, at=now(), channel=channel, outcome=outcome)
    db.session.add(attempt)
    before = target.state
    target.attempts += 1
    target.last_outcome, target.last_attempt_at = outcome, attempt.at
    target.next_step, target.next_step_on = next_step, next_step_on
    if outcome in CLOSING:
        target.state, target.closed_at = ReactivationState.CLOSED, attempt.at
    elif outcome == Outcome.VISIT_BOOKED:
        target.state = ReactivationState.VISIT_BOOKED
    else:
        target.state = ReactivationState.WORKING
    db.session.flush()
    audit.record(actor, "attempt", target, {"state": [before, target.state], "outcome": [None, outcome]})
    return attempt


def work_reactivation(actor: User, target: Reactivation, expected_version, fields: AttemptFields) -> ReactivationAttempt:
    """R-V3: one try to bring a dormant customer back: call first, then aim for a visit. Reached or
    a wrong contact: the next step and its day; a visit booked: the visit, on the calendar; not
    interested or gone out of business: the customer leaves the queue."""
    check_version(target, expected_version)
    if not target.is_open:
        raise RuleViolation(_l("This customer has left the reactivation queue already."))
    if not can(actor, "visits.reactivate", target):
        raise RuleViolation(_l("This customer is in another agent's queue."))
    channel, outcome = Channel.get(fields.channel), Outcome.get(fields.outcome)
    if channel is None:
        raise RuleViolation(_l("Choose how you were in touch."), "channel")
    if target.attempts == 0 and channel != Channel.PHONE:
        raise RuleViolation(_l("Call first: the first try to reach a dormant customer is a phone call."), "channel")
    if outcome is None or outcome in (Outcome.VISITED, Outcome.REVIVED):
        raise RuleViolation(_l("Choose what came of it."), "outcome")
    next_step, next_step_on = _text(fields.next_step, 300), fields.next_step_on
    if outcome in (Outcome.REACHED, Outcome.WRONG_CONTACT):
        if not next_step:
            raise RuleViolation(_l("Say what the next step is (for a customer you reached: aim for a visit)."),
                                "next_step")
        if next_step_on is None:
            raise RuleViolation(_l("Give the next step a day."), "next_step_on")
        if next_step_on < _today():
            raise RuleViolation(_l("The next step's day has passed: choose today or a later day."), "next_step_on")
    customer = target.customer or db.session.get(Customer, target.customer_id)
    visit = None
    if outcome == Outcome.VISIT_BOOKED:
        if fields.visit is None or fields.visit.starts_at is None:
            raise RuleViolation(_l("Enter when the visit starts."), "starts_at")
        fields.visit.purpose = Purpose.REACTIVATION
        fields.visit.contact_id = fields.visit.contact_id or fields.contact_id
        visit = plan_visit(actor, customer, fields.visit, db.session.get(User, target.owner_id)
                           if can(actor, "visits.team") else actor, checked=True)
        next_step = next_step or _text(str(_l("Visit on %(day)s", day=_clock_text(visit.starts_at, actor))), 300)
        next_step_on = next_step_on or local_date(visit.starts_at)
    entry = log_contact(actor, customer, ContactFields(
        channel=channel, purpose=Purpose.REACTIVATION, notes=fields.notes, contact_id=fields.contact_id,
        outcome=str(outcome.label)), source=(Reactivation.__tablename__, target.id), checked=True)
    attempt = _attempt(actor, target, entry, channel, outcome, next_step, next_step_on)
    if visit is not None:
        target.visit_id = visit.id
        db.session.flush()
    return attempt


# --- complaint cases (R-V6) -----------------------------------------------------------------------------


@dataclass
class CaseFields:
    channel: str
    category: str
    severity: str
    summary: str
    description: str = ""
    received_at: datetime | None = None
    reported_by: str = ""
    contact_id: int | None = None
    shipment_ref: str = ""
    quote_ref: str = ""


def _step(actor: User | None, case: ComplaintCase, step: CaseStep, note: str = "", at: datetime | None = None) -> None:
    db.session.add(CaseEvent(case_id=case.id, customer_id=case.customer_id, at=at or now(), step=step,
                             by_id=actor.id if actor else None, note=note[:2000]))


def _touch_case(case: ComplaintCase) -> None:
    case.updated_at = now()


def _find_shipment(customer: Customer, reference: str) -> int | None:
    value = (reference or "").strip().upper()[:30]
    if not value:
        return None
    found = db.session.execute(sa.select(Shipment.id, Shipment.customer_id).where(sa.or_(
        Shipment.number == value, Shipment.booking_no == value, Shipment.bl_no == value))
        .order_by(Shipment.id.desc()).limit(1)).first()
    if found is None:
        raise RuleViolation(_l("No shipment has this number, booking or B/L number."), "shipment_ref")
    if found.customer_id != customer.id:
        raise RuleViolation(_l("This shipment is another customer's."), "shipment_ref")
    return found.id


def _find_quote(customer: Customer, reference: str) -> int | None:
    value = (reference or "").strip().upper()[:30]
    if not value:
        return None
    found = db.session.execute(sa.select(Quote.id, Quote.customer_id).where(Quote.number == value)
                               .order_by(Quote.revision.desc()).limit(1)).first()
    if found is None:
        raise RuleViolation(_l("No quote has this number."), "quote_ref")
    if found.customer_id != customer.id:
        raise RuleViolation(_l("This quote is another customer's."), "quote_ref")
    return found.id


def open_case(actor: User, customer: Customer, fields: CaseFields, handler: User | None = None) -> ComplaintCase:
    """R-V6: a complaint received: channel, who, what, its category and severity; the clock of the
    first response starts at receipt (an hour for urgent ones). Whoever takes the complaint records
    it; the customer's owner handles it unless a supervisor names someone else."""
    if not can(actor, "cases.open"):
        raise RuleViolation(_l("Only agents and supervisors record complaints."))
    channel, category, severity = Channel.get(fields.channel), Category.get(fields.category), \
        Severity.get(fields.severity)
    if channel is None:
        raise RuleViolation(_l("Choose how the complaint came in."), "channel")
    if category is None:
        raise RuleViolation(_l("Choose what the complaint is about."), "category")
    if severity is None:
        raise RuleViolation(_l("Choose how serious it is."), "severity")
    summary = _text(fields.summary, 200)
    if not summary:
        raise RuleViolation(_l("Say in a line what the customer complains about."), "summary")
    received = fields.received_at or now()
    if received > now() + CLOCK_SLACK:
        raise RuleViolation(_l("A complaint cannot be received in the future."), "received_at")
    contact = _contact_of(customer, fields.contact_id)
    shipment_id = _find_shipment(customer, fields.shipment_ref)
    quote_id = _find_quote(customer, fields.quote_ref)
    if handler is None or not can(actor, "visits.team"):
        handler = db.session.get(User, customer.owner_id)
        if handler is None or not handler.active or handler.role not in BOOK_HOLDERS:
            handler = actor
    _book_holder(handler, "owner_id")
    year = local_date(received).year
    case = ComplaintCase(
        number=f"CC{year}-{next_value(f'complaint-{year}'):04d}", customer_id=customer.id, owner_id=handler.id,
        channel=channel, received_at=received, reported_by=_text(fields.reported_by, 80) or (contact.name if contact
                                                                                             else ""),
        contact_id=contact.id if contact else None, shipment_id=shipment_id, quote_id=quote_id, category=category,
        severity=severity, summary=summary, description=(fields.description or "").strip()[:10000],
        response_due_at=received + RESPONSE_TIME[severity], created_by_id=actor.id)
    db.session.add(case)
    db.session.flush()
    _step(actor, case, CaseStep.RECEIVED, summary, at=received)
    audit.record(actor, "create", case, {f: [None, v] for f, v in audit.snapshot(case, (
        "number", "customer_id", "owner_id", "channel", "category", "severity", "received_at",
        "response_due_at")).items()})
    db.session.flush()
    return case


def _open(case: ComplaintCase) -> None:
    if not case.is_open:
        raise RuleViolation(_l("This case is closed."))


def _may_handle(actor: User, case: ComplaintCase) -> None:
    if not can(actor, "cases.work", case):
        raise RuleViolation(_l("Only the case's handler or a supervisor works on it."))


def respond(actor: User, case: ComplaintCase, expected_version, note: str) -> ComplaintCase:
    """R-V6: the first response to the customer: what they were told, and when (the clock stops)."""
    check_version(case, expected_version)
    _open(case)
    _may_handle(actor, case)
    if case.first_response_at is not None:
        raise RuleViolation(_l("The first response was given already."))
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_l("Say what the customer was told."), "note")
    case.first_response_at, case.first_response_by_id = now(), actor.id
    case.state = CaseState.RESPONDED
    _touch_case(case)
    db.session.flush()
    _step(actor, case, CaseStep.RESPONDED, note)
    audit.record(actor, "respond", case, {"state": [CaseState.RECEIVED, CaseState.RESPONDED],
                                          "first_response_at": [None, case.first_response_at]})
    return case


def escalate_overdue_responses(moment: datetime | None = None) -> int:
    """R-V6: urgent cases still without a first response when it is due are flagged to the
    supervisors (once each); returns how many were flagged."""
    moment = moment or now()
    late = db.session.scalars(sa.select(ComplaintCase).where(
        ComplaintCase.first_response_at.is_(None), ComplaintCase.response_due_at < moment,
        ComplaintCase.severity == Severity.URGENT, ComplaintCase.escalated_at.is_(None),
        ComplaintCase.state != CaseState.CLOSED).order_by(ComplaintCase.response_due_at).limit(500)).all()
    for case in late:
        case.escalated_at = moment
        _step(None, case, CaseStep.ESCALATED, at=moment)
        audit.record(None, "escalate", case, {"escalated_at": [None, moment]})
    db.session.flush()
    return len(late)


def sniff(head: bytes) -> str | None:
    """The evidence type a file's first bytes show, or None: the name alone proves nothing."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return "image/heic"
    return None


def evidence_folder() -> Path:
    """Evidence lives under the instance folder, never under static/ (outside the web root)."""
    return Path(current_app.instance_path) / "evidence"


def evidence_path(digest: str) -> Path:
    return evidence_folder() / digest[:2] / digest


def clean_filename(name: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", "_", Path((name or "").replace("\\", "/")).name).strip(" .")
    return name[-160:] or "evidence"


def megabytes(size: int) -> str:
    """A size in MB as people read it: 10, 2.5, 0.2."""
    return f"{size / 1048576:.1f}".removesuffix(".0")


def add_evidence(actor: User, case: ComplaintCase, filename: str, data: bytes, description: str = "") -> Evidence:
    """R-V6: a file collected as evidence: a photo or PDF (its first bytes must say so, and its
    name agree), at most PORTAL_EVIDENCE_MAX_MB; kept once per content, by its SHA-256."""
    _open(case)
    _may_handle(actor, case)
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if not data:
        raise RuleViolation(_l("Choose a file: a photo (JPEG, PNG, HEIC, WebP) or a PDF."), "file")
    if len(data) > limit:
        size = megabytes(len(data))
        raise RuleViolation(_l("This file is %(size)s MB; evidence files are at most %(limit)s MB.",
                               size=size, limit=megabytes(limit)), "file")
    kind = sniff(data[:16])
    filename = clean_filename(filename)
    if kind is None or not filename.lower().endswith(EVIDENCE_TYPES[kind]):
        raise RuleViolation(_l("Evidence is a photo (JPEG, PNG, HEIC, WebP) or a PDF; this file is neither, "
                               "or its name says otherwise."), "file")
    digest = hashlib.sha256(data).hexdigest()
    path = evidence_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{digest}.{secrets.token_hex(4)}.part")
        temporary.write_bytes(data)
        temporary.replace(path)
    evidence = Evidence(case_id=case.id, filename=filename, content_type=kind, size=len(data), sha256=digest,
                        description=_text(description, 300), uploaded_by_id=actor.id)
    db.session.add(evidence)
    _touch_case(case)
    db.session.flush()
    _step(actor, case, CaseStep.EVIDENCE, f"{filename} ({evidence.description})" if evidence.description else filename)
    audit.record(actor, "evidence", case, {"evidence": [None, f"{filename} sha256:{digest[:12]}"]})
    return evidence


def read_evidence(evidence: Evidence) -> bytes | None:
    """The file's bytes, when they are there and still match their checksum."""
    path = evidence_path(evidence.sha256)
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == evidence.sha256 else None


def resolve(actor: User, case: ComplaintCase, expected_version, root_cause: str, solution: str,
            prevention: str) -> ComplaintCase:
    """R-V6: the root cause, the solution given and the measure that prevents it again (seed 002)."""
    check_version(case, expected_version)
    _open(case)
    _may_handle(actor, case)
    if case.first_response_at is None:
        raise RuleViolation(_l("Give the customer a first response before resolving the case."))
    values = {"root_cause": (root_cause or "").strip()[:5000], "solution": (solution or "").strip()[:5000],
              "prevention": (prevention or "").strip()[:5000]}
    messages = {"root_cause": _l("Record the root cause."), "solution": _l("Record the solution given."),
                "prevention": _l("Record the measure that prevents it happening again.")}
    for name, value in values.items():
        if not value:
            raise RuleViolation(messages[name], name)
    before = audit.snapshot(case, (*values, "state"))
    for name, value in values.items():
        setattr(case, name, value)
    case.state = CaseState.RESOLVED
    _touch_case(case)
    db.session.flush()
    _step(actor, case, CaseStep.RESOLVED, values["solution"])
    audit.record(actor, "resolve", case, audit.diff(before, audit.snapshot(case, (*values, "state"))))
    return case


def update_claim(actor: User, case: ComplaintCase, expected_version, state: str, amount: Decimal | None,
                 currency: str | None) -> ComplaintCase:
    """R-V6: the customer's claim, if any: its amount and where it stands."""
    check_version(case, expected_version)
    _open(case)
    _may_handle(actor, case)
    claim = ClaimState.get(state)
    if claim is None:
        raise RuleViolation(_l("Choose where the claim stands."), "claim_state")
    if claim != ClaimState.NONE:
        if amount is None or not amount.is_finite() or amount <= 0:
            raise RuleViolation(_l("Enter the amount claimed."), "claim_amount")
        if not currency:
            raise RuleViolation(_l("Choose the claim's currency."), "claim_currency")
    else:
        amount, currency = None, None
    fields = ("claim_state", "claim_amount", "claim_currency")
    before = audit.snapshot(case, fields)
    case.claim_state, case.claim_amount, case.claim_currency = claim, amount, currency
    changes = audit.diff(before, audit.snapshot(case, fields))
    if not changes:
        raise RuleViolation(_l("Nothing changed in the claim."), "claim_state")
    _touch_case(case)
    db.session.flush()
    note = claim.label if amount is None else f"{claim.label}: {currency} {amount:,.2f}"
    _step(actor, case, CaseStep.CLAIM, str(note))
    audit.record(actor, "claim", case, changes)
    return case


def reassign_case(actor: User, case: ComplaintCase, expected_version, handler: User | None) -> ComplaintCase:
    check_version(case, expected_version)
    _open(case)
    if not can(actor, "visits.team"):
        raise RuleViolation(_l("Only a supervisor hands a case to someone else."))
    handler = _book_holder(handler, "owner_id")
    if handler.id == case.owner_id:
        raise RuleViolation(_l("%(name)s handles this case already.", name=handler.display_name), "owner_id")
    before = case.owner_id
    case.owner_id = handler.id
    _touch_case(case)
    db.session.flush()
    _step(actor, case, CaseStep.HANDLER, handler.display_name)
    audit.record(actor, "handler", case, {"owner_id": [before, handler.id]})
    return case


def call_back(actor: User, case: ComplaintCase, expected_version, satisfaction, note: str,
              channel: str = Channel.PHONE) -> ContactEntry:
    """R-V6: the customer's satisfaction call-back closes the loop: the case closes, the call joins
    the contact log with its score (R-V5)."""
    check_version(case, expected_version)
    _open(case)
    _may_handle(actor, case)
    if case.state != CaseState.RESOLVED:
        raise RuleViolation(_l("Record the root cause, the solution and the prevention measure before the "
                               "satisfaction call-back."))
    if case.claim_state in CLAIM_PENDING:
        raise RuleViolation(_l("The claim is still being decided: call back once it is settled."))
    score = _check_satisfaction(satisfaction)
    if score is None:
        raise RuleViolation(_l("Ask the customer how satisfied they are (1 to 5)."), "satisfaction")
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_l("Say what the customer said."), "note")
    customer = case.customer or db.session.get(Customer, case.customer_id)
    entry = log_contact(actor, customer, ContactFields(
        channel=channel, purpose=Purpose.COMPLAINT, notes=note, contact_id=case.contact_id, satisfaction=score,
        outcome=str(_l("Case %(number)s closed", number=case.number))),
        source=(ComplaintCase.__tablename__, case.id), checked=True)
    moment = now()
    case.satisfaction, case.callback_at, case.closed_at = score, moment, moment
    case.state = CaseState.CLOSED
    _touch_case(case)
    db.session.flush()
    _step(actor, case, CaseStep.CALLBACK, f"{score}/5 · {note}")
    _step(actor, case, CaseStep.CLOSED)
    audit.record(actor, "close", case, {"state": [CaseState.RESOLVED, CaseState.CLOSED], "satisfaction": [None, score]})
    return entry


# --- operations review meetings ----------------------------------------------------------------------------


@dataclass
class ActionFields:
    text: str
    owner: User | None
    due_on: date | None


def record_meeting(actor: User, customer: Customer, held_at: datetime | None, minutes: str,
                   actions: list[ActionFields], place: str = "", attendees_ours: str = "",
                   attendees_customer: str = "", satisfaction=None, contact_id: int | None = None) -> ReviewMeeting:
    """R-V6 (seed 002): an operations review meeting with a customer: minutes, who attended, and the
    action items with their owners and due dates (each stays on its owner's desk until done)."""
    _may_work(actor, customer)
    minutes = (minutes or "").strip()
    if not minutes:
        raise RuleViolation(_l("Write the minutes of the meeting."), "minutes")
    # Action items are rows of a list: their refusals name the row and stand above the form.
    for n, action in enumerate(actions):
        if not _text(action.text, 300):
            raise RuleViolation(_l("Say what action %(n)d is.", n=n + 1))
        if action.due_on is None:
            raise RuleViolation(_l("Give action %(n)d a due date.", n=n + 1))
        if action.due_on < _today():
            raise RuleViolation(_l("The due date of action %(n)d has passed: choose today or a later day.", n=n + 1))
        owner = action.owner
        if owner is None or not owner.active or owner.role not in BOOK_HOLDERS:
            raise RuleViolation(_l("Choose who owns action %(n)d: an active agent or supervisor.", n=n + 1))
    entry = log_contact(actor, customer, ContactFields(
        channel=Channel.MEETING, purpose=Purpose.OPERATIONS_REVIEW, notes=minutes, at=held_at,
        contact_id=contact_id, satisfaction=satisfaction), source=None, checked=True)
    meeting = ReviewMeeting(customer_id=customer.id, contact_entry_id=entry.id, held_at=entry.at,
                            place=_text(place, 300), attendees_ours=_text(attendees_ours, 500),
                            attendees_customer=_text(attendees_customer, 500), minutes=minutes,
                            recorded_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    entry.source_type, entry.source_id = ReviewMeeting.__tablename__, meeting.id
    for action in actions:
        db.session.add(ActionItem(meeting_id=meeting.id, customer_id=customer.id, text=_text(action.text, 300),
                                  owner_id=action.owner.id, due_on=action.due_on))
    db.session.flush()
    audit.record(actor, "create", meeting, {"held_at": [None, meeting.held_at], "actions": [None, len(actions)]})
    return meeting


def finish_action_item(actor: User, item: ActionItem, expected_version) -> ActionItem:
    check_version(item, expected_version)
    if item.done_at is not None:
        raise RuleViolation(_l("This action item is done already."))
    if not can(actor, "visits.action_item", item):
        raise RuleViolation(_l("This action item is another colleague's."))
    item.done_at, item.done_by_id = now(), actor.id
    db.session.flush()
    audit.record(actor, "done", item, {"done_at": [None, item.done_at]})
    return item


# --- care reminders (R-V7) -------------------------------------------------------------------------------


OCCASION = re.compile(r"^(birthday|lunar_new_year|dragon_boat|mid_autumn)-(\d{4})$")


def greet(actor: User, contact: Contact, occasion: str, channel: str, text: str) -> ContactEntry:
    """R-V7: the greeting for a birthday or a festival was sent: a care message in the contact log,
    once per contact and occasion."""
    if not OCCASION.fullmatch(occasion or ""):
        raise RuleViolation(_l("Choose a birthday or festival to greet for."))
    customer = contact.customer or db.session.get(Customer, contact.customer_id)
    _may_work(actor, customer)
    if db.session.scalar(sa.select(ContactEntry.id).where(ContactEntry.contact_id == contact.id,
                                                          ContactEntry.occasion == occasion)):
        raise RuleViolation(_l("%(name)s has been greeted for this already.", name=contact.name))
    return log_contact(actor, customer, ContactFields(channel=channel, purpose=Purpose.CARE, notes=text,
                                                      contact_id=contact.id), occasion=occasion, checked=True)


# --- customers moving owner, and a leaver's work ---------------------------------------------------------


def on_customers_reassigned(sender, customers, previous_owner, new_owner) -> None:
    """R-H4: the visits work on customers that move (their cadence, their place in the reactivation
    queue, the previous owner's upcoming visits, open cases, next actions and action items on them)
    moves to the new owner in the same transaction."""
    ids = [c.id for c in customers]
    if not ids:
        return
    db.session.execute(sa.update(CustomerCadence).where(CustomerCadence.customer_id.in_(ids))
                       .values(owner_id=new_owner.id))
    db.session.execute(sa.update(Reactivation).where(Reactivation.customer_id.in_(ids),
                                                     Reactivation.closed_at.is_(None)).values(owner_id=new_owner.id))
    db.session.execute(sa.update(PlannedVisit).where(
        PlannedVisit.customer_id.in_(ids), PlannedVisit.agent_id == previous_owner.id,
        PlannedVisit.state == VisitState.PLANNED, PlannedVisit.starts_at >= now()).values(agent_id=new_owner.id))
    db.session.execute(sa.update(ComplaintCase).where(
        ComplaintCase.customer_id.in_(ids), ComplaintCase.owner_id == previous_owner.id,
        ComplaintCase.state != CaseState.CLOSED).values(owner_id=new_owner.id))
    db.session.execute(sa.update(ContactEntry).where(
        ContactEntry.customer_id.in_(ids), ContactEntry.next_owner_id == previous_owner.id,
        ContactEntry.next_due_on.is_not(None), ContactEntry.next_done_at.is_(None)).values(next_owner_id=new_owner.id))
    db.session.execute(sa.update(ActionItem).where(
        ActionItem.customer_id.in_(ids), ActionItem.owner_id == previous_owner.id,
        ActionItem.done_at.is_(None)).values(owner_id=new_owner.id))


def on_customer_created(sender, customer) -> None:
    refresh_cadence([customer.id])


def on_grade_changed(sender, customer, change) -> None:
    """R-V2: a new grade changes the cadence from the day it takes effect."""
    refresh_cadence([customer.id])


def hand_over_work(actor: User, leaver: User, receiver: User) -> dict[str, int]:
    """What a leaver still holds in visits (open cases, next actions, action items, upcoming
    visits) moves to one colleague; refused, nothing moved, when a visit would clash with the
    colleague's calendar."""
    if not can(actor, "visits.hand_over"):
        raise RuleViolation(_l("Only a supervisor hands a colleague's work over."))
    _book_holder(receiver, "receiver_id")
    if receiver.id == leaver.id:
        raise RuleViolation(_l("Choose a colleague other than %(name)s.", name=leaver.display_name), "receiver_id")
    visits = db.session.scalars(sa.select(PlannedVisit).where(
        PlannedVisit.agent_id == leaver.id, PlannedVisit.state == VisitState.PLANNED,
        PlannedVisit.starts_at >= now()).order_by(PlannedVisit.starts_at)).all()
    for visit in visits:
        _check_overlap(receiver, visit.starts_at, visit.ends_at, visit, reader=actor)
    moved = {"visits": len(visits)}
    for visit in visits:
        visit.agent_id = receiver.id
    moved["cases"] = db.session.execute(sa.update(ComplaintCase).where(
        ComplaintCase.owner_id == leaver.id, ComplaintCase.state != CaseState.CLOSED)
        .values(owner_id=receiver.id)).rowcount
    moved["next_actions"] = db.session.execute(sa.update(ContactEntry).where(
        ContactEntry.next_owner_id == leaver.id, ContactEntry.next_due_on.is_not(None),
        ContactEntry.next_done_at.is_(None)).values(next_owner_id=receiver.id)).rowcount
    moved["action_items"] = db.session.execute(sa.update(ActionItem).where(
        ActionItem.owner_id == leaver.id, ActionItem.done_at.is_(None)).values(owner_id=receiver.id)).rowcount
    db.session.flush()
    audit.record(actor, "hand_over", leaver, {"visits_work": [None, f"{receiver.display_name}: {moved}"]})
    return moved


def start_of_week(day: date) -> date:
    """Weeks start on Monday."""
    return day - timedelta(days=day.weekday())


def day_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in zone, as naive UTC."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time.min, tz).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC).replace(tzinfo=None)
    return start, end

