"""Vessel times live in the port's own time zone: typed and shown there, with the zone named,
and stored as naive UTC like every other timestamp."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_timezone_gmt

from portal.reference import port_zone

UTC = ZoneInfo("UTC")


class NonexistentTime(ValueError):
    """A local time the clocks skip (the spring-forward hour)."""


def port_to_utc(local: datetime | None, port: str | None) -> datetime | None:
    """A time typed in the port's local time, as stored naive UTC. A time inside the hour the
    clocks skip is refused rather than silently moved."""
    if local is None:
        return None
    zone = ZoneInfo(port_zone(port))
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(local)
    return utc.replace(tzinfo=None)


def utc_to_port(utc: datetime | None, port: str | None) -> datetime | None:
    """A stored UTC time in the port's local time (naive), for a form field."""
    if utc is None:
        return None
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(port_zone(port))).replace(tzinfo=None)


def zone_offset(utc: datetime, port: str | None, locale: str = "en") -> str:
    """The port's UTC offset at that moment, as "GMT+08:00"."""
    aware = utc.replace(tzinfo=UTC).astimezone(ZoneInfo(port_zone(port)))
    return get_timezone_gmt(aware, locale=locale)


def format_port_time(utc: datetime | None, port: str | None, locale: str = "en", weekday: bool = True) -> str:
    """A stored UTC time as the port's local date and time: in words with the weekday for people
    and documents ("Mon, Mar 10, 2025 14:00"), or as in every table ("2025-03-10 14:00", the
    same in each language so that columns line up) when weekday is False."""
    if utc is None:
        return ""
    aware = utc.replace(tzinfo=UTC).astimezone(ZoneInfo(port_zone(port)))
    if not weekday:
        return aware.strftime("%Y-%m-%d %H:%M")
    day = format_skeleton("yMMMEd", aware, locale=locale)
    return f"{day} {format_time(aware, 'HH:mm', locale=locale)}"
