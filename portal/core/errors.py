"""Error pages in the user's language; htmx requests get a toast instead of a page."""
import logging
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from htmx_flask import make_response
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.core.database import is_unique_violation
from portal.core.htmx import toast_trigger
from portal.core.rules import RuleViolation, SimultaneousSave
from portal.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please reload the page and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see or change this.")),
    404: (_l("Not found"), _l("This page or record does not exist, or it was removed.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    409: (_l("Changed by someone else"), _l("Someone changed this record while you were working on it. Reload to see the latest version.")),
    413: (_l("Too large"), _l("What you sent is too large. Shorten it and try again.")),
    422: (_l("Please check the form"), _l("Some fields need your attention.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes before trying again.")),
    500: (_l("Something went wrong"), _l("The portal hit an unexpected error. It has been logged; please try again.")),
}


def _respond(code: int, description=None):
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    if request.htmx:
        response = make_response("", code)
        response.headers["HX-Trigger"] = toast_trigger([("error", description or message)])
        return response
    try:
        return render_template("errors/error.html", code=code, title=title, message=description or message), code
    except Exception:  # a broken template or database must not hide the original error
        log.exception("error page failed to render")
        return f"{code} {title}", code, {"Content-Type": "text/plain; charset=utf-8"}


def handle_http_error(error: HTTPException):
    return _respond(error.code or 500)


def handle_csrf_error(error: CSRFError):
    if request.htmx:
        # The page's token is stale (for example after a new login in another tab): reload it.
        return make_response("", 400, refresh=True)
    return _respond(400, _l("Your session's security token is missing or out of date. Reload the page and send it again."))


def handle_stale_data(error: Exception):
    """Two people saved the same record at the same moment: the second is told, not shown a 500."""
    db.session.rollback()
    return _respond(409)


def handle_rule_violation(refusal: RuleViolation):
    """A rule refused a button's change: nothing is kept, and the user reads why in their language.

    htmx gets the reason as a toast and no swap; a plain form goes back to the page it was on.
    """
    db.session.rollback()
    if request.htmx:
        response = make_response("", refusal.status, reswap="none")
        response.headers["HX-Trigger"] = toast_trigger([("error", refusal.message)])
        return response
    back = _same_site(request.referrer)
    if back and request.method == "POST":
        flash(refusal.message, "error")
        return redirect(back, 303)
    return _respond(refusal.status, refusal.message)


def _same_site(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def handle_integrity_error(error: IntegrityError):
    """A unique value taken at the same moment is a refusal; any other integrity error is a bug."""
    db.session.rollback()
    if is_unique_violation(error):
        return handle_rule_violation(SimultaneousSave())
    log.error("integrity error on %s %s", request.method, request.path, exc_info=error)
    return _respond(500)


def handle_unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    try:
        db.session.rollback()
    except Exception:
        log.exception("rollback after error failed")
    return _respond(500)


def register(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(RuleViolation, handle_rule_violation)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
