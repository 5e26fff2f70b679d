"""Shipments: vessel calls, bookings, milestones, documents and B/L work, the customers' status
pages and the notices that tell them of schedule changes (R-B1 to R-B4, R-S1 to R-S4)."""
from datetime import timedelta

from flask_babel import get_locale, lazy_gettext as _l

from portal.core import audit, links, nav, search, timeline
from portal.core.clock import now
from portal.core.policy import can
from portal.customers.signals import customers_reassigned
from portal.shipments import api, dcsa, public, queries, rules, tasks  # noqa: F401  (tasks: the jobs)
from portal.shipments.models import (BLRevisionKind, ChangeReason, Channel, DocumentKind, ExceptionKind, FreeTimeKind,
                                     MilestoneKind, NoticeKind, NoticeState, RequestState, Source, Status)
from portal.shipments.times import format_port_time, utc_to_port, zone_offset
from portal.shipments.views import bp, quote_panel


def _nav_count(user):
    """Agents and supervisors: schedule changes of the last fortnight nobody has told customers about."""
    if can(user, "shipments.notify"):
        return nav.NavCount(queries.changes_to_tell(now() - timedelta(days=14)),
                            str(_l("Schedule changes to tell customers about")))
    return None


def port_time(utc, port, lang=None, weekday=True) -> str:
    return format_port_time(utc, port, lang or str(get_locale()), weekday)


def port_offset(utc, port, lang=None) -> str:
    return zone_offset(utc, port, lang or str(get_locale())) if utc else ""


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.jinja_env.globals.update(port_time=port_time, port_offset=port_offset, utc_to_port=utc_to_port,
                                 ShipmentStatus=Status, MilestoneKind=MilestoneKind, NoticeState=NoticeState,
                                 dcsa_code=lambda kind: dcsa.DCSA_CODES.get(kind, ""))
    timeline.add_source(app, queries.timeline_entries, kind="shipment", label=_l("Shipments"))
    for source in queries.search_sources():
        search.register(app, source)
    nav.add_counter(app, "shipments", _nav_count)
    customers_reassigned.connect(rules.on_customers_reassigned)
    links.add_subject_kind(app, links.SubjectKind(
        name="shipment", label=_l("Shipment"), find=queries.find_subject, describe=queries.describe_subjects,
        hint=_l("Our shipment number, the booking or the B/L number")))
    links.add_panel(app, "quote", quote_panel)
    _describe_changes(app)


def _describe_changes(app) -> None:
    """How a shipment's, a call's, a container's and an exception's changes read (macros/audit.html)."""
    from portal.shipments import forms
    labels = audit.form_labels(
        forms.ShipmentForm, forms.CallForm, forms.LegForm, forms.ContainerForm, forms.MilestoneForm,
        forms.ExceptionForm, forms.DocumentForm, forms.BLRevisionForm, forms.CourierForm, forms.FreeTimeForm,
        forms.SpaceForm, forms.LinkForm, forms.IntegrationForm) | {
        "leg": _l("Route leg"), "milestone": _l("Milestone"), "at": _l("Time"), "required": _l("Document required"),
        "received": _l("Document received"), "bl": _l("B/L"), "notice": _l("Notice"), "notice_state": _l("Notice"),
        "channel": _l("Sent by"), "status_link": _l("Status link"), "space_request": _l("Urgent space"),
        "source": _l("Entered"), "status": _l("Status"), "state": _l("Status"), "confirmed_at": _l("Confirmed"),
        "revoked_at": _l("Revoked"), "resolved_at": _l("Closed"), "expires_at": _l("Expires"),
        "requested_days": _l("Days requested"), "approved_days": _l("Days approved"), "quote": _l("Quote"),
        "customer_id": _l("Customer"), "contact_id": _l("Contact"), "reason": _l("Reason"), "number": _l("Number"),
        "fee": _l("Fee"), "fee_currency": _l("Currency"), "description": _l("What it holds or what changed"),
        "container": _l("Container"), "port": _l("Port"), "kind": _l("Kind"), "tracking_no": _l("Tracking number"),
        "container_id": _l("Container"), "missed_call_id": _l("Missed vessel"), "rebooked_call_id": _l("Rebooked on"),
        "documents_cancelled": _l("Documents cancelled"), "redeclared": _l("Declared again"), "name": _l("Name"),
        "carrier": _l("Carrier")}
    for table in ("shipment", "vessel_call", "shipment_container", "loading_exception", "api_integration"):
        audit.describe_fields(app, labels, table)
    values = {"milestone": MilestoneKind, "status": Status, "reason": ChangeReason, "source": Source,
              "required": DocumentKind, "received": DocumentKind, "bl": BLRevisionKind, "notice": NoticeKind,
              "notice_state": NoticeState, "channel": Channel, "state": RequestState, "kind": FreeTimeKind}
    for field, how in values.items():
        audit.describe_values(app, field, how, "shipment")
    audit.describe_values(app, "kind", ExceptionKind, "loading_exception")
    audit.describe_values(app, "reason", ChangeReason, "vessel_call")
