"""Shipments (R-B1 to R-B4, R-S1, R-S4): vessel calls and their schedule changes, bookings with
legs and containers, milestones in order, loading exceptions, documents and B/L work, status
links, notices to customers, and the integrations that post events. Changes only; reads are in
queries.py, what the customer sees in documents.py."""
import hashlib
import hmac
import base64
import re
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core import audit
from portal.core.clock import now, today
from portal.core.policy import can
from portal.core.rules import RuleViolation, check_version
from portal.core.sequence import next_value
from portal.customers.models import Contact, Customer
from portal.extensions import db
from portal.quotes.models import Quote, Status as QuoteStatus
from portal.reference import CARRIER_BY_CODE, CONTAINER_TYPE_BY_CODE, CURRENCIES, PORT_BY_CODE
from portal.shipments.models import (AT_SEA, ON_DELIVERY, PRE_CARRIAGE, BLRevision, BLRevisionKind,
                                     ChangeReason, Channel, Container, CourierDispatch, DeliveryState, DocumentKind,
                                     ExceptionKind, FreeTimeKind, FreeTimeRequest, Integration, Leg, LoadingException,
                                     Milestone, MilestoneKind, Notice, NoticeKind, NoticeState, OutboxMessage,
                                     RequestState, RequiredDocument, ScheduleChange, Shipment, Source, SpaceRequest,
                                     Status, StatusLink, VesselCall)

# A feed's clock may run a little ahead of ours; anything later than this is "in the future".
CLOCK_SKEW = timedelta(minutes=5)
MAX_WEIGHT_KG = Decimal("60000")
REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,29}$")


def _today() -> date:
    return today(current_app.config["PORTAL_TIMEZONE"])


def _touch(shipment: Shipment) -> None:
    shipment.updated_at = now()


# --- checks shared by the forms, the imports and the event feed -------------------------------------


def normal_container_number(value: str | None) -> str:
    """An ISO 6346 container number, its check digit verified (python-stdnum), in compact form."""
    # (imported here: python-stdnum costs a web worker some 8 MB, and only container entry needs it)
    from stdnum import iso6346
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
    try:
        return iso6346.validate(value or "")
    except InvalidChecksum:
        raise RuleViolation(_l("The check digit of this container number is wrong: check the last digit "
                               "against the container."), "number") from None
    except (InvalidFormat, InvalidLength, InvalidComponent, ValidationError):
        raise RuleViolation(_l("A container number is four letters and seven digits, for example CSQU3054383."),
                            "number") from None


def imo_is_valid(imo: str | None) -> bool:
    """IMO ship identification number: seven digits, the last a check digit (weights 7 to 2)."""
    if not imo or not re.fullmatch(r"\d{7}", imo):
        return False
    return sum(int(d) * w for d, w in zip(imo[:6], range(7, 1, -1))) % 10 == int(imo[6])


def normal_reference(value: str | None) -> str | None:
    """A booking or B/L number as carriers write it: upper case, no spaces."""
    value = re.sub(r"\s+", "", value or "").upper()
    return value or None


def _check_port(code: str | None, field: str) -> None:
    if code not in PORT_BY_CODE:
        raise RuleViolation(_l("Unknown port: use its 5-letter UN/LOCODE, for example TWKHH."), field)


def _check_carrier(code: str | None) -> None:
    if code not in CARRIER_BY_CODE:
        raise RuleViolation(_l("Choose the carrier."), "carrier")


def _check_not_future(moment: datetime | None, field: str) -> None:
    if moment is not None and moment > now() + CLOCK_SKEW:
        raise RuleViolation(_l("An actual time cannot be in the future."), field)


# --- vessel calls and schedule changes (R-S4) -----------------------------------------------------

CALL_FIELDS = ("carrier", "service", "vessel_name", "imo", "voyage", "port", "terminal", "eta", "etb", "etd",
               "ata", "atb", "atd", "doc_cutoff", "port_cutoff", "vgm_cutoff")
# What an edit may change; the planned times move only through change_schedule, with a reason.
EDITABLE_CALL_FIELDS = tuple(f for f in CALL_FIELDS if f not in ("eta", "etb", "etd"))


def check_call(values: dict) -> None:
    _check_carrier(values.get("carrier"))
    if not (values.get("vessel_name") or "").strip():
        raise RuleViolation(_l("Enter the vessel's name."), "vessel_name")
    if not imo_is_valid(values.get("imo")):
        raise RuleViolation(_l("An IMO number is seven digits with a check digit, for example 9321483."), "imo")
    if not (values.get("voyage") or "").strip():
        raise RuleViolation(_l("Enter the voyage."), "voyage")
    _check_port(values.get("port"), "port")
    _check_times(values.get("eta"), values.get("etb"), values.get("etd"))
    for cutoff in ("doc_cutoff", "port_cutoff", "vgm_cutoff"):
        if values.get(cutoff) and values.get("etd") and values[cutoff] > values["etd"]:
            raise RuleViolation(_l("A cut-off comes before the vessel departs."), cutoff)
    for actual in ("ata", "atb", "atd"):
        _check_not_future(values.get(actual), actual)
    if values.get("ata") and values.get("atd") and values["atd"] < values["ata"]:
        raise RuleViolation(_l("The vessel cannot depart before it arrived."), "atd")
    if values.get("atb") and values.get("ata") and values["atb"] < values["ata"]:
        raise RuleViolation(_l("The vessel cannot berth before it arrived."), "atb")


def _check_times(eta, etb, etd) -> None:
    if eta is None:
        raise RuleViolation(_l("Enter the ETA."), "eta")
    if etd is None:
        raise RuleViolation(_l("Enter the ETD."), "etd")
    if etd < eta:
        raise RuleViolation(_l("The ETD cannot be before the ETA: a vessel leaves after it arrives."), "etd")
    if etb is not None and not eta <= etb <= etd:
        raise RuleViolation(_l("The ETB lies between the ETA and the ETD."), "etb")


def create_call(actor: User, values: dict) -> VesselCall:
    values = {f: values.get(f) for f in CALL_FIELDS}
    values["vessel_name"] = (values["vessel_name"] or "").strip().upper()
    values["voyage"] = (values["voyage"] or "").strip().upper()
    values["service"] = values.get("service") or ""
    values["terminal"] = values.get("terminal") or ""
    check_call(values)
    _check_unique_call(values)
    call = VesselCall(**values)
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "create", call, {f: [None, v] for f, v in values.items() if v})
    return call


def _check_unique_call(values: dict, call_id: int | None = None) -> None:
    clash = db.session.scalar(sa.select(VesselCall.id).where(
        VesselCall.imo == values["imo"], VesselCall.voyage == values["voyage"], VesselCall.port == values["port"],
        VesselCall.id != (call_id or 0)))
    if clash:
        raise RuleViolation(_l("This vessel's call at this port on this voyage is in the schedule already."),
                            "voyage")


def update_call(actor: User, call: VesselCall, expected_version, values: dict) -> VesselCall:
    """Change a call's details, actual times and cut-offs; ETA/ETB/ETD move through change_schedule."""
    check_version(call, expected_version)
    values = {f: values.get(f) for f in EDITABLE_CALL_FIELDS}
    values["vessel_name"] = (values["vessel_name"] or "").strip().upper()
    values["voyage"] = (values["voyage"] or "").strip().upper()
    values["service"] = values.get("service") or ""
    values["terminal"] = values.get("terminal") or ""
    check_call(values | {"eta": call.eta, "etb": call.etb, "etd": call.etd})
    if values["port"] != call.port and _legs_on(call):
        raise RuleViolation(_l("Shipments use this call: its port cannot change."), "port")
    _check_unique_call(values, call.id)
    before = audit.snapshot(call, EDITABLE_CALL_FIELDS)
    for f, v in values.items():
        setattr(call, f, v)
    changes = audit.diff(before, audit.snapshot(call, EDITABLE_CALL_FIELDS))
    if changes:
        call.updated_at = now()
        db.session.flush()
        audit.record(actor, "update", call, changes)
    return call


def _legs_on(call: VesselCall) -> list[Leg]:
    return db.session.scalars(sa.select(Leg).where(sa.or_(Leg.load_call_id == call.id,
                                                          Leg.discharge_call_id == call.id))).all()


def change_schedule(actor: User, call: VesselCall, expected_version, eta: datetime, etb: datetime | None,
                    etd: datetime, reason: str, explanation: str = "") -> ScheduleChange:
    """R-S4: a call's ETA/ETB/ETD move, with the reason, the old and new times, who and when.
    The shipments on the call take the new times at once (their pages and status pages)."""
    check_version(call, expected_version)
    if ChangeReason.get(reason) is None:
        raise RuleViolation(_l("Choose the reason."), "reason")
    _check_times(eta, etb, etd)
    if (eta, etb, etd) == (call.eta, call.etb, call.etd):
        raise RuleViolation(_l("The times are the same as before: nothing to change."), "eta")
    change = ScheduleChange(call=call, reason=ChangeReason.get(reason), explanation=(explanation or "").strip()[:2000],
                            old_eta=call.eta, new_eta=eta, old_etb=call.etb, new_etb=etb, old_etd=call.etd,
                            new_etd=etd, changed_by_id=actor.id)
    db.session.add(change)
    call.eta, call.etb, call.etd = eta, etb, etd
    call.updated_at = now()
    db.session.flush()
    for leg in _legs_on(call):
        _refresh_route_times(leg.shipment)
    audit.record(actor, "schedule", call, {"eta": [change.old_eta, eta], "etb": [change.old_etb, etb],
                                           "etd": [change.old_etd, etd], "reason": [None, reason]})
    return change


# --- shipments ----------------------------------------------------------------------------------

SHIPMENT_FIELDS = ("customer_id", "contact_id", "carrier", "booking_no", "bl_no", "mode", "pol", "pod",
                   "container_type", "container_qty", "commodity", "gross_weight_kg", "shipper", "consignee",
                   "notify_party", "internal_notes", "remarks")
DEFAULT_DOCUMENTS = (DocumentKind.SI, DocumentKind.VGM)


def next_number(on: date) -> str:
    """S<yymm>-<running number of the month>: never the same number twice (a counter row)."""
    return f"S{on:%y%m}-{next_value(f'shipment:{on:%y%m}'):05d}"


def check_shipment(values: dict, shipment_id: int | None = None) -> None:
    customer = db.session.get(Customer, values.get("customer_id") or 0)
    if customer is None:
        raise RuleViolation(_l("No customer has this code."), "customer_code")
    _check_carrier(values.get("carrier"))
    _check_port(values.get("pol"), "pol")
    _check_port(values.get("pod"), "pod")
    if values["pol"] == values["pod"]:
        raise RuleViolation(_l("The port of discharge must differ from the port of loading."), "pod")
    if values.get("container_type") and values["container_type"] not in CONTAINER_TYPE_BY_CODE:
        raise RuleViolation(_l("Choose one of the options."), "container_type")
    if values.get("container_qty") is not None and not 1 <= values["container_qty"] <= 500:
        raise RuleViolation(_l("Between 1 and 500 containers."), "container_qty")
    weight = values.get("gross_weight_kg")
    if weight is not None and not (weight.is_finite() and Decimal("0") < weight <= Decimal("10000000")):
        raise RuleViolation(_l("Between 0 and 10,000,000 kg."), "gross_weight_kg")
    for field in ("booking_no", "bl_no"):
        value = values.get(field)
        if value and not REFERENCE.fullmatch(value):
            raise RuleViolation(_l("Letters, digits and hyphens only, 3 to 30 characters."), field)
    _check_unique_references(values, shipment_id)


def _check_unique_references(values: dict, shipment_id: int | None) -> None:
    """A booking number and a B/L number are each unique per carrier."""
    for field, message in (("booking_no", _l("%(carrier)s already has booking number %(number)s, on shipment "
                                             "%(shipment)s.")),
                           ("bl_no", _l("%(carrier)s already has B/L number %(number)s, on shipment %(shipment)s."))):
        value = values.get(field)
        if not value:
            continue
        clash = db.session.scalar(sa.select(Shipment.number).where(
            Shipment.carrier == values["carrier"], getattr(Shipment, field) == value,
            Shipment.id != (shipment_id or 0)))
        if clash:
            raise RuleViolation(message % {"carrier": values["carrier"], "number": value, "shipment": clash}, field)


def _values(values: dict) -> dict:
    values = {f: values.get(f) for f in SHIPMENT_FIELDS}
    values["booking_no"] = normal_reference(values["booking_no"])
    values["bl_no"] = normal_reference(values["bl_no"])
    for text in ("commodity", "shipper", "consignee", "notify_party", "internal_notes", "remarks"):
        values[text] = (values[text] or "").strip()
    values["mode"] = values["mode"] or "fcl"
    return values


def _check_may_book(actor: User, customer: Customer) -> None:
    if not can(actor, "shipments.book", customer):
        raise RuleViolation(_l("Book shipments for your own customers; a supervisor books for anyone."),
                            "customer_code")


def create_shipment(actor: User, values: dict, quote: Quote | None = None) -> Shipment:
    values = _values(values)
    check_shipment(values)
    customer = db.session.get(Customer, values["customer_id"])
    _check_may_book(actor, customer)
    if values.get("contact_id") and db.session.get(Contact, values["contact_id"]) is None:
        values["contact_id"] = None
    shipment = Shipment(**values, number=next_number(_today()), quote_id=quote.id if quote else None,
                        booked_by_id=actor.id, status=Status.REQUESTED, legs=[], containers=[], milestones=[])
    shipment.customer, shipment.customer_owner_id = customer, customer.owner_id
    db.session.add(shipment)
    db.session.flush()
    for kind in DEFAULT_DOCUMENTS:
        db.session.add(RequiredDocument(shipment_id=shipment.id, kind=kind))
    audit.record(actor, "create", shipment, {"number": [None, shipment.number], "customer_id": [None, customer.id],
                                             "quote": [None, quote.label if quote else None]})
    return shipment


def book_from_quote(actor: User, quote: Quote) -> Shipment:
    """"Book" on a won quote: a shipment with the quote's lane, carrier, equipment and customer."""
    if not quote.is_current:
        raise RuleViolation(_l("Book from the quote's current revision."))
    if quote.status != QuoteStatus.WON:
        raise RuleViolation(_l("Only a won quote is booked."))
    if not quote.carrier:
        raise RuleViolation(_l("The quote names no carrier: make a booking by hand and choose one."))
    values = {"customer_id": quote.customer_id, "contact_id": quote.contact_id, "carrier": quote.carrier,
              "mode": str(quote.mode), "pol": quote.pol, "pod": quote.pod, "container_type": quote.container_type,
              "container_qty": quote.container_qty, "commodity": quote.commodity,
              "gross_weight_kg": quote.gross_weight_kg, "shipper": quote.shipper or ""}
    shipment = create_shipment(actor, values, quote=quote)
    if quote.dg_class:
        db.session.add(RequiredDocument(shipment_id=shipment.id, kind=DocumentKind.DG_DECLARATION))
    return shipment


def on_customers_reassigned(sender, customers, previous_owner, new_owner) -> None:
    """Receiver of customers.signals.customers_reassigned (connected in shipments.init_app): the
    customers' shipments follow them to their new owner's "my customers" list, in the same transaction."""
    ids = [c.id for c in customers]
    if ids:
        db.session.execute(sa.update(Shipment).where(Shipment.customer_id.in_(ids))
                           .values(customer_owner_id=new_owner.id))


def update_shipment(actor: User, shipment: Shipment, expected_version, values: dict) -> Shipment:
    check_version(shipment, expected_version)
    if shipment.is_cancelled:
        raise RuleViolation(_l("This shipment was cancelled."))
    values = _values(values)
    check_shipment(values, shipment.id)
    if values["customer_id"] != shipment.customer_id:
        customer = db.session.get(Customer, values["customer_id"])
        _check_may_book(actor, customer)
        shipment.customer_owner_id = customer.owner_id
    if shipment.legs and (values["pol"] != shipment.pol or values["pod"] != shipment.pod):
        route = [shipment.legs[0].load_port, shipment.legs[-1].discharge_port]
        if values["pol"] != route[0]:
            raise RuleViolation(_l("The first leg loads at %(port)s: remove the legs before changing the port of "
                                   "loading.", port=route[0]), "pol")
    before = audit.snapshot(shipment, SHIPMENT_FIELDS)
    for f, v in values.items():
        setattr(shipment, f, v)
    changes = audit.diff(before, audit.snapshot(shipment, SHIPMENT_FIELDS))
    if changes:
        _touch(shipment)
        db.session.flush()
        audit.record(actor, "update", shipment, changes)
    return shipment


def cancel_shipment(actor: User, shipment: Shipment, expected_version, reason: str) -> None:
    check_version(shipment, expected_version)
    if shipment.is_cancelled:
        raise RuleViolation(_l("This shipment was cancelled already."))
    if any(m.kind in AT_SEA for m in shipment.milestones):
        raise RuleViolation(_l("The cargo is on its way: a shipment on board is not cancelled."))
    if not (reason or "").strip():
        raise RuleViolation(_l("Say why the booking is cancelled."), "reason")
    before = shipment.status
    shipment.status = Status.CANCELLED
    shipment.cancelled_at = now()
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "status", shipment, {"status": [before, Status.CANCELLED], "reason": [None, reason.strip()]})


def confirm_booking(actor: User, shipment: Shipment, expected_version) -> Milestone:
    """R-B1: the carrier confirmed the booking: the booking confirmation (訂艙確認書) can go out."""
    check_version(shipment, expected_version)
    if shipment.is_cancelled:
        raise RuleViolation(_l("This shipment was cancelled."))
    if shipment.confirmed_at is not None:
        raise RuleViolation(_l("This booking was confirmed already."))
    if not shipment.booking_no:
        raise RuleViolation(_l("Enter the carrier's booking number first."), "booking_no")
    if not shipment.legs:
        raise RuleViolation(_l("Add the vessel (a leg) first: the confirmation names it."))
    shipment.confirmed_at = now()
    milestone = record_milestone(actor, shipment, MilestoneKind.BOOKED, shipment.confirmed_at)
    audit.record(actor, "confirm", shipment, {"confirmed_at": [None, shipment.confirmed_at]})
    return milestone


def _require_open(shipment: Shipment) -> None:
    if shipment.is_cancelled:
        raise RuleViolation(_l("This shipment was cancelled."))


# --- legs (transshipment) --------------------------------------------------------------------------


def add_leg(actor: User, shipment: Shipment, load_port: str, discharge_port: str, load_call: VesselCall | None,
            discharge_call: VesselCall | None) -> Leg:
    """A leg on one vessel: its ports must be the calls' ports (a leg's port is on its vessel call),
    both calls the same vessel and voyage, and the ETA at discharge not before the ETD at loading."""
    _require_open(shipment)
    _check_port(load_port, "load_port")
    _check_port(discharge_port, "discharge_port")
    if load_call is None:
        raise RuleViolation(_l("Choose the vessel call at the port of loading."), "load_call_id")
    if discharge_call is None:
        raise RuleViolation(_l("Choose the vessel call at the port of discharge."), "discharge_call_id")
    if load_call.port != load_port:
        raise RuleViolation(_l("%(vessel)s calls at %(call_port)s on this voyage, not at %(port)s.",
                               vessel=load_call.label, call_port=load_call.port, port=load_port), "load_call_id")
    if discharge_call.port != discharge_port:
        raise RuleViolation(_l("%(vessel)s calls at %(call_port)s on this voyage, not at %(port)s.",
                               vessel=discharge_call.label, call_port=discharge_call.port, port=discharge_port),
                            "discharge_call_id")
    if load_port == discharge_port:
        raise RuleViolation(_l("A leg goes from one port to another."), "discharge_port")
    if (load_call.imo, load_call.voyage) != (discharge_call.imo, discharge_call.voyage):
        raise RuleViolation(_l("A leg is one vessel on one voyage: choose calls of the same vessel and voyage."),
                            "discharge_call_id")
    if discharge_call.eta < load_call.etd:
        raise RuleViolation(_l("The ETA at the port of discharge cannot be before the ETD at the port of loading."),
                            "discharge_call_id")
    legs = shipment.legs
    if not legs and load_port != shipment.pol:
        raise RuleViolation(_l("The first leg loads at the port of loading, %(port)s.", port=shipment.pol),
                            "load_port")
    if legs:
        previous = legs[-1]
        if previous.discharge_port == shipment.pod:
            raise RuleViolation(_l("The route already reaches the port of discharge."), "load_port")
        if load_port != previous.discharge_port:
            raise RuleViolation(_l("The next leg loads where the last one discharges: %(port)s.",
                                   port=previous.discharge_port), "load_port")
        if load_call.etd < previous.discharge_call.eta:
            raise RuleViolation(_l("The onward vessel leaves before the first one arrives."), "load_call_id")
    leg = Leg(sequence=len(legs) + 1, load_port=load_port, discharge_port=discharge_port, load_call=load_call,
              discharge_call=discharge_call)
    shipment.legs.append(leg)
    _refresh_route_times(shipment)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "leg", shipment, {"leg": [None, f"{leg.sequence}: {load_call.label} {load_port} → "
                                                        f"{discharge_port}"]})
    return leg


def remove_leg(actor: User, shipment: Shipment, leg: Leg) -> None:
    _require_open(shipment)
    if leg is not shipment.legs[-1]:
        raise RuleViolation(_l("Remove the last leg first."))
    if any(m.leg == leg.sequence and m.kind in AT_SEA for m in shipment.milestones):
        raise RuleViolation(_l("The cargo moved on this leg already: it stays on record."))
    label = f"{leg.sequence}: {leg.load_call.label} {leg.load_port} → {leg.discharge_port}"
    shipment.legs.remove(leg)
    _refresh_route_times(shipment)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "leg", shipment, {"leg": [label, None]})


def _refresh_route_times(shipment: Shipment) -> None:
    """The shipment's ETD (first loading) and ETA (last discharge), from its legs' calls."""
    legs = sorted(shipment.legs, key=lambda leg: leg.sequence)
    shipment.etd = legs[0].load_call.etd if legs else None
    shipment.eta = legs[-1].discharge_call.eta if legs else None


def route_complete(shipment: Shipment) -> bool:
    return bool(shipment.legs) and shipment.legs[-1].discharge_port == shipment.pod


# --- containers ---------------------------------------------------------------------------------------

CONTAINER_FIELDS = ("number", "container_type", "seal_no", "vgm_kg")


def _container_values(shipment: Shipment, values: dict, container_id: int | None = None) -> dict:
    values = {f: values.get(f) for f in CONTAINER_FIELDS}
    values["number"] = normal_container_number(values["number"])
    if values["container_type"] not in CONTAINER_TYPE_BY_CODE:
        raise RuleViolation(_l("Choose the container type."), "container_type")
    values["seal_no"] = (values["seal_no"] or "").strip().upper()[:30]
    vgm = values["vgm_kg"]
    if vgm is not None and not (vgm.is_finite() and Decimal("0") < vgm <= MAX_WEIGHT_KG):
        raise RuleViolation(_l("A container's VGM is between 0 and 60,000 kg."), "vgm_kg")
    if any(c.number == values["number"] and c.id != container_id for c in shipment.containers):
        raise RuleViolation(_l("This container is on the shipment already."), "number")
    return values


def add_container(actor: User, shipment: Shipment, values: dict) -> Container:
    _require_open(shipment)
    values = _container_values(shipment, values)
    container = Container(**values)
    shipment.containers.append(container)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "create", container, {f: [None, v] for f, v in values.items()}, parent=shipment)
    return container


def update_container(actor: User, shipment: Shipment, container: Container, expected_version, values: dict) -> None:
    check_version(container, expected_version)
    _require_open(shipment)
    values = _container_values(shipment, values, container.id)
    before = audit.snapshot(container, CONTAINER_FIELDS)
    for f, v in values.items():
        setattr(container, f, v)
    changes = audit.diff(before, audit.snapshot(container, CONTAINER_FIELDS))
    if changes:
        _touch(shipment)
        db.session.flush()
        audit.record(actor, "update", container, changes, parent=shipment)


def remove_container(actor: User, shipment: Shipment, container: Container) -> None:
    _require_open(shipment)
    if any(m.container_id == container.id for m in shipment.milestones):
        raise RuleViolation(_l("This container has milestones: it stays on record."))
    shipment.containers.remove(container)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "delete", container, {"number": [container.number, None]}, parent=shipment)


# --- milestones (R-B2) ----------------------------------------------------------------------------------


def leg_of(shipment: Shipment, kind: MilestoneKind, port: str | None) -> int | None:
    """Which leg a vessel milestone belongs to, from its port; None when the port is on no leg."""
    legs = shipment.legs
    if kind not in AT_SEA:
        return None
    if not legs:
        return 1
    if port is None:
        return None
    for leg in legs:
        if kind in (MilestoneKind.LOADED, MilestoneKind.TRANSSHIPPED, MilestoneKind.DEPARTED) and leg.load_port == port:
            return leg.sequence
        if kind in (MilestoneKind.ARRIVED, MilestoneKind.DISCHARGED) and leg.discharge_port == port:
            return leg.sequence
    return None


def order_key(kind: MilestoneKind, leg: int | None) -> tuple:
    """Where a milestone stands in R-B2's order: before the voyage, on the legs in turn, after it."""
    if kind in PRE_CARRIAGE:
        return (0, PRE_CARRIAGE.index(kind), 0)
    if kind in AT_SEA:
        return (1, leg or 1, AT_SEA[kind])
    return (2, ON_DELIVERY.index(kind), 0)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _key(m: Milestone) -> tuple:
    return order_key(m.kind, m.leg)


def check_milestone(shipment: Shipment, kind: MilestoneKind, at: datetime, port: str | None,
                    container: Container | None) -> int | None:
    """R-B2: a milestone is not in the future and keeps the order with those already recorded:
    nothing after it happened earlier, nothing before it later. Returns its leg."""
    if kind is None:
        raise RuleViolation(_l("Choose the milestone."), "kind")
    if at is None:
        raise RuleViolation(_l("Enter when it happened."), "at")
    _check_not_future(at, "at")
    if shipment.is_cancelled:
        raise RuleViolation(_l("This shipment was cancelled."))
    if port is not None and port not in PORT_BY_CODE:
        raise RuleViolation(_l("Unknown port: use its 5-letter UN/LOCODE, for example TWKHH."), "port")
    if container is not None and container.shipment_id != shipment.id:
        raise RuleViolation(_l("This container is not on the shipment."), "container_id")
    if kind == MilestoneKind.LOADED and shipment.legs and port not in (None, shipment.legs[0].load_port):
        raise RuleViolation(_l("Loading is at the first port, %(port)s; at a later port it is a transshipment.",
                               port=shipment.legs[0].load_port), "kind")
    if kind == MilestoneKind.TRANSSHIPPED and len(shipment.legs) < 2:
        raise RuleViolation(_l("A transshipment needs a second leg: add the onward vessel first."), "kind")
    if kind in AT_SEA and shipment.legs and port is None:
        port = _default_port(shipment, kind)
    leg = leg_of(shipment, kind, port)
    if kind in AT_SEA and leg is None:
        raise RuleViolation(_l("%(port)s is not on this shipment's route.", port=port), "port")
    if kind == MilestoneKind.TRANSSHIPPED and leg == 1:
        raise RuleViolation(_l("Loading is at the first port, %(port)s; at a later port it is a transshipment.",
                               port=shipment.legs[0].load_port), "kind")
    key = order_key(kind, leg)
    for other in shipment.milestones:
        if container is not None and other.container_id not in (None, container.id):
            continue
        if other.kind == kind and other.leg == leg and other.container_id == (container.id if container else None):
            raise RuleViolation(_l("%(milestone)s is on record already (%(when)s UTC).", milestone=kind.label,
                                   when=_stamp(other.at)), "kind")
        other_key = _key(other)
        if other_key < key and other.at > at:
            raise RuleViolation(_l("Out of order: %(other)s was recorded later than this (%(when)s UTC).",
                                   other=other.kind.label, when=_stamp(other.at)), "at")
        if other_key > key and other.at < at:
            raise RuleViolation(_l("Out of order: %(other)s was recorded earlier than this (%(when)s UTC).",
                                   other=other.kind.label, when=_stamp(other.at)), "at")
    return leg


def _default_port(shipment: Shipment, kind: MilestoneKind) -> str | None:
    """Without a port, a vessel milestone of a one-leg route is at that leg's port."""
    if len(shipment.legs) != 1:
        return None
    leg = shipment.legs[0]
    return leg.load_port if kind in (MilestoneKind.LOADED, MilestoneKind.DEPARTED) else leg.discharge_port


def record_milestone(actor: User | None, shipment: Shipment, kind: MilestoneKind, at: datetime,
                     port: str | None = None, container: Container | None = None, source: str = Source.HAND,
                     integration: Integration | None = None, external_id: str | None = None) -> Milestone:
    kind = MilestoneKind.get(kind)
    if kind in AT_SEA and port is None and shipment.legs:
        port = _default_port(shipment, kind)
    if port is None and kind in (MilestoneKind.BOOKED, MilestoneKind.GATED_IN, MilestoneKind.STUFFED,
                                 MilestoneKind.PRE_STOWED):
        port = shipment.pol
    if port is None and kind in ON_DELIVERY:
        port = shipment.pod
    leg = check_milestone(shipment, kind, at, port, container)
    milestone = Milestone(kind=kind, at=at, port=port, leg=leg, container=container,
                          container_id=container.id if container else None, source=Source(source),
                          recorded_by_id=actor.id if actor else None,
                          integration_id=integration.id if integration else None, external_id=external_id)
    shipment.milestones.append(milestone)
    _refresh_status(shipment)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "milestone", shipment, {
        "milestone": [None, kind.value], "at": [None, at], "port": [None, port],
        "container": [None, container.number if container else None], "source": [None, source]})
    return milestone


def remove_milestone(actor: User, shipment: Shipment, milestone: Milestone) -> None:
    """A milestone entered by mistake is taken back (the audit keeps it); a feed's are corrected by the feed."""
    if milestone.source == Source.API:
        raise RuleViolation(_l("This milestone came from an event feed: the feed corrects it."))
    shipment.milestones.remove(milestone)
    if milestone.kind == MilestoneKind.BOOKED:
        shipment.confirmed_at = None
    _refresh_status(shipment)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "milestone", shipment, {"milestone": [milestone.kind.value, None],
                                                "at": [milestone.at, None]})


def _refresh_status(shipment: Shipment) -> None:
    """The status is the latest milestone in R-B2's order (requested before any)."""
    if shipment.is_cancelled:
        return
    if not shipment.milestones:
        shipment.status = Status.REQUESTED
        return
    latest = max(shipment.milestones, key=lambda m: (_key(m), m.at))
    shipment.status = Status(latest.kind.value)
    if latest.kind == MilestoneKind.BOOKED and shipment.confirmed_at is None:
        shipment.confirmed_at = latest.at


# --- loading exceptions (rolled, shut out) ---------------------------------------------------------------

EXCEPTION_FIELDS = ("kind", "container_id", "missed_call_id", "reason", "rebooked_call_id", "fee", "fee_currency",
                    "documents_cancelled", "redeclared")


def _exception_values(shipment: Shipment, values: dict) -> dict:
    values = {f: values.get(f) for f in EXCEPTION_FIELDS}
    values["kind"] = ExceptionKind.get(values["kind"])
    if values["kind"] is None:
        raise RuleViolation(_l("Choose what happened."), "kind")
    if values["container_id"] and not any(c.id == values["container_id"] for c in shipment.containers):
        raise RuleViolation(_l("This container is not on the shipment."), "container_id")
    if not (values["reason"] or "").strip():
        raise RuleViolation(_l("Say why the container was left behind."), "reason")
    for field in ("missed_call_id", "rebooked_call_id"):
        if values[field] and db.session.get(VesselCall, values[field]) is None:
            raise RuleViolation(_l("Choose a vessel call from the list."), field)
    fee = values["fee"]
    if fee is not None:
        if not (fee.is_finite() and Decimal("0") <= fee <= Decimal("10000000")):
            raise RuleViolation(_l("Fees are between 0 and 10,000,000."), "fee")
        if values["fee_currency"] not in CURRENCIES:
            raise RuleViolation(_l("Choose the currency."), "fee_currency")
    else:
        values["fee_currency"] = None
    values["documents_cancelled"] = bool(values["documents_cancelled"])
    values["redeclared"] = bool(values["redeclared"])
    values["reason"] = values["reason"].strip()
    return values


def record_exception(actor: User, shipment: Shipment, values: dict) -> LoadingException:
    """R-B2: a rolled or shut-out container, with its handling (re-booked on, fees, documents)."""
    _require_open(shipment)
    values = _exception_values(shipment, values)
    exception = LoadingException(shipment_id=shipment.id, recorded_by_id=actor.id, **values)
    db.session.add(exception)
    shipment.open_exceptions += 1
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "create", exception, {f: [None, v] for f, v in values.items()}, parent=shipment)
    return exception


def update_exception(actor: User, shipment: Shipment, exception: LoadingException, expected_version,
                     values: dict) -> None:
    check_version(exception, expected_version)
    values = _exception_values(shipment, values)
    before = audit.snapshot(exception, EXCEPTION_FIELDS)
    for f, v in values.items():
        setattr(exception, f, v)
    changes = audit.diff(before, audit.snapshot(exception, EXCEPTION_FIELDS))
    if changes:
        db.session.flush()
        audit.record(actor, "update", exception, changes, parent=shipment)


def resolve_exception(actor: User, shipment: Shipment, exception: LoadingException, expected_version) -> None:
    check_version(exception, expected_version)
    if exception.resolved_at is not None:
        raise RuleViolation(_l("This exception was closed already."))
    if exception.customer_told_at is None:
        raise RuleViolation(_l("Tell the customer before closing the exception."))
    exception.resolved_at, exception.resolved_by_id = now(), actor.id
    shipment.open_exceptions = max(0, shipment.open_exceptions - 1)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "resolve", exception, {"resolved_at": [None, exception.resolved_at]}, parent=shipment)


# --- documents and B/L work (R-B1, R-B3, R-B4) --------------------------------------------------------------


def due_at(kind: DocumentKind, call: VesselCall | None) -> datetime | None:
    """When the customer must hand a document in: at the first vessel call's cut-offs (R-B1)."""
    if call is None:
        return None
    if kind == DocumentKind.VGM:
        return call.vgm_cutoff or call.doc_cutoff
    if kind == DocumentKind.DG_DECLARATION:
        # Dangerous goods are declared to the carrier and the port two days ahead of the documents.
        return call.doc_cutoff - timedelta(hours=48) if call.doc_cutoff else None
    return call.doc_cutoff


def require_document(actor: User, shipment: Shipment, kind: str) -> RequiredDocument:
    _require_open(shipment)
    kind = DocumentKind.get(kind)
    if kind is None:
        raise RuleViolation(_l("Choose the document."), "kind")
    exists = db.session.scalar(sa.select(RequiredDocument.id).where(RequiredDocument.shipment_id == shipment.id,
                                                                     RequiredDocument.kind == kind))
    if exists:
        raise RuleViolation(_l("This document is on the list already."), "kind")
    document = RequiredDocument(shipment_id=shipment.id, kind=kind)
    db.session.add(document)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "document", shipment, {"required": [None, kind.value]})
    return document


def receive_document(actor: User, shipment: Shipment, document: RequiredDocument) -> None:
    if document.received_at is not None:
        raise RuleViolation(_l("This document was received already."))
    document.received_at, document.received_by_id = now(), actor.id
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "document", shipment, {"received": [None, document.kind.value]})


def drop_document(actor: User, shipment: Shipment, document: RequiredDocument) -> None:
    if document.received_at is not None:
        raise RuleViolation(_l("A received document stays on record."))
    db.session.delete(document)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "document", shipment, {"required": [document.kind.value, None]})


def _check_fee(fee, currency) -> tuple:
    if fee is None:
        return None, None
    if not (fee.is_finite() and Decimal("0") <= fee <= Decimal("10000000")):
        raise RuleViolation(_l("Fees are between 0 and 10,000,000."), "fee")
    if currency not in CURRENCIES:
        raise RuleViolation(_l("Choose the currency."), "fee_currency")
    return fee, currency


def add_bl_revision(actor: User, shipment: Shipment, kind: str, description: str, fee: Decimal | None,
                    currency: str | None) -> BLRevision:
    """R-B3: a B/L draft or an amendment, with who, when and the fee."""
    _require_open(shipment)
    kind = BLRevisionKind.get(kind)
    if kind is None:
        raise RuleViolation(_l("Choose draft or amendment."), "kind")
    if not (description or "").strip():
        raise RuleViolation(_l("Say what the draft holds or what changed."), "description")
    fee, currency = _check_fee(fee, currency)
    revision = BLRevision(shipment_id=shipment.id, kind=kind, description=description.strip(), fee=fee,
                          fee_currency=currency, by_id=actor.id)
    db.session.add(revision)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "bl", shipment, {"bl": [None, kind.value], "description": [None, description.strip()[:80]],
                                         "fee": [None, fee], "fee_currency": [None, currency if fee is not None else None]})
    return revision


def dispatch_originals(actor: User, shipment: Shipment, courier: str, tracking_no: str, originals: int,
                       addressee: str) -> CourierDispatch:
    """R-B3 (#67): original B/Ls sent by courier; the tracking number is kept."""
    if not shipment.bl_no:
        raise RuleViolation(_l("Enter the B/L number first."))
    if not (courier or "").strip():
        raise RuleViolation(_l("Enter the courier."), "courier")
    tracking_no = re.sub(r"\s+", "", tracking_no or "").upper()
    if not re.fullmatch(r"[A-Z0-9-]{6,40}", tracking_no):
        raise RuleViolation(_l("Enter the courier's tracking number."), "tracking_no")
    if not 1 <= (originals or 0) <= 6:
        raise RuleViolation(_l("Between 1 and 6 originals."), "originals")
    dispatch = CourierDispatch(shipment_id=shipment.id, courier=courier.strip(), tracking_no=tracking_no,
                               originals=originals, addressee=(addressee or "").strip()[:200], sent_at=now(),
                               by_id=actor.id)
    db.session.add(dispatch)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "courier", shipment, {"tracking_no": [None, f"{dispatch.courier} {tracking_no}"]})
    return dispatch


def request_free_time(actor: User, shipment: Shipment, kind: str, days: int, reference: str = "") -> FreeTimeRequest:
    """R-B4: free time goes to the carrier as a request; the carrier's approved days rule."""
    _require_open(shipment)
    kind = FreeTimeKind.get(kind)
    if kind is None:
        raise RuleViolation(_l("Choose the kind of free time."), "kind")
    if not 1 <= (days or 0) <= 90:
        raise RuleViolation(_l("Between 1 and 90 days."), "requested_days")
    request = FreeTimeRequest(shipment_id=shipment.id, kind=kind, requested_days=days,
                              carrier_reference=(reference or "").strip()[:40], requested_by_id=actor.id)
    db.session.add(request)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "free_time", shipment, {"requested_days": [None, days], "kind": [None, kind]})
    return request


def decide_free_time(actor: User, shipment: Shipment, request: FreeTimeRequest, expected_version,
                     approved_days: int | None) -> None:
    """The carrier answered: the days it approved (none: refused). Those days rule (R-B4)."""
    check_version(request, expected_version)
    if request.state != RequestState.PENDING:
        raise RuleViolation(_l("The carrier's answer is on record already."))
    if approved_days is not None and not 0 <= approved_days <= 90:
        raise RuleViolation(_l("Between 0 and 90 days."), "approved_days")
    request.approved_days = approved_days
    request.state = RequestState.APPROVED if approved_days else RequestState.REFUSED
    request.decided_at, request.decided_by_id = now(), actor.id
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "free_time", shipment, {"approved_days": [None, approved_days],
                                                "state": [RequestState.PENDING, request.state]})


def request_space(actor: User, shipment: Shipment, reason: str) -> SpaceRequest:
    """R-B1: an urgent space request (優先放艙) to the carrier."""
    _require_open(shipment)
    if not (reason or "").strip():
        raise RuleViolation(_l("Say why the space is urgent."), "reason")
    if any(r.state == RequestState.PENDING for r in _space_requests(shipment)):
        raise RuleViolation(_l("A space request is waiting for the carrier already."))
    request = SpaceRequest(shipment_id=shipment.id, reason=reason.strip(), requested_by_id=actor.id)
    db.session.add(request)
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "space", shipment, {"space_request": [None, reason.strip()[:80]]})
    return request


def _space_requests(shipment: Shipment) -> list[SpaceRequest]:
    return db.session.scalars(sa.select(SpaceRequest).where(SpaceRequest.shipment_id == shipment.id)).all()


def decide_space(actor: User, shipment: Shipment, request: SpaceRequest, expected_version, granted: bool,
                 outcome: str) -> None:
    check_version(request, expected_version)
    if request.state != RequestState.PENDING:
        raise RuleViolation(_l("The carrier's answer is on record already."))
    request.state = RequestState.APPROVED if granted else RequestState.REFUSED
    request.outcome = (outcome or "").strip()[:2000]
    request.decided_at, request.decided_by_id = now(), actor.id
    _touch(shipment)
    db.session.flush()
    audit.record(actor, "space", shipment, {"state": [RequestState.PENDING, request.state]})


# --- status links (R-S1) ------------------------------------------------------------------------------

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def link_token(link: StatusLink, secret_key: str) -> str:
    """The link's token: 192 bits derived from the link's random nonce with the server's secret key.
    Neither the token nor anything that gives it away without that key is stored."""
    mac = hmac.new(secret_key.encode(), b"status-link:" + link.nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(actor: User, shipment: Shipment, secret_key: str, note: str = "",
                expires_on: date | None = None) -> tuple[StatusLink, str]:
    """R-S1: an unguessable link (128 random bits from `secrets`, 192 bits of token), optionally expiring."""
    _require_open(shipment)
    if expires_on is not None and expires_on <= _today():
        raise RuleViolation(_l("An expiry date lies in the future."), "expires_on")
    link = StatusLink(shipment_id=shipment.id, nonce=secrets.token_hex(16), note=(note or "").strip()[:120],
                      created_by_id=actor.id if actor else None,
                      expires_at=datetime.combine(expires_on + timedelta(days=1), datetime.min.time())
                      if expires_on else None)
    token = link_token(link, secret_key)
    link.digest = token_digest(token)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "link", shipment, {"status_link": [None, f"#{link.id} {link.note}".strip()],
                                           "expires_at": [None, link.expires_at]})
    return link, token


def revoke_link(actor: User, shipment: Shipment, link: StatusLink) -> None:
    if link.revoked_at is not None:
        raise RuleViolation(_l("This link was revoked already."))
    link.revoked_at, link.revoked_by_id = now(), actor.id
    db.session.flush()
    audit.record(actor, "link", shipment, {"status_link": [f"#{link.id} {link.note}".strip(), None]})


def live_link(shipment: Shipment, secret_key: str, moment: datetime | None = None) -> tuple[StatusLink, str] | None:
    """The newest link of the shipment that still works, with its token."""
    moment = moment or now()
    links = db.session.scalars(sa.select(StatusLink).where(StatusLink.shipment_id == shipment.id)
                               .order_by(StatusLink.id.desc())).all()
    for link in links:
        if link.is_live(moment):
            return link, link_token(link, secret_key)
    return None


def record_view(link_id: int, moment: datetime) -> None:
    """The page was opened: counted and remembered (last seen), in a job or a POST, never a GET."""
    db.session.execute(sa.update(StatusLink).where(StatusLink.id == link_id).values(
        views=StatusLink.views + 1,
        last_seen_at=sa.case((StatusLink.last_seen_at > moment, StatusLink.last_seen_at), else_=moment)))


# --- notices to customers (R-S4) ----------------------------------------------------------------------------


def email_recipients(customer: Customer) -> list[Contact]:
    return [c for c in customer.contacts if c.email]


def _make_notice(actor: User, customer: Customer, kind: NoticeKind, subject: str, body: str, shipments: list,
                 email_ready: bool, **links) -> Notice:
    recipients = email_recipients(customer) if email_ready else []
    notice = Notice(customer_id=customer.id, kind=kind, locale=str(customer.preferred_locale), subject=subject[:200],
                    body=body, state=NoticeState.QUEUED if recipients else NoticeState.TO_SEND,
                    channel=Channel.EMAIL if recipients else None, created_by_id=actor.id, shipments=list(shipments),
                    messages=[OutboxMessage(to_address=c.email, to_name=c.name or "", state=DeliveryState.QUEUED,
                                            next_attempt_at=now()) for c in recipients], **links)
    db.session.add(notice)
    db.session.flush()
    for shipment in shipments:
        audit.record(actor, "notice", shipment, {"notice": [None, kind.value], "notice_state": [None, notice.state]})
    return notice


def notify_schedule_change(actor: User, change: ScheduleChange, drafts: list, email_ready: bool) -> list[Notice]:
    """R-S4: one notice per customer on the changed call, in the customer's language; e-mail goes
    through the outbox, the rest waits to be sent by hand. `drafts` come from documents.py, with
    the status links they name created beforehand (ensure_links)."""
    if not can(actor, "shipments.notify"):
        raise RuleViolation(_l("Only an agent or a supervisor tells customers."))
    if change.notified_at is not None:
        raise RuleViolation(_l("The customers were told about this change already."))
    if not drafts:
        raise RuleViolation(_l("No active shipment is on this vessel call: nobody to tell."))
    notices = [_make_notice(actor, d.customer, NoticeKind.SCHEDULE_CHANGE, d.subject, d.body, d.shipments,
                            email_ready, schedule_change_id=change.id) for d in drafts]
    change.notified_at, change.notified_by_id = now(), actor.id
    db.session.flush()
    return notices


def ensure_links(actor: User, shipments: list[Shipment], secret_key: str) -> dict[int, str]:
    """A live status link for every shipment (made where none works any more): {shipment id: token}."""
    tokens = {}
    for shipment in shipments:
        found = live_link(shipment, secret_key)
        if found is None:
            found = create_link(actor, shipment, secret_key, note=str(_l("made for a notice")))
        tokens[shipment.id] = found[1]
    return tokens


def tell_customer(actor: User, shipment: Shipment, exception: LoadingException, draft, email_ready: bool) -> Notice:
    """R-B2: the customer is told about a rolled or shut-out container."""
    if exception.customer_told_at is not None:
        raise RuleViolation(_l("The customer was told already."))
    notice = _make_notice(actor, shipment.customer, NoticeKind.EXCEPTION, draft.subject, draft.body, [shipment],
                          email_ready, exception_id=exception.id)
    exception.customer_told_at = now()
    db.session.flush()
    return notice


def mark_sent_by_hand(actor: User, notice: Notice, expected_version, channel: str) -> None:
    """A notice copied into WeChat, LINE or read out on the phone: who sent it, when and how."""
    check_version(notice, expected_version)
    channel = Channel.get(channel)
    if channel is None:
        raise RuleViolation(_l("Choose how the customer was told."), "channel")
    if notice.state == NoticeState.SENT:
        raise RuleViolation(_l("This notice was sent already."))
    notice.state, notice.channel, notice.sent_at, notice.sent_by_id = NoticeState.SENT, channel, now(), actor.id
    for message in notice.messages:
        if message.state == DeliveryState.QUEUED:
            message.state, message.last_error = DeliveryState.FAILED, "sent by hand instead"
    db.session.flush()
    for shipment in notice.shipments:
        audit.record(actor, "notice", shipment, {"notice_state": [None, NoticeState.SENT], "channel": [None, channel]})


def settle_notice(notice: Notice) -> None:
    """A notice's state once its e-mails are done: sent when any reached a mail server, else failed."""
    states = {m.state for m in notice.messages}
    if not states or states & {DeliveryState.QUEUED, DeliveryState.SENDING} or notice.state != NoticeState.QUEUED:
        return
    if DeliveryState.SENT in states:
        notice.state = NoticeState.SENT
        notice.sent_at = max(m.sent_at for m in notice.messages if m.sent_at)
    else:
        notice.state = NoticeState.FAILED


# --- integrations (the DCSA event feed) ------------------------------------------------------------------------


def create_integration(actor: User, name: str, carrier: str | None) -> tuple[Integration, str]:
    """An API token for an operations system or a carrier feed: shown once, kept as a digest."""
    if not can(actor, "shipments.integrations"):
        raise RuleViolation(_l("Only an admin manages integrations."))
    if not (name or "").strip():
        raise RuleViolation(_l("Name the integration."), "name")
    if carrier and carrier not in CARRIER_BY_CODE:
        raise RuleViolation(_l("Choose the carrier."), "carrier")
    token = "pst_" + secrets.token_urlsafe(32)
    integration = Integration(name=name.strip()[:80], carrier=carrier or None, token_prefix=token[:12],
                              digest=token_digest(token), created_by_id=actor.id)
    db.session.add(integration)
    db.session.flush()
    audit.record(actor, "create", integration, {"name": [None, integration.name], "carrier": [None, carrier]})
    return integration, token


def revoke_integration(actor: User, integration: Integration) -> None:
    if not can(actor, "shipments.integrations"):
        raise RuleViolation(_l("Only an admin manages integrations."))
    if integration.revoked_at is not None:
        raise RuleViolation(_l("This token was revoked already."))
    integration.revoked_at, integration.revoked_by_id = now(), actor.id
    db.session.flush()
    audit.record(actor, "revoke", integration, {"revoked_at": [None, integration.revoked_at]})


def authenticate_integration(token: str | None) -> Integration | None:
    """The live integration whose token this is; None for a missing, wrong or revoked token."""
    if not token or len(token) > 200:
        return None
    found = db.session.scalar(sa.select(Integration).where(Integration.digest == token_digest(token)))
    if found is None or found.revoked_at is not None:
        return None
    return found
