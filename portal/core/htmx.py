"""Responses for pages that are a full page on first load and htmx fragments afterwards."""
import json

from flask import get_flashed_messages, redirect, render_template, request
from htmx_flask import make_response


def is_fragment_request() -> bool:
    """An htmx request that wants a fragment (not a boosted page or a history restore)."""
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def render(page: str, fragment: str, status: int = 200, /, **context):
    """The full page, or only its fragment for an htmx request; one URL serves both."""
    template = fragment if is_fragment_request() else page
    return render_template(template, **context), status


def render_fragment(fragment: str, status: int = 200, /, **context):
    return render_template(fragment, **context), status


def redirect_to(url: str):
    """After a successful form post: a full-page redirect for htmx and for plain forms alike."""
    if request.htmx:
        return make_response("", 204, redirect=url)
    return redirect(url, 303)


def toast_trigger(messages) -> str:
    """HX-Trigger value carrying toasts; ASCII-escaped so Chinese survives the header."""
    payload = {"toast": [{"level": level, "message": str(text)} for level, text in messages]}
    return json.dumps(payload, ensure_ascii=True)


def trigger(response, event: str, detail=None):
    """Add a client-side event to the response's HX-Trigger (panels listen with `from:body`)."""
    events = _events(response)
    events[event] = detail
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response


def _events(response) -> dict:
    raw = response.headers.get("HX-Trigger")
    if not raw:
        return {}
    try:
        events = json.loads(raw)
    except ValueError:
        return {name.strip(): None for name in raw.split(",")}
    return events if isinstance(events, dict) else {}


def after_request(response):
    """Vary on HX-Request, and deliver flashed messages to htmx requests as toasts."""
    response.vary.add("HX-Request")
    redirecting = 300 <= response.status_code < 400 or "HX-Redirect" in response.headers \
        or "HX-Refresh" in response.headers
    if request.htmx and not redirecting:
        messages = get_flashed_messages(with_categories=True)
        if messages:
            events = _events(response)
            events["toast"] = [{"level": level, "message": str(text)} for level, text in messages]
            response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response
