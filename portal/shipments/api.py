"""The event API: operations systems and carrier feeds post DCSA Track & Trace events.

POST /api/dcsa/events with `Authorization: Bearer <token>` (an integration's token, made by an
admin under Shipments → Integrations) and a JSON body: one event, a list of events, or
{"events": [...]}. Every answer is JSON. Either every event is taken or none is: 422 lists the
events refused and why. Events already posted (the same eventID from the same integration) are
counted as duplicates, not taken twice.
"""
from flask import Blueprint, jsonify, request

from portal.core.clock import now
from portal.core.database import commit
from portal.extensions import csrf, db
from portal.shipments import dcsa, rules

bp = Blueprint("events_api", __name__, url_prefix="/api/dcsa")
csrf.exempt(bp)   # no cookies here: the bearer token is the credential


def _error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="portal events"'
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@bp.post("/events")
def events():
    integration = rules.authenticate_integration(_bearer())
    if integration is None:
        return _error(401, "unauthorized", "Send a valid, unrevoked API token as 'Authorization: Bearer <token>'.")
    if not request.is_json:
        return _error(415, "unsupported_media_type", "Send the events as application/json.")
    payload = request.get_json(silent=True)
    if payload is None:
        return _error(400, "malformed_json", "The body is not valid JSON.")
    try:
        outcome = dcsa.import_events(integration, payload)
    except dcsa.ImportRefused as refused:
        db.session.rollback()
        return _error(422, "events_refused", "No event was saved: fix the events listed and post them again.",
                      errors=[e.as_json() for e in refused.errors])
    integration.last_used_at = now()
    commit(db.session)   # the one commit helper (a unique race answers 409 through the error handler)
    return jsonify(outcome.as_json()), 200
