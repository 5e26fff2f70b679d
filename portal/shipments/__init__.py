"""Shipments: vessel calls, bookings, milestones, documents and B/L work, the customers' status
pages and the notices that tell them of schedule changes (R-B1 to R-B4, R-S1 to R-S4)."""
from datetime import timedelta

from flask_babel import get_locale, lazy_gettext as _l

from portal.core import audit, links, nav, search, timeline
from portal.core.clock import now
from portal.core.policy import can
from portal.shipments import api, dcsa, public, queries, rules, tasks  # noqa: F401  (tasks: the jobs)
from portal.shipments.models import ChangeReason, MilestoneKind, NoticeState, Status
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
    links.add_subject_kind(app, links.SubjectKind(
        name="shipment", label=_l("Shipment"), find=queries.find_subject, describe=queries.describe_subjects,
        hint=_l("Our shipment number, the booking or the B/L number")))
    links.add_panel(app, "quote", quote_panel)
    audit.describe_values(app, "reason", ChangeReason)
