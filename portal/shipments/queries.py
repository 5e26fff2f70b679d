"""Reads for the shipment screens: the shipment list with its search, one shipment with what its
page shows, vessel calls, the shipments and customers a schedule change affects, the customer
timeline, the navigation count, and lookups for other features (handover links, quotes)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, raiseload, selectinload

from portal.auth.models import User
from portal.core.audit import AuditEntry
from portal.core.clock import now
from portal.core.links import Subject
from portal.core.pagination import Page, keyset_page
from portal.core import search as search_index
from portal.core.timeline import TimelineEntry
from portal.customers.models import Customer
from portal.extensions import db
from portal.reference import PORT_BY_CODE
from portal.shipments.models import (ACTIVE, BLRevision, Container, CourierDispatch, FreeTimeRequest, Integration,
                                     Leg, LoadingException, Milestone, Notice, OutboxMessage, RequiredDocument,
                                     ScheduleChange, Shipment, SpaceRequest, Status, StatusLink, VesselCall,
                                     notice_shipment)


def _route():
    return selectinload(Shipment.legs).options(joinedload(Leg.load_call), joinedload(Leg.discharge_call))


def load_shipment(shipment_id: int) -> Shipment | None:
    return db.session.scalar(sa.select(Shipment).where(Shipment.id == shipment_id).options(
        joinedload(Shipment.customer).selectinload(Customer.contacts), joinedload(Shipment.contact),
        joinedload(Shipment.quote), joinedload(Shipment.booked_by), _route(), selectinload(Shipment.containers),
        selectinload(Shipment.milestones).options(joinedload(Milestone.container), joinedload(Milestone.recorded_by))))


def shipment_by_number(number: str) -> Shipment | None:
    return db.session.scalar(sa.select(Shipment).where(Shipment.number == number))


@dataclass
class ShipmentPage:
    """Everything a shipment's page shows beside the shipment itself."""
    documents: list
    exceptions: list
    bl_revisions: list
    couriers: list
    free_time: list
    space: list
    links: list
    notices: list
    audit: list


def shipment_page(shipment: Shipment) -> ShipmentPage:
    sid = shipment.id

    def rows(model, order, *options):
        return db.session.scalars(sa.select(model).where(model.shipment_id == sid).options(*options)
                                  .order_by(order)).all()

    notices = db.session.scalars(
        sa.select(Notice).join(notice_shipment, notice_shipment.c.notice_id == Notice.id)
        .where(notice_shipment.c.shipment_id == sid)
        .options(selectinload(Notice.messages), joinedload(Notice.created_by), joinedload(Notice.sent_by))
        .order_by(Notice.id.desc())).unique().all()
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.parent_type == "shipment",
                                                           AuditEntry.parent_id == sid)
                               .order_by(AuditEntry.id.desc()).limit(100)).all()
    return ShipmentPage(
        documents=rows(RequiredDocument, RequiredDocument.id, joinedload(RequiredDocument.received_by)),
        exceptions=rows(LoadingException, LoadingException.id, joinedload(LoadingException.container),
                        joinedload(LoadingException.missed_call), joinedload(LoadingException.rebooked_call),
                        joinedload(LoadingException.recorded_by), joinedload(LoadingException.resolved_by)),
        bl_revisions=rows(BLRevision, BLRevision.id, joinedload(BLRevision.by)),
        couriers=rows(CourierDispatch, CourierDispatch.id, joinedload(CourierDispatch.by)),
        free_time=rows(FreeTimeRequest, FreeTimeRequest.id, joinedload(FreeTimeRequest.requested_by),
                       joinedload(FreeTimeRequest.decided_by)),
        space=rows(SpaceRequest, SpaceRequest.id, joinedload(SpaceRequest.requested_by),
                   joinedload(SpaceRequest.decided_by)),
        links=rows(StatusLink, StatusLink.id.desc(), joinedload(StatusLink.created_by),
                   joinedload(StatusLink.revoked_by)),
        notices=notices, audit=audit)


def documents_of(shipment_id: int) -> list[RequiredDocument]:
    return db.session.scalars(sa.select(RequiredDocument).where(RequiredDocument.shipment_id == shipment_id)
                              .order_by(RequiredDocument.id)).all()


def exceptions_of(shipment_id: int) -> list[LoadingException]:
    return db.session.scalars(sa.select(LoadingException).where(LoadingException.shipment_id == shipment_id)
                              .options(joinedload(LoadingException.container),
                                       joinedload(LoadingException.rebooked_call))
                              .order_by(LoadingException.id)).all()


# --- the shipment list -------------------------------------------------------------------------------


@dataclass
class ShipmentFilters:
    q: str = ""
    status: str | None = None
    customer_code: str | None = None
    carrier: str | None = None
    pol: str | None = None
    pod: str | None = None
    mine_for: int | None = None          # a user: shipments of the customers they own
    exceptions: bool = False
    departing_days: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.customer_code or self.carrier or self.pol or self.pod
                    or self.mine_for or self.exceptions or self.departing_days)

    def apply(self, select):
        if Status.get(self.status):
            select = select.where(Shipment.status == self.status)
        if self.customer_code:  # an unknown code matches nothing
            select = select.where(Shipment.customer_id == sa.select(Customer.id)
                                  .where(Customer.code == self.customer_code).scalar_subquery())
        for attr in ("carrier", "pol", "pod"):
            if getattr(self, attr):
                select = select.where(getattr(Shipment, attr) == getattr(self, attr))
        if self.mine_for:
            select = select.where(Shipment.customer_owner_id == self.mine_for)
        if self.exceptions:
            select = select.where(Shipment.open_exceptions > 0)
        if self.departing_days:
            moment = now()
            # Not delivered or cancelled (ACTIVE) said the short way: the departure's index reads the list.
            select = select.where(Shipment.etd >= moment, Shipment.etd < moment + timedelta(days=self.departing_days),
                                  Shipment.status.not_in(sorted(frozenset(Status) - ACTIVE)))
        return search(select, self.q)


def search(select, q: str):
    """Every word typed matches a shipment's numbers, parties, ports, containers, or its customer
    (the search index: Traditional or Simplified, pinyin initials, parts of numbers)."""
    found = search_index.matching("shipment", q)
    return select if found is None else select.where(Shipment.id.in_(found))


def list_shipments(filters: ShipmentFilters, after: str | None = None, size: int = 50) -> Page:
    """Newest bookings first, or, for the shipments departing soon, the next to depart first;
    customer and route loaded with the rows (a fixed number of queries)."""
    select = filters.apply(sa.select(Shipment)).options(joinedload(Shipment.customer), _route(), raiseload("*"))
    if filters.departing_days:
        return keyset_page(select, Shipment.etd, Shipment.id, after=after, kind=datetime, size=size)
    return keyset_page(select, Shipment.booked_at, Shipment.id, descending=True, after=after, kind=datetime,
                       size=size)


def bookings_of_quote(quote_id: int) -> list[Shipment]:
    return db.session.scalars(sa.select(Shipment).where(Shipment.quote_id == quote_id)
                              .options(_route(), raiseload("*")).order_by(Shipment.id)).all()


# --- vessel calls --------------------------------------------------------------------------------------


@dataclass
class CallFilters:
    q: str = ""
    port: str | None = None
    carrier: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    changed: bool = False

    def apply(self, select):
        if self.port:
            select = select.where(VesselCall.port == self.port)
        if self.carrier:
            select = select.where(VesselCall.carrier == self.carrier)
        if self.date_from:
            select = select.where(VesselCall.eta >= datetime.combine(self.date_from, time()))
        if self.date_to:
            select = select.where(VesselCall.eta < datetime.combine(self.date_to + timedelta(days=1), time()))
        if self.changed:
            select = select.where(sa.exists().where(ScheduleChange.vessel_call_id == VesselCall.id))
        found = search_index.matching("vessel_call", self.q)
        return select if found is None else select.where(VesselCall.id.in_(found))


def list_calls(filters: CallFilters, after: str | None = None, size: int = 50) -> Page:
    """Calls in ETA order from the date asked for (from two days ago when none is)."""
    if filters.date_from is None and not filters.q:
        filters.date_from = (now() - timedelta(days=2)).date()
    select = filters.apply(sa.select(VesselCall)).options(selectinload(VesselCall.changes), raiseload("*"))
    return keyset_page(select, VesselCall.eta, VesselCall.id, after=after, kind=datetime, size=size)


def load_call(call_id: int) -> VesselCall | None:
    return db.session.scalar(sa.select(VesselCall).where(VesselCall.id == call_id).options(
        selectinload(VesselCall.changes).options(joinedload(ScheduleChange.changed_by),
                                                 joinedload(ScheduleChange.notified_by))))


def calls_at(port: str | None, around: datetime | None = None, days: int = 60, limit: int = 80) -> list[VesselCall]:
    """Calls at a port for a leg's choice: from a week back to `days` ahead, in ETA order."""
    if not port:
        return []
    moment = around or now()
    return db.session.scalars(sa.select(VesselCall).where(
        VesselCall.port == port, VesselCall.eta >= moment - timedelta(days=7),
        VesselCall.eta <= moment + timedelta(days=days)).order_by(VesselCall.eta, VesselCall.id).limit(limit)).all()


def calls_of_voyage(call: VesselCall) -> list[VesselCall]:
    """The other calls of the same vessel and voyage (the rotation), in ETA order."""
    return db.session.scalars(sa.select(VesselCall).where(VesselCall.imo == call.imo,
                                                          VesselCall.voyage == call.voyage)
                              .order_by(VesselCall.eta, VesselCall.id)).all()


def shipments_on(call: VesselCall, active_only: bool = True) -> list[Shipment]:
    """Every shipment with a leg loading or discharging at this call, with its customer and contacts."""
    legs = sa.select(Leg.shipment_id).where(sa.or_(Leg.load_call_id == call.id, Leg.discharge_call_id == call.id))
    select = sa.select(Shipment).where(Shipment.id.in_(legs)).options(
        joinedload(Shipment.customer).selectinload(Customer.contacts), joinedload(Shipment.customer)
        .joinedload(Customer.owner), _route(), selectinload(Shipment.containers))
    if active_only:
        select = select.where(Shipment.status.in_(ACTIVE))
    # Grouped by customer (one notice each): the call's shipments are sorted here, not by the database.
    return sorted(db.session.scalars(select).unique(), key=lambda s: (s.customer_id, s.id))


def load_change(change_id: int) -> ScheduleChange | None:
    return db.session.scalar(sa.select(ScheduleChange).where(ScheduleChange.id == change_id).options(
        joinedload(ScheduleChange.call), joinedload(ScheduleChange.changed_by),
        joinedload(ScheduleChange.notified_by)))


def notices_of_change(change_id: int) -> list[Notice]:
    return db.session.scalars(sa.select(Notice).where(Notice.schedule_change_id == change_id).options(
        joinedload(Notice.customer), selectinload(Notice.messages), selectinload(Notice.shipments),
        joinedload(Notice.sent_by)).order_by(Notice.id)).unique().all()


def load_notice(notice_id: int) -> Notice | None:
    return db.session.scalar(sa.select(Notice).where(Notice.id == notice_id).options(
        selectinload(Notice.messages), selectinload(Notice.shipments).joinedload(Shipment.customer)))


def changes_to_tell(since: datetime) -> int:
    """Schedule changes nobody has told the customers about yet, that move active shipments."""
    affected = sa.select(Leg.id).join(Shipment, Shipment.id == Leg.shipment_id).where(
        sa.or_(Leg.load_call_id == ScheduleChange.vessel_call_id, Leg.discharge_call_id == ScheduleChange.vessel_call_id),
        Shipment.status.in_(ACTIVE))
    return db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleChange).where(
        ScheduleChange.notified_at.is_(None), ScheduleChange.changed_at >= since, sa.exists(affected)))


def changes_on(call_ids, limit: int = 5) -> list[ScheduleChange]:
    """The latest schedule changes of these calls (a shipment's), newest first: the few changes of a
    shipment's calls are read through their index and sorted here."""
    if not call_ids:
        return []
    changes = db.session.scalars(sa.select(ScheduleChange).where(ScheduleChange.vessel_call_id.in_(call_ids))
                                 .options(joinedload(ScheduleChange.call))).all()
    return sorted(changes, key=lambda c: (c.changed_at, c.id), reverse=True)[:limit]


def recent_changes(limit: int = 20) -> list[ScheduleChange]:
    return db.session.scalars(sa.select(ScheduleChange).options(joinedload(ScheduleChange.call),
                                                                joinedload(ScheduleChange.changed_by))
                              .order_by(ScheduleChange.id.desc()).limit(limit)).all()


# --- status links and integrations -------------------------------------------------------------------


def link_for_token(digest: str) -> StatusLink | None:
    return db.session.scalar(sa.select(StatusLink).where(StatusLink.digest == digest))


def status_shipment(shipment_id: int) -> Shipment | None:
    """A shipment with what its status page shows, in a fixed number of queries."""
    return db.session.scalar(sa.select(Shipment).where(Shipment.id == shipment_id).options(
        joinedload(Shipment.customer), joinedload(Shipment.booked_by), _route(),
        selectinload(Shipment.containers), selectinload(Shipment.milestones)))


def integrations() -> list[Integration]:
    return db.session.scalars(sa.select(Integration).options(joinedload(Integration.created_by),
                                                             joinedload(Integration.revoked_by))
                              .order_by(Integration.revoked_at.is_not(None), Integration.id.desc())).all()


def due_messages(moment: datetime, limit: int = 50) -> list[int]:
    return db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= moment)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()


# --- for other features ---------------------------------------------------------------------------------


def timeline_entries(customer_id: int, limit: int, reader=None, before: datetime | None = None) -> list[TimelineEntry]:
    """R-V4: the customer's shipments on its timeline, when booked, with where they stand."""
    select = sa.select(Shipment).where(Shipment.customer_id == customer_id)
    if before is not None:
        select = select.where(Shipment.booked_at <= before)
    shipments = db.session.scalars(select.options(joinedload(Shipment.booked_by))
                                   .order_by(Shipment.booked_at.desc(), Shipment.id.desc()).limit(limit)).all()
    return [TimelineEntry(at=s.booked_at, kind="shipment", template="shipments/_timeline_entry.html", subject_id=s.id,
                          data={"number": s.number, "reference": s.reference, "pol": s.pol, "pod": s.pod,
                                "status": s.status}, by=s.booked_by.display_name)
            for s in shipments]


def find_subject(reference: str) -> int | None:
    """A shipment named the way people name it: our number, the booking or the B/L number."""
    value = (reference or "").strip().upper()[:30]
    if not value:
        return None
    return db.session.scalar(sa.select(Shipment.id).where(sa.or_(
        Shipment.number == value, Shipment.booking_no == value, Shipment.bl_no == value))
        .order_by(Shipment.id.desc()).limit(1))


def describe_subjects(ids: list[int]) -> dict[int, Subject]:
    rows = db.session.execute(sa.select(Shipment.id, Shipment.number, Shipment.booking_no, Shipment.bl_no,
                                        Shipment.pol, Shipment.pod).where(Shipment.id.in_(ids))).all()
    return {r.id: Subject(label=f"{r.number} · {r.bl_no or r.booking_no or ''} {r.pol} → {r.pod}".replace(" ·  ", " · "),
                          endpoint="shipments.detail", values={"shipment_id": r.id}, reference=r.number)
            for r in rows}


def handover_items_about(shipment_id: int) -> list:
    """Handover items that link this shipment (the handover feature sits below: read, never imported back)."""
    from portal.handover.models import HandoverItem
    return db.session.scalars(sa.select(HandoverItem).where(HandoverItem.subject_type == "shipment",
                                                            HandoverItem.subject_id == shipment_id)
                              .options(joinedload(HandoverItem.raised_by), selectinload(HandoverItem.entries))
                              .order_by(HandoverItem.id.desc())).all()


def user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


# --- the search index ----------------------------------------------------------------------------------


def _port_names(code: str | None) -> tuple:
    port = PORT_BY_CODE.get(code or "")
    return tuple(port[1:4]) if port else ()


def shipment_documents(session, ids: list[int]) -> dict[int, str]:
    """A shipment's search tokens: its numbers, carrier, ports (codes and names), commodity and
    parties, its containers, and its customer's code and names."""
    rows = session.execute(
        sa.select(Shipment.id, Shipment.number, Shipment.booking_no, Shipment.bl_no, Shipment.carrier, Shipment.pol,
                  Shipment.pod, Shipment.commodity, Shipment.shipper, Shipment.consignee, Customer.code,
                  Customer.name_zh, Customer.name_en)
        .join(Customer, Customer.id == Shipment.customer_id).where(Shipment.id.in_(ids))).all()
    containers: dict[int, list[str]] = {}
    for shipment_id, number in session.execute(sa.select(Container.shipment_id, Container.number)
                                               .where(Container.shipment_id.in_(ids))):
        containers.setdefault(shipment_id, []).append(number)
    return {r.id: search_index.document_tokens(
        r.number, r.booking_no, r.bl_no, r.carrier, r.pol, r.pod, r.commodity, r.shipper, r.consignee, r.code,
        *containers.get(r.id, []), *_port_names(r.pol), *_port_names(r.pod), names=[r.name_zh, r.name_en])
        for r in rows}


def call_documents(session, ids: list[int]) -> dict[int, str]:
    """A vessel call's search tokens: vessel, voyage, IMO number, port (code and names), terminal,
    service and carrier."""
    rows = session.execute(sa.select(VesselCall.id, VesselCall.vessel_name, VesselCall.voyage, VesselCall.imo,
                                     VesselCall.port, VesselCall.terminal, VesselCall.service, VesselCall.carrier)
                           .where(VesselCall.id.in_(ids))).all()
    return {r.id: search_index.document_tokens(r.vessel_name, r.voyage, r.imo, r.port, r.terminal, r.service,
                                               r.carrier, *_port_names(r.port)) for r in rows}


def search_sources() -> list[search_index.Source]:
    def shipments_of_customers(session, customers):
        ids = [c.id for c in customers if c.id is not None]
        return session.scalars(sa.select(Shipment.id).where(Shipment.customer_id.in_(ids))).all() if ids else []

    return [
        search_index.Source(
            kind="shipment", model=Shipment, documents=shipment_documents,
            watch={Shipment: (("number", "booking_no", "bl_no", "carrier", "pol", "pod", "commodity", "shipper",
                               "consignee", "customer_id"), lambda session, rows: [s.id for s in rows]),
                   Container: (("number", "shipment_id"), lambda session, rows: [c.shipment_id for c in rows]),
                   Customer: (("code", "name_zh", "name_en"), shipments_of_customers)}),
        search_index.Source(
            kind="vessel_call", model=VesselCall, documents=call_documents,
            watch={VesselCall: (("vessel_name", "voyage", "imo", "port", "terminal", "service", "carrier"),
                                lambda session, rows: [c.id for c in rows])}),
    ]
