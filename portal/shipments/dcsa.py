"""DCSA Track & Trace (2.2) events as milestones: the codes underneath R-B2's plain labels, and
the import of events an operations system or a carrier feed posts (all of them or none).

An event names its shipment by booking (BKG) or B/L (TRD) reference, or by container number;
only actual events (eventClassifierCode ACT) become milestones. Known DCSA codes that are not
one of the portal's milestones (a B/L draft, an empty container picked up) are acknowledged and
skipped; a code DCSA does not have is an error."""
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core.rules import RuleViolation
from portal.extensions import db
from portal.shipments import rules
from portal.shipments.models import ACTIVE, Container, MilestoneKind, Shipment, Source

EVENT_TYPES = ("SHIPMENT", "TRANSPORT", "EQUIPMENT")
CLASSIFIERS = ("ACT", "EST", "PLN")
EQUIPMENT_CODES = frozenset({"LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD"})
TRANSPORT_CODES = frozenset({"ARRI", "DEPA"})
SHIPMENT_CODES = frozenset({"RECE", "DRFT", "PENA", "PENU", "PENC", "CONF", "REJE", "APPR", "ISSU", "SURR", "SUBM",
                            "VOID", "REQS", "CMPL", "HOLD", "RELS", "CANC"})
DOCUMENT_TYPES = frozenset({"CBR", "BKG", "SHI", "SRM", "TRD", "ARN", "VGM", "CAS", "CUS", "DGD", "OOG"})
MAX_EVENTS = 500

# The milestones' DCSA codes, as shown to staff beside the plain labels.
DCSA_CODES = {
    MilestoneKind.BOOKED: "SHIPMENT CONF · BKG",
    MilestoneKind.PRE_STOWED: "",
    MilestoneKind.STUFFED: "EQUIPMENT STUF",
    MilestoneKind.GATED_IN: "EQUIPMENT GTIN",
    MilestoneKind.LOADED: "EQUIPMENT LOAD",
    MilestoneKind.DEPARTED: "TRANSPORT DEPA",
    MilestoneKind.TRANSSHIPPED: "EQUIPMENT LOAD",
    MilestoneKind.ARRIVED: "TRANSPORT ARRI",
    MilestoneKind.DISCHARGED: "EQUIPMENT DISC",
    MilestoneKind.BL_RELEASED: "SHIPMENT RELS · TRD",
    MilestoneKind.RELEASED: "SHIPMENT RELS · CUS",
    MilestoneKind.DELIVERED: "EQUIPMENT GTOT",
}


@dataclass
class EventError:
    index: int
    event_id: str | None
    field: str
    message: str

    def as_json(self) -> dict:
        return {"index": self.index, "eventID": self.event_id, "field": self.field, "message": str(self.message)}


class ImportRefused(Exception):
    """Some events could not be taken: none were (the caller rolls back)."""

    def __init__(self, errors: list[EventError]):
        super().__init__(f"{len(errors)} events refused")
        self.errors = errors


@dataclass
class Outcome:
    accepted: int = 0
    duplicates: int = 0
    skipped: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "skipped": self.skipped}


def _text(event: dict, name: str, limit: int = 100) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValueError(name)
    return value.strip()


def _location(event: dict) -> str | None:
    for holder in (event.get("eventLocation"), event.get("transportCall")):
        if isinstance(holder, dict):
            code = holder.get("UNLocationCode")
            if code is None and isinstance(holder.get("location"), dict):
                code = holder["location"].get("UNLocationCode")
            if isinstance(code, str) and code.strip():
                return code.strip().upper()
    return None


def _references(event: dict) -> dict[str, str]:
    """Booking (BKG) and B/L (TRD) references however the event carries them."""
    found = {}
    for ref in event.get("documentReferences") or []:
        if isinstance(ref, dict) and isinstance(ref.get("documentReferenceValue"), str):
            found.setdefault(str(ref.get("documentReferenceType")), ref["documentReferenceValue"])
    if isinstance(event.get("carrierBookingReference"), str):
        found.setdefault("BKG", event["carrierBookingReference"])
    if isinstance(event.get("transportDocumentReference"), str):
        found.setdefault("TRD", event["transportDocumentReference"])
    if event.get("eventType") == "SHIPMENT" and isinstance(event.get("documentID"), str):
        found.setdefault(str(event.get("documentTypeCode")), event["documentID"])
    return {k: rules.normal_reference(v) for k, v in found.items() if v}


def _moment(value) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("eventDateTime")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("eventDateTime")
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Parsed:
    index: int
    event_id: str
    kind_code: tuple            # (eventType, code, documentTypeCode or None)
    at: datetime
    port: str | None
    container: str | None
    references: dict
    actual: bool


def parse(payload) -> list[Parsed]:
    """Check the shape and codes of every event; ImportRefused lists every problem found."""
    if isinstance(payload, dict) and isinstance(payload.get("events"), list):
        payload = payload["events"]
    elif isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or not payload:
        raise ImportRefused([EventError(0, None, "body", _l("Send one DCSA event or a list of them."))])
    if len(payload) > MAX_EVENTS:
        raise ImportRefused([EventError(0, None, "body", _l("At most %(n)d events per request.", n=MAX_EVENTS))])
    parsed, errors = [], []
    for index, event in enumerate(payload):
        try:
            parsed.append(_parse_one(index, event))
        except _Refused as refused:
            errors.append(EventError(index, refused.event_id, refused.field, refused.message))
    if errors:
        raise ImportRefused(errors)
    return parsed


class _Refused(Exception):
    def __init__(self, event_id, field, message):
        super().__init__(field)
        self.event_id, self.field, self.message = event_id, field, message


def _parse_one(index: int, event) -> Parsed:
    if not isinstance(event, dict):
        raise _Refused(None, "event", _l("An event is a JSON object."))
    event_id = event.get("eventID") if isinstance(event.get("eventID"), str) else None
    if not event_id or len(event_id) > 100:
        raise _Refused(None, "eventID", _l("Every event needs its eventID (at most 100 characters)."))
    event_type = event.get("eventType")
    if event_type not in EVENT_TYPES:
        raise _Refused(event_id, "eventType", _l("eventType is SHIPMENT, TRANSPORT or EQUIPMENT."))
    classifier = event.get("eventClassifierCode")
    if classifier not in CLASSIFIERS:
        raise _Refused(event_id, "eventClassifierCode", _l("eventClassifierCode is ACT, EST or PLN."))
    try:
        at = _moment(event.get("eventDateTime"))
    except (ValueError, TypeError):
        raise _Refused(event_id, "eventDateTime", _l("eventDateTime is an ISO 8601 time with its UTC offset, for "
                                                     "example 2025-03-10T14:00:00+08:00.")) from None
    document_type = None
    if event_type == "EQUIPMENT":
        code_field, codes = "equipmentEventTypeCode", EQUIPMENT_CODES
    elif event_type == "TRANSPORT":
        code_field, codes = "transportEventTypeCode", TRANSPORT_CODES
    else:
        code_field, codes = "shipmentEventTypeCode", SHIPMENT_CODES
        document_type = event.get("documentTypeCode")
        if document_type not in DOCUMENT_TYPES:
            raise _Refused(event_id, "documentTypeCode", _l("Unknown documentTypeCode."))
    code = event.get(code_field)
    if code not in codes:
        raise _Refused(event_id, code_field, _l("Unknown event code %(code)s for a %(type)s event.",
                                                code=str(code)[:10], type=event_type))
    container = None
    if event_type == "EQUIPMENT":
        reference = event.get("equipmentReference")
        if reference is not None:
            try:
                container = rules.normal_container_number(reference if isinstance(reference, str) else "")
            except RuleViolation:
                raise _Refused(event_id, "equipmentReference", _l("equipmentReference is not a valid container "
                                                                  "number (ISO 6346).")) from None
    port = _location(event)
    if port is not None and (len(port) != 5 or not port.isalnum()):
        raise _Refused(event_id, "UNLocationCode", _l("A UN/LOCODE is five letters, for example TWKHH."))
    try:
        references = _references(event)
    except (TypeError, AttributeError):
        raise _Refused(event_id, "documentReferences", _l("documentReferences is a list of references.")) from None
    return Parsed(index, event_id, (event_type, code, document_type), at, port, container, references,
                  classifier == "ACT")


def milestone_kind(parsed: Parsed, shipment: Shipment) -> MilestoneKind | None:
    """The portal's milestone for an actual DCSA event, or None when it is not one of them."""
    event_type, code, document_type = parsed.kind_code
    first_port = shipment.legs[0].load_port if shipment.legs else shipment.pol
    if event_type == "SHIPMENT":
        if code == "CONF" and document_type == "BKG":
            return MilestoneKind.BOOKED
        if code == "RELS" and document_type == "TRD":
            return MilestoneKind.BL_RELEASED
        if code == "RELS" and document_type in ("CUS", "ARN", "CAS"):
            return MilestoneKind.RELEASED
        return None
    if event_type == "TRANSPORT":
        return MilestoneKind.DEPARTED if code == "DEPA" else MilestoneKind.ARRIVED
    if code == "STUF":
        return MilestoneKind.STUFFED
    if code == "GTIN":
        return MilestoneKind.GATED_IN if parsed.port in (None, first_port) else None
    if code == "LOAD":
        return MilestoneKind.LOADED if parsed.port in (None, first_port) else MilestoneKind.TRANSSHIPPED
    if code == "DISC":
        return MilestoneKind.DISCHARGED
    if code == "GTOT":
        return MilestoneKind.DELIVERED if parsed.port not in (None, first_port) else None
    return None


def find_shipment(parsed: Parsed, carrier: str | None) -> tuple[Shipment | None, Container | None]:
    """The shipment an event is about: by booking or B/L reference, else by container number."""
    select = sa.select(Shipment).where(Shipment.status.in_(ACTIVE))
    if carrier:
        select = select.where(Shipment.carrier == carrier)
    shipment = None
    for kind, column in (("BKG", Shipment.booking_no), ("TRD", Shipment.bl_no)):
        if parsed.references.get(kind):
            shipment = db.session.scalars(select.where(column == parsed.references[kind])
                                          .order_by(Shipment.id.desc()).limit(1)).first()
            if shipment:
                break
    container = None
    if parsed.container:
        if shipment is None:
            shipment = db.session.scalars(select.join(Container, Container.shipment_id == Shipment.id)
                                          .where(Container.number == parsed.container)
                                          .order_by(Shipment.id.desc()).limit(1)).first()
        if shipment is not None:
            container = next((c for c in shipment.containers if c.number == parsed.container), None)
    return shipment, container


def import_events(integration, payload) -> Outcome:
    """Take every event, in time order, or none: the first problem of each event is reported."""
    from portal.shipments.models import Milestone

    events = parse(payload)
    outcome, errors = Outcome(), []
    seen = set(db.session.scalars(sa.select(Milestone.external_id).where(
        Milestone.integration_id == integration.id,
        Milestone.external_id.in_([e.event_id for e in events]))))
    for event in sorted(events, key=lambda e: (e.at, e.index)):
        if event.event_id in seen:
            outcome.duplicates += 1
            continue
        seen.add(event.event_id)
        if not event.actual:
            outcome.skipped.append({"eventID": event.event_id, "reason": "only actual (ACT) events are milestones"})
            continue
        shipment, container = find_shipment(event, integration.carrier)
        if shipment is None:
            errors.append(EventError(event.index, event.event_id, "documentReferences",
                                     _l("No active shipment has this booking, B/L or container number.")))
            continue
        if event.container and container is None:
            errors.append(EventError(event.index, event.event_id, "equipmentReference",
                                     _l("This container is not on the shipment.")))
            continue
        kind = milestone_kind(event, shipment)
        if kind is None:
            outcome.skipped.append({"eventID": event.event_id, "reason": "not a milestone the portal tracks"})
            continue
        try:
            rules.record_milestone(None, shipment, kind, event.at, port=event.port, container=container,
                                   source=Source.API, integration=integration, external_id=event.event_id)
        except RuleViolation as refusal:
            errors.append(EventError(event.index, event.event_id, refusal.field or "event", refusal.message))
            continue
        outcome.accepted += 1
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.index))
    integration.events += outcome.accepted
    return outcome
