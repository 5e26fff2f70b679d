"""Links to the current page with some query arguments changed (sorting, filters, language)."""
from datetime import date
from urllib.parse import urlencode, urlsplit

from flask import request

from portal.core.text import clean_text


def page_url(path: str | None = None, **changes) -> str:
    """The current page's URL with changes applied to its query; a None value removes the argument."""
    args = {k: v for k, v in request.args.items() if k not in changes}
    args.update({k: v for k, v in changes.items() if v is not None and v != ""})
    query = urlencode(args)
    return (path or request.path) + (f"?{query}" if query else "")


def lang_url(code: str) -> str:
    """This page with ?lang=code; after a form post, the page the form was on."""
    if request.method == "GET":
        return page_url(lang=code)
    path = urlsplit(request.referrer).path if request.referrer else "/"
    return f"{path or '/'}?lang={code}"


def text_arg(name: str, limit: int = 100) -> str:
    """A query argument as clean text (no NUL or control characters), cut to limit."""
    return clean_text(request.args.get(name) or "")[:limit]


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query argument as a date, or None when absent, malformed or far out of range."""
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


def register(app) -> None:
    app.jinja_env.globals.update(page_url=page_url, lang_url=lang_url)
