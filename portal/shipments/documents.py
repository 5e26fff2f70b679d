"""What customers see of a shipment (R-S1 to R-S3): the status page, the booking confirmation and
the notices, each built as its own view model from the shipment, so that costs, fees, margins,
minimum rates, internal notes, agent workload and other customers cannot reach them (R-S2)."""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext

from portal.company.queries import Company
from portal.core.clock import now
from portal.core.i18n import force_locale
from portal.customers.models import Customer
from portal.reference import CARRIER_BY_CODE, CONTAINER_TYPE_BY_CODE, localized_name, port_name
from portal.shipments.models import (CUSTOMER_STEPS, ChangeReason, DocumentKind, ExceptionKind, LoadingException,
                                     MilestoneKind, RequiredDocument, ScheduleChange, Shipment, Status, VesselCall)
from portal.shipments.rules import due_at
from portal.shipments.times import format_port_time, zone_offset

LANGUAGES = ("en", "zh_Hant", "zh_Hans")


def customer_name(customer: Customer, locale: str) -> str:
    """The customer's name as the customer writes it in that language."""
    if locale == "en":
        return customer.name_en or customer.name_zh or customer.code
    return customer.name_zh or customer.name_en or customer.code


@dataclass
class Step:
    kind: MilestoneKind
    done: bool
    at: datetime | None          # when it happened, or when it is expected (UTC)
    port: str | None
    expected: bool = False       # `at` is a schedule time, not an actual one


@dataclass
class Event:
    kind: MilestoneKind
    at: datetime
    port: str | None
    container: str | None


@dataclass
class LegView:
    sequence: int
    vessel: str
    voyage: str
    carrier: str
    load_port: str
    discharge_port: str
    etd: datetime
    atd: datetime | None
    eta: datetime
    ata: datetime | None


@dataclass
class ChangeView:
    reason: ChangeReason
    explanation: str
    port: str
    vessel: str
    old_eta: datetime
    new_eta: datetime
    old_etd: datetime
    new_etd: datetime
    at: datetime


@dataclass
class DocumentView:
    kind: DocumentKind
    due: datetime | None
    port: str                      # the due time is in this port's local time
    overdue: bool


@dataclass
class ExceptionView:
    kind: ExceptionKind
    container: str | None
    rebooked_vessel: str | None
    rebooked_etd: datetime | None
    rebooked_port: str | None


@dataclass
class Contact:
    agent: str
    phone: str
    email: str


@dataclass
class StatusPage:
    """R-S1: everything the customer's status page shows, and nothing else (R-S2)."""
    reference: str
    booking_no: str | None
    bl_no: str | None
    customer_name: str
    locale: str
    status: Status
    cancelled: bool
    pol: str
    pod: str
    carrier: str
    commodity: str
    equipment: str
    etd: datetime | None
    eta: datetime | None
    steps: list[Step]
    events: list[Event]
    legs: list[LegView]
    containers: list[tuple[str, str]]
    documents: list[DocumentView]
    exceptions: list[ExceptionView]
    changes: list[ChangeView]
    contact: Contact
    updated_at: datetime


def _first_call(shipment: Shipment) -> VesselCall | None:
    return shipment.legs[0].load_call if shipment.legs else None


def status_page(shipment: Shipment, documents: list[RequiredDocument], exceptions: list[LoadingException],
                changes: list[ScheduleChange], sender: Company) -> StatusPage:
    moment = now()
    legs = sorted(shipment.legs, key=lambda leg: leg.sequence)
    first, last = (legs[0], legs[-1]) if legs else (None, None)
    recorded = {}
    for m in shipment.milestones:  # the first time each step happened (a container at a time)
        recorded.setdefault(m.kind, m)
    expected = {MilestoneKind.LOADED: (first.load_call.etd, first.load_port) if first else None,
                MilestoneKind.DEPARTED: (first.load_call.etd, first.load_port) if first else None,
                MilestoneKind.ARRIVED: (last.discharge_call.eta, last.discharge_port) if last else None}
    steps = []
    for kind in CUSTOMER_STEPS:
        m = recorded.get(kind)
        if kind == MilestoneKind.ARRIVED and m is not None and last is not None:
            # "Arrived" on the customer's page is arrival at the port of discharge, not at a transshipment port.
            m = next((x for x in shipment.milestones if x.kind == kind and x.port == last.discharge_port), None)
        if m is not None:
            steps.append(Step(kind, True, m.at, m.port))
        elif kind in expected and expected[kind]:
            steps.append(Step(kind, False, expected[kind][0], expected[kind][1], expected=True))
        else:
            steps.append(Step(kind, False, None, None))
    containers = {c.id: c.number for c in shipment.containers}
    events = sorted((Event(m.kind, m.at, m.port, containers.get(m.container_id)) for m in shipment.milestones),
                    key=lambda e: e.at, reverse=True)
    first_call = _first_call(shipment)
    owner = shipment.customer.owner
    qty = f"{shipment.container_qty} × " if shipment.container_qty else ""
    return StatusPage(
        reference=shipment.reference, booking_no=shipment.booking_no, bl_no=shipment.bl_no,
        customer_name=customer_name(shipment.customer, str(shipment.customer.preferred_locale)),
        locale=str(shipment.customer.preferred_locale), status=shipment.status, cancelled=shipment.is_cancelled,
        pol=shipment.pol, pod=shipment.pod, carrier=shipment.carrier, commodity=shipment.commodity,
        equipment=f"{qty}{shipment.container_type}" if shipment.container_type else "",
        etd=first.load_call.etd if first else None, eta=last.discharge_call.eta if last else None,
        steps=steps, events=events,
        legs=[LegView(leg.sequence, leg.load_call.vessel_name, leg.load_call.voyage, leg.load_call.carrier,
                      leg.load_port, leg.discharge_port, leg.load_call.etd, leg.load_call.atd,
                      leg.discharge_call.eta, leg.discharge_call.ata) for leg in legs],
        containers=[(c.number, c.container_type) for c in shipment.containers],
        documents=[DocumentView(d.kind, due, first_call.port if first_call else shipment.pol,
                                due is not None and due < moment)
                   for d in documents if d.received_at is None
                   for due in [due_at(d.kind, first_call)]],
        exceptions=[ExceptionView(e.kind, e.container.number if e.container else None,
                                  e.rebooked_call.label if e.rebooked_call else None,
                                  e.rebooked_call.etd if e.rebooked_call else None,
                                  e.rebooked_call.port if e.rebooked_call else None)
                    for e in exceptions if e.customer_told_at is not None],
        changes=[ChangeView(c.reason, c.explanation, c.call.port, c.call.label, c.old_eta, c.new_eta, c.old_etd,
                            c.new_etd, c.changed_at) for c in changes],
        contact=Contact(agent=owner.display_name if owner else "", phone=sender.phone, email=sender.email),
        updated_at=max([shipment.updated_at] + [c.changed_at for c in changes]))


# --- the booking confirmation (訂艙確認書, R-B1) ----------------------------------------------------------


@dataclass
class Confirmation:
    number: str
    booking_no: str
    customer_name: str
    contact_name: str
    locale: str
    confirmed_at: datetime
    carrier: str
    pol: str
    pod: str
    commodity: str
    equipment: str
    gross_weight_kg: object
    shipper: str
    consignee: str
    notify_party: str
    legs: list[LegView]
    doc_cutoff: datetime | None
    port_cutoff: datetime | None
    vgm_cutoff: datetime | None
    cutoff_port: str | None
    terminal: str
    documents: list[DocumentView]
    remarks: str
    agent: str
    contact: Contact


def confirmation(shipment: Shipment, documents: list[RequiredDocument], sender: Company) -> Confirmation | None:
    """The printable booking confirmation; None until the carrier confirmed the booking."""
    if shipment.confirmed_at is None or not shipment.legs:
        return None
    page = status_page(shipment, documents, [], [], sender)
    call = _first_call(shipment)
    locale = str(shipment.customer.preferred_locale)
    return Confirmation(
        number=shipment.number, booking_no=shipment.booking_no or "", locale=locale,
        customer_name=customer_name(shipment.customer, locale),
        contact_name=shipment.contact.name if shipment.contact else "", confirmed_at=shipment.confirmed_at,
        carrier=shipment.carrier, pol=shipment.pol, pod=shipment.pod, commodity=shipment.commodity,
        equipment=page.equipment, gross_weight_kg=shipment.gross_weight_kg, shipper=shipment.shipper,
        consignee=shipment.consignee, notify_party=shipment.notify_party, legs=page.legs,
        doc_cutoff=call.doc_cutoff, port_cutoff=call.port_cutoff, vgm_cutoff=call.vgm_cutoff, cutoff_port=call.port,
        terminal=call.terminal, documents=page.documents, remarks=shipment.remarks, agent=page.contact.agent,
        contact=page.contact)


# --- notices (R-S4, R-B2) ------------------------------------------------------------------------------------


@dataclass
class NoticeDraft:
    """A notice to one customer, in the customer's language, before it is sent."""
    customer: Customer
    locale: str
    shipments: list[Shipment]
    recipients: list            # the customer's contacts, with their ways to be reached
    subject: str = ""
    body: str = ""
    links: dict = field(default_factory=dict)   # shipment id -> status page URL (None: made when notifying)


def _time(utc: datetime, port: str, locale: str) -> str:
    return f"{format_port_time(utc, port, locale)} ({zone_offset(utc, port, locale)})"


def _sign_off(owner_name: str, sender: Company, locale: str) -> list[str]:
    lines = [gettext("Your customer service: %(name)s", name=owner_name)]
    if sender.name(locale):
        lines.append(sender.name(locale))
    reach = " · ".join(x for x in (sender.phone, sender.email) if x)
    if reach:
        lines.append(reach)
    return lines


def _shipment_line(shipment: Shipment, locale: str, url: str | None) -> str:
    line = gettext("%(reference)s: %(pol)s → %(pod)s", reference=shipment.reference,
                   pol=port_name(shipment.pol, locale), pod=port_name(shipment.pod, locale))
    if shipment.containers:
        line += " · " + ", ".join(c.number for c in shipment.containers)
    link = url or gettext("(a status link is made when the notice is sent)")
    page = gettext("Status page: %(url)s", url=link)
    return f"- {line}\n  {page}"


def schedule_notices(change: ScheduleChange, shipments: list[Shipment], links: dict[int, str | None],
                     sender: Company) -> list[NoticeDraft]:
    """R-S4: a notice per customer with shipments on the changed call, in that customer's language:
    the old and new times in the port's local time with the zone named, the reason, the status links."""
    by_customer: dict[int, NoticeDraft] = {}
    for shipment in shipments:
        draft = by_customer.get(shipment.customer_id)
        if draft is None:
            customer = shipment.customer
            draft = by_customer[customer.id] = NoticeDraft(customer, str(customer.preferred_locale), [],
                                                           list(customer.contacts))
        draft.shipments.append(shipment)
        draft.links[shipment.id] = links.get(shipment.id)
    call = change.call
    for draft in by_customer.values():
        locale = draft.locale if draft.locale in LANGUAGES else "en"
        with force_locale(locale):
            port = port_name(call.port, locale)
            reason = change.reason.label
            draft.subject = gettext("Schedule change (%(reason)s): %(vessel)s at %(port)s, new ETA %(eta)s",
                                    reason=reason, vessel=call.label, port=port, eta=format_port_time(change.new_eta, call.port,
                                                                                        locale, weekday=False))
            lines = [gettext("Dear %(name)s,", name=customer_name(draft.customer, locale)), "",
                     gettext("The schedule of %(vessel)s (%(carrier)s) at %(port)s has changed. Reason: %(reason)s.",
                             vessel=call.label, carrier=localized_name(CARRIER_BY_CODE.get(call.carrier), locale)
                             or call.carrier, port=port, reason=reason)]
            if change.explanation:
                lines.append(change.explanation)
            lines += ["",
                      gettext("ETA: %(old)s → %(new)s", old=_time(change.old_eta, call.port, locale),
                              new=_time(change.new_eta, call.port, locale)),
                      gettext("ETD: %(old)s → %(new)s", old=_time(change.old_etd, call.port, locale),
                              new=_time(change.new_etd, call.port, locale)),
                      "", gettext("Your shipments on this vessel:")]
            lines += [_shipment_line(s, locale, draft.links.get(s.id)) for s in draft.shipments]
            owner = draft.customer.owner
            lines += ["", gettext("We will keep you informed of any further change."), ""]
            lines += _sign_off(owner.display_name if owner else "", sender, locale)
            draft.body = "\n".join(lines)
    return sorted(by_customer.values(), key=lambda d: d.customer.code)


def exception_notice(shipment: Shipment, exception: LoadingException, url: str | None, sender: Company) -> NoticeDraft:
    """R-B2: the customer is told that a container was rolled or shut out, and what happens next."""
    customer = shipment.customer
    locale = str(customer.preferred_locale) if str(customer.preferred_locale) in LANGUAGES else "en"
    draft = NoticeDraft(customer, locale, [shipment], list(customer.contacts), links={shipment.id: url})
    with force_locale(locale):
        container = exception.container.number if exception.container else gettext("your cargo")
        draft.subject = gettext("%(what)s: %(reference)s", what=exception.kind.label, reference=shipment.reference)
        lines = [gettext("Dear %(name)s,", name=customer_name(customer, locale)), ""]
        if exception.missed_call is not None:
            lines.append(gettext("%(container)s could not be loaded on %(vessel)s at %(port)s as booked.",
                                 container=container, vessel=exception.missed_call.label,
                                 port=port_name(exception.missed_call.port, locale)))
        else:
            lines.append(gettext("%(container)s could not be loaded as booked.", container=container))
        if exception.rebooked_call is not None:
            call = exception.rebooked_call
            lines.append(gettext("It is booked on %(vessel)s, leaving %(port)s %(etd)s.", vessel=call.label,
                                 port=port_name(call.port, locale), etd=_time(call.etd, call.port, locale)))
        else:
            lines.append(gettext("We are booking it on the next available vessel and will tell you which."))
        if exception.documents_cancelled:
            lines.append(gettext("The documents filed for the first vessel are cancelled and filed again for the "
                                 "new one; nothing is needed from you for that."))
        lines += ["", _shipment_line(shipment, locale, url), ""]
        owner = customer.owner
        lines += _sign_off(owner.display_name if owner else "", sender, locale)
        draft.body = "\n".join(lines)
    return draft


def equipment_name(code: str | None, locale: str) -> str:
    return localized_name(CONTAINER_TYPE_BY_CODE.get(code or ""), locale) if code else ""
