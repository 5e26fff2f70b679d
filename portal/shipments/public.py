"""The customer's status page (R-S1 to R-S3): no login, reached by an unguessable link.

An unknown, revoked or expired token answers exactly as any missing page does (404). Every
address has an allowance per minute, and a much smaller one for links that do not exist, so
guessing tokens gets nowhere; a flood is logged. The page is in the language the link asks for
(?lang=), else the customer's, else the browser's, with a switch on the page.

Views are counted without the GET writing anything: the page's script posts a beacon once it is
shown (POST /s/<token>/seen), and that post only enqueues a job that counts the view and
remembers when it was last seen. A GET stays a read (and the database stays off the hot path of
a page anyone may open); robots that fetch without running scripts are not counted as viewers.
"""
import logging

from flask import Blueprint, abort, current_app, make_response, render_template, request

from flask_limiter.util import get_remote_address

from portal.company.queries import company
from portal.config import LANGUAGES
from portal.core.clock import now
from portal.core.i18n import force_locale, locale_from_browser
from portal.extensions import csrf, limiter
from portal.shipments import documents, queries, rules, tasks

log = logging.getLogger(__name__)
bp = Blueprint("status", __name__)


def _flood(limit) -> None:
    log.warning("status pages: %s from %s exceeded %s", request.method, get_remote_address(), limit.limit)


def _missed(response) -> bool:
    return response.status_code == 404


def _limited(view):
    view = limiter.limit(lambda: current_app.config["STATUS_MISS_LIMIT"], deduct_when=_missed, on_breach=_flood,
                         scope="status-miss")(view)
    return limiter.limit(lambda: current_app.config["STATUS_RATE_LIMIT"], on_breach=_flood, scope="status")(view)


def live_link(token: str):
    """The live link a token opens, or None (malformed, unknown, revoked or expired alike)."""
    if not rules.TOKEN.fullmatch(token or ""):
        return None
    link = queries.link_for_token(rules.token_digest(token))
    if link is None or not link.is_live(now()):
        return None
    return link


def _language(customer_locale: str | None) -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if customer_locale in LANGUAGES:
        return customer_locale
    return locale_from_browser() or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/s/<token>")
@_limited
def page(token: str):
    link = live_link(token) or abort(404)
    shipment = queries.status_shipment(link.shipment_id) or abort(404)
    calls = {leg.load_call_id for leg in shipment.legs} | {leg.discharge_call_id for leg in shipment.legs}
    changes = queries.changes_on(calls)
    view = documents.status_page(shipment, queries.documents_of(shipment.id), queries.exceptions_of(shipment.id),
                                 changes, company())
    lang = _language(view.locale)
    with force_locale(lang):
        body = render_template("shipments/status.html", s=view, lang=lang, token=token)
    response = make_response(body)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Content-Language"] = {"zh_Hant": "zh-Hant-TW", "zh_Hans": "zh-Hans-CN"}.get(lang, "en")
    return response


@bp.post("/s/<token>/seen")
@csrf.exempt
@_limited
def seen(token: str):
    """The page's beacon: the view is counted by a job (see the module's docstring)."""
    link = live_link(token) or abort(404)
    tasks.count_view(link.id, now().isoformat())
    response = make_response("", 204)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
