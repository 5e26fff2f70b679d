"""Locale and time-zone choice, and locale-aware formatting for templates."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_currency
from flask import current_app, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_time, format_timedelta, get_locale
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


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return ""
    # The ISO code, not a symbol: "$" is a different currency in Taipei, Hong Kong and New York.
    return format_currency(amount, currency or "USD", format="¤¤\u00a0#,##0.00", locale=str(get_locale()),
                           currency_digits=True)


def when(value: datetime | None, fmt: str = "medium") -> str:
    """A stored UTC datetime in the viewer's time zone."""
    return format_datetime(value, fmt) if value else ""


def clock(value: datetime | None) -> str:
    """The time of day of a stored UTC datetime, in the viewer's time zone."""
    return format_time(value, "short") if value else ""


def day(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def waited(since: datetime | None, now: datetime) -> str:
    """How long something has waited, in words ("3 hours")."""
    if since is None:
        return ""
    # Under a minute reads "1 minute", not "0 seconds".
    return format_timedelta(max(now - since, timedelta(minutes=1)), threshold=1.1, add_direction=False)


def number(value) -> str:
    return "" if value is None else format_decimal(value)


def register(app) -> None:
    app.jinja_env.filters.update(money=money, when=when, day=day, clock=clock, number=number)
    app.jinja_env.globals.update(html_lang=html_lang, country_name=country_name, waited=waited, LANGUAGES=LANGUAGES,
                                 Language=Language)
