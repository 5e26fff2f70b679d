"""The iCalendar feed of a user's visits (RFC 5545, through the `icalendar` library): what a
calendar app subscribed to the user's private address reads. Times are in UTC (every calendar
app shows them in its own zone); titles are in the user's language."""
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import get_locale

from portal.visits.models import VisitState


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _name(customer, chinese: bool) -> str:
    return (customer.name_zh if chinese else customer.name_en) or customer.display_name


def calendar_of(user, visits, config, moment: datetime) -> bytes:
    """The VCALENDAR of these visits (planned and done; cancelled ones as cancelled events)."""
    from icalendar import Calendar, Event   # (only the feed needs it: a web worker loads it on its first feed)
    base = config.get("PORTAL_BASE_URL") or ""
    host = urlsplit(base).hostname or "cs-portal"
    chinese = str(get_locale()).startswith("zh")
    calendar = Calendar()
    calendar.add("prodid", "-//Customer Service Portal//Visits//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Visits of %(name)s", name=user.display_name))
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.id}@{host}")
        event.add("dtstamp", _aware(moment))
        event.add("dtstart", _aware(visit.starts_at))
        event.add("dtend", _aware(visit.ends_at))
        event.add("sequence", visit.version)
        event.add("summary", _("Visit: %(customer)s", customer=_name(visit.customer, chinese)))
        if visit.place:
            event.add("location", visit.place)
        lines = [_("Purpose: %(purpose)s", purpose=visit.purpose.label)]
        if visit.contact is not None:
            lines.append(_("Contact person: %(name)s", name=visit.contact.name))
        if visit.agenda:
            lines.append(visit.agenda)
        event.add("description", "\n".join(lines))
        event.add("status", {VisitState.CANCELLED: "CANCELLED", VisitState.DONE: "CONFIRMED"}.get(
            visit.state, "CONFIRMED"))
        if base:
            event.add("url", f"{base}/visits/calendar/{visit.id}")
        calendar.add_component(event)
    return calendar.to_ical()
