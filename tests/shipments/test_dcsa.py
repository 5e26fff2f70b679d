"""The DCSA Track & Trace event API: per-integration tokens (digests at rest, revocable), JSON
errors for bad tokens, malformed bodies and unknown codes, and every event taken or none."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.shipments import rules
from portal.shipments.models import Integration, Milestone, MilestoneKind, Shipment, Status

URL = "/api/dcsa/events"


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


@pytest.fixture
def feed(world, clock):
    """A shipment with its booking and B/L numbers and a container, and an integration's token."""
    def build(people, customer, voyage, make_shipment):
        shipment = make_shipment(booking_no="EGLV149001234", bl_no="EGLV149001234B")
        integration, token = rules.create_integration(people["admin"], "Evergreen feed", "EGLV")
        return {"shipment": shipment.id, "integration": integration.id, "token": token,
                "container": shipment.containers[0].number}
    return world.build(build)


def post(client, token, body, content_type="application/json"):
    import json
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, data=data, headers=headers, content_type=content_type)


def gate_in(container, at, event_id="ev-1", code="GTIN"):
    return {"eventID": event_id, "eventType": "EQUIPMENT", "eventClassifierCode": "ACT", "eventDateTime": _iso(at),
            "equipmentEventTypeCode": code, "equipmentReference": container, "emptyIndicatorCode": "LADEN",
            "eventLocation": {"UNLocationCode": "TWKHH"},
            "documentReferences": [{"documentReferenceType": "BKG", "documentReferenceValue": "EGLV149001234"}]}


def milestones(app, shipment_id):
    with app.app_context():
        return [(m.kind, m.source) for m in db.session.query(Milestone).filter_by(shipment_id=shipment_id)
                .order_by(Milestone.at)]


def test_events_become_milestones_in_time_order_and_twice_is_once(app, client, feed, clock):
    now = clock.now()
    events = [  # posted out of order: taken in time order
        {"eventID": "ev-3", "eventType": "TRANSPORT", "eventClassifierCode": "ACT", "eventDateTime": _iso(now - timedelta(hours=1)),
         "transportEventTypeCode": "DEPA", "transportCall": {"UNLocationCode": "TWKHH",
                                                              "vessel": {"vesselIMONumber": "9811000"}},
         "documentReferences": [{"documentReferenceType": "TRD", "documentReferenceValue": "EGLV149001234B"}]},
        gate_in(feed["container"], now - timedelta(days=1)),
        {**gate_in(feed["container"], now - timedelta(hours=5), "ev-2", "LOAD")},
        {"eventID": "ev-0", "eventType": "SHIPMENT", "eventClassifierCode": "ACT", "eventDateTime": _iso(now - timedelta(days=3)),
         "shipmentEventTypeCode": "CONF", "documentTypeCode": "BKG", "documentID": "EGLV149001234"},
        {"eventID": "ev-9", "eventType": "TRANSPORT", "eventClassifierCode": "EST",
         "eventDateTime": _iso(now + timedelta(days=20)), "transportEventTypeCode": "ARRI",
         "transportCall": {"UNLocationCode": "USLAX"}},
    ]
    response = post(client, feed["token"], events)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["accepted"], body["duplicates"], len(body["skipped"])) == (4, 0, 1)
    assert milestones(app, feed["shipment"]) == [("booked", "api"), ("gated_in", "api"), ("loaded", "api"),
                                                 ("departed", "api")]
    with app.app_context():
        assert db.session.get(Shipment, feed["shipment"]).status == Status.DEPARTED
        integration = db.session.get(Integration, feed["integration"])
        assert integration.events == 4 and integration.last_used_at == clock.now()
    again = post(client, feed["token"], {"events": events[:2]})
    assert again.status_code == 200 and again.get_json()["duplicates"] == 2 and again.get_json()["accepted"] == 0


def test_a_wrong_missing_or_revoked_token_is_refused_in_json(app, client, feed, world, clock):
    event = gate_in(feed["container"], clock.now() - timedelta(hours=1))
    for token in (None, "pst_wrong", feed["token"] + "x"):
        response = post(client, token, event)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context():
        stored = db.session.get(Integration, feed["integration"])
        assert feed["token"] not in (stored.digest, stored.token_prefix) and len(stored.digest) == 64
    admin = world.client("admin")
    assert admin.form(f"/shipments/integrations/{feed['integration']}/revoke").status_code == 303
    response = post(client, feed["token"], event)
    assert response.status_code == 401
    assert milestones(app, feed["shipment"]) == []


def test_malformed_input_gets_a_json_error_and_nothing_is_saved(app, client, feed, clock):
    token = feed["token"]
    assert post(client, token, b"{not json").get_json()["error"] == "malformed_json"
    assert post(client, token, "events=1", content_type="application/x-www-form-urlencoded").status_code == 415
    good = gate_in(feed["container"], clock.now() - timedelta(hours=3))
    cases = [
        ({**good, "equipmentEventTypeCode": "FLY"}, "equipmentEventTypeCode"),          # unknown code
        ({**good, "eventDateTime": "yesterday"}, "eventDateTime"),
        ({**good, "eventDateTime": "2025-03-10T14:00:00"}, "eventDateTime"),             # no offset
        ({**good, "equipmentReference": "CSQU3054384"}, "equipmentReference"),           # check digit
        ({**good, "eventType": "PARTY"}, "eventType"),
        ({k: v for k, v in good.items() if k != "eventID"}, "eventID"),
        ({**good, "eventDateTime": _iso(clock.now() + timedelta(hours=2))}, "at"),       # in the future
        ({**good, "documentReferences": [], "equipmentReference": "MSKU9070323"}, "documentReferences"),  # no shipment
    ]
    for event, field in cases:
        # One good event beside the bad one: neither is saved.
        if "eventID" in event:
            event = {**event, "eventID": "ev-bad"}
        response = post(client, token, [good, event])
        assert response.status_code == 422, (field, response.get_json())
        body = response.get_json()
        assert body["error"] == "events_refused"
        assert [e["field"] for e in body["errors"]] == [field] and body["errors"][0]["index"] == 1
        assert milestones(app, feed["shipment"]) == []
    # Out of order against what is on record: refused too.
    assert post(client, token, good).status_code == 200
    stuffed_later = {**good, "eventID": "ev-5", "equipmentEventTypeCode": "STUF",
                     "eventDateTime": _iso(clock.now() - timedelta(hours=1))}
    response = post(client, token, stuffed_later)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "at"
    assert milestones(app, feed["shipment"]) == [(MilestoneKind.GATED_IN, "api")]


def test_the_api_is_not_a_page(client):
    assert client.get(URL).status_code == 405
    assert post(client, None, []).status_code == 401
