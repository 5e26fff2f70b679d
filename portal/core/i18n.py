"""Locale and time-zone choice, and locale-aware formatting for templates."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import force_locale as babel_force_locale, format_date, get_locale, get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.config import LANGUAGES
from portal.core.choices import Choice


class Language(Choice):
    """The portal's languages, named in the reader's language (the header switch uses native names)."""
    EN = "en", _l("English")
    ZH_HANT = "zh_Hant", _l("Traditional Chinese")
    ZH_HANS = "zh_Hans", _l("Simplified Chinese")

# Browser language tags -> the portal's locales. Taiwan, Hong Kong and Macau read
# Traditional; the mainland and Singapore read Simplified.
_BROWSER_TAGS = {
    "zh-tw": "zh_Hant", "zh-hk": "zh_Hant", "zh-mo": "zh_Hant", "zh-hant": "zh_Hant",
    "zh-cn": "zh_Hans", "zh-sg": "zh_Hans", "zh-hans": "zh_Hans", "zh": "zh_Hans",
}


def locale_from_browser() -> str | None:
    for tag, _quality in request.accept_languages:
        tag = tag.lower().replace("_", "-")
        if tag.startswith("en"):
            return "en"
        if tag in _BROWSER_TAGS:
            return _BROWSER_TAGS[tag]
        # zh-Hant-TW, zh-Hans-CN and the like
        for prefix in ("zh-hant", "zh-hans"):
            if tag.startswith(prefix + "-"):
                return _BROWSER_TAGS[prefix]
    return None


def select_locale() -> str:
    """`?lang=` for this request only, then the user's setting, then the session's choice
    (before login), then the browser. Reading a page never changes what is stored."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return locale_from_browser() or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["PORTAL_TIMEZONE"]


def local_to_utc(local: datetime | None) -> datetime | None:
    """A date-time the user typed in their own time zone, as the naive UTC the database stores."""
    if local is None:
        return None
    aware = local.replace(tzinfo=ZoneInfo(select_timezone()))
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def utc_to_local(utc: datetime | None) -> datetime | None:
    """A stored naive UTC date-time in the user's time zone, for a form field."""
    if utc is None:
        return None
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(select_timezone())).replace(tzinfo=None)


def html_lang() -> str:
    """BCP 47 tag for <html lang>, so fonts and screen readers pick the right script."""
    return {"zh_Hant": "zh-Hant-TW", "zh_Hans": "zh-Hans-CN"}.get(str(get_locale()), "en")


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return Locale.parse(str(get_locale())).territories.get(code, code)


# Decimals a price is written with: the ISO 4217 minor units, except that Taiwan dollars are
# quoted in whole dollars (as are yen).
CURRENCY_DIGITS = {"TWD": 0, "JPY": 0, "KRW": 0, "VND": 0, "IDR": 0}


def money(amount: Decimal | None, currency: str | None) -> str:
    """An amount with its ISO code, never a symbol ("$" is a different currency in Taipei, Hong
    Kong and New York), grouped by thousands, with the currency's own decimals."""
    if amount is None:
        return ""
    currency = currency or "USD"
    digits = CURRENCY_DIGITS.get(currency, 2)
    value = Decimal(amount).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return f"{currency}\u00a0{value:,.{digits}f}"


def _local(value: datetime) -> datetime:
    """A stored naive UTC datetime in the viewer's zone (the zone resolved once per request)."""
    return value.replace(tzinfo=UTC).astimezone(_viewer_zone())


def _viewer_zone() -> ZoneInfo:
    zone = _zone.get()
    if zone is None:
        zone = ZoneInfo(select_timezone()) if has_request_context() else ZoneInfo("UTC")
        _zone.set(zone)
    return zone


def when(value: datetime | None, fmt: str = "table") -> str:
    """A stored UTC datetime in the viewer's zone: 2026-11-30 06:05 (zero-padded, 24-hour, the same
    in every language, so columns line up); "long" for documents, in words of the language."""
    if not value:
        return ""
    local = _local(value)
    if fmt in ("long", "full"):
        return f"{format_date(local.date(), fmt)} {local:%H:%M}"
    return local.strftime("%Y-%m-%d %H:%M")


def clock(value: datetime | None) -> str:
    """The time of day of a stored UTC datetime, in the viewer's zone, 24-hour."""
    return _local(value).strftime("%H:%M") if value else ""


def day(value: date | None, fmt: str = "table") -> str:
    """A date: 2026-11-30 in tables; "long" / "full" in words of the language (documents)."""
    if not value:
        return ""
    if fmt in ("long", "full"):
        return format_date(value, fmt)
    return value.strftime("%Y-%m-%d")


def zone_name(zone: str) -> str:
    """A time zone as people name it ("Taipei", "台北"), from the reader's language."""
    from babel.dates import get_timezone_location
    try:
        return get_timezone_location(zone, locale=str(get_locale()), return_city=True)
    except (LookupError, ValueError):
        return zone


# The zones people pick for themselves and for shifts: where the department and its customers work.
TIMEZONES = ("Asia/Taipei", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
             "Asia/Ho_Chi_Minh", "Asia/Bangkok", "Europe/London", "Europe/Amsterdam", "Europe/Berlin",
             "America/Los_Angeles", "America/New_York", "UTC")


def country_zones(country: str | None) -> list[str]:
    """The time zones of a country or region (CLDR, through Babel): ['Asia/Taipei'] for TW."""
    from babel.core import get_global
    return list(get_global("territory_zones").get((country or "").upper(), [])) if country else []


def zone_choices(zones=TIMEZONES) -> list[tuple[str, str]]:
    """(zone, label) pairs for a picker: the city in the reader's language and its offset now
    ("台北 (GMT+08:00)"), ordered by offset then name; the stored value stays the zone's ID."""
    from babel.dates import get_timezone_gmt
    locale = str(get_locale())
    from portal.core.clock import now
    moment = now().replace(tzinfo=UTC)
    labelled = []
    for zone in zones:
        offset = moment.astimezone(ZoneInfo(zone)).utcoffset()
        gmt = get_timezone_gmt(moment.astimezone(ZoneInfo(zone)), locale=locale)
        name = zone_name(zone) if zone != "UTC" else "UTC"
        labelled.append((offset, name, zone, f"{name} ({gmt})" if zone != "UTC" else "UTC"))
    return [(zone, label) for _offset, _name, zone, label in sorted(labelled)]


def reader_zone() -> str:
    """The reader's time zone (their account's, else the department's)."""
    return str(_viewer_zone())


def zone_offset(zone: str) -> str:
    """The zone's offset from GMT now, as people write it: GMT+08:00."""
    from babel.dates import get_timezone_gmt
    from portal.core.clock import now
    return get_timezone_gmt(now().replace(tzinfo=UTC).astimezone(ZoneInfo(zone)), locale=str(get_locale()))


def waited(since: datetime | None, now: datetime) -> str:
    """How long something has waited, in words ("3 hours"): minutes up to an hour, hours up to
    two days, then days. Under a minute reads "1 minute", not "0 seconds"."""
    if since is None:
        return ""
    minutes = max(int((now - since).total_seconds() // 60), 1)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", round(minutes / 1440))


def number(value) -> str:
    """A quantity grouped by thousands, without trailing zeros (18,000; 8.5)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


# The request's catalog and zone, looked up once: a page of a hundred rows asks for them thousands
# of times, and every lookup through Flask's context proxies costs microseconds.
_catalog: ContextVar = ContextVar("portal_catalog", default=None)
_zone: ContextVar = ContextVar("portal_zone", default=None)


def translations():
    """The gettext catalog of the current locale (cached for the request; see force_locale)."""
    catalog = _catalog.get()
    if catalog is None:
        catalog = get_translations()
        _catalog.set(catalog)
    return catalog


def _forget_request_caches(*_args) -> None:
    _catalog.set(None)
    _zone.set(None)


@contextmanager
def force_locale(locale: str):
    """Render in another language (a customer's document), then back to the reader's."""
    with babel_force_locale(locale):
        token = _catalog.set(None)
        try:
            yield
        finally:
            _catalog.reset(token)


def text(message) -> str:
    """A lazily translated string (a Choice's label) in the current language, through the cache."""
    args = getattr(message, "_args", None)
    if args and len(args) == 1 and not getattr(message, "_kwargs", None):
        return translations().ugettext(args[0])
    return str(message)


def register(app) -> None:
    app.before_request(_forget_request_caches)
    app.teardown_appcontext(_forget_request_caches)
    # Templates translate through the per-request cache (Jinja's newstyle gettext fills placeholders).
    app.jinja_env.install_gettext_callables(gettext=lambda s: translations().ugettext(s),
                                            ngettext=lambda s, p, n: translations().ungettext(s, p, n),
                                            newstyle=True)
    app.jinja_env.filters.update(money=money, when=when, day=day, clock=clock, number=number, zone_name=zone_name,
                                 zone_offset=zone_offset)
    app.jinja_env.globals.update(reader_zone=reader_zone)
    app.jinja_env.globals.update(html_lang=html_lang, country_name=country_name, waited=waited, LANGUAGES=LANGUAGES,
                                 Language=Language)
