"""Shift handover through the test client: start, write, hand over, acknowledge, carry over."""
import re

import sqlalchemy as sa

from portal.extensions import db
from portal.handover.models import HandoverItem, HandoverNote, Shift
from tests.conftest import reference_moment


def day_shift(app):
    with app.app_context():
        return db.session.scalar(sa.select(Shift.id).where(Shift.name_en == "Day"))


def start(c, app, recipient=None, team=None, date=None):
    data = {"shift_id": day_shift(app), "shift_date": date or str(reference_moment().date()), "recipient_id": recipient.id if recipient else "",
            "team": team or ""}
    response = c.form("/handover/notes", data)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add(c, note_id, text, **fields):
    response = c.hx("POST", f"/handover/notes/{note_id}/items",
                    data={"text": text, "priority": "normal", "category": "other", **fields})
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
    return response


def item_ids(app, note_id):
    with app.app_context():
        note = db.session.get(HandoverNote, note_id)
        return [e.item_id for e in note.entries]


def test_write_hand_over_acknowledge_and_carry(app, as_role):
    a, agent_a = as_role("agent", display_name="Agent A")
    b, agent_b = as_role("agent", display_name="Agent B")
    note_id = start(a, app, recipient=agent_b)
    add(a, note_id, "Call 長榮 about the rolled container", priority="urgent", category="booking")
    add(a, note_id, "Send the B/L draft to Acme")
    page = a.get(f"/handover/notes/{note_id}").get_data(as_text=True)
    assert "rolled container" in page and "Hand over note" in page
    assert a.form(f"/handover/notes/{note_id}/submit").status_code == 303
    # B sees it waiting, with the badge, and acknowledges.
    home = b.get("/handover").get_data(as_text=True)
    assert "Unacknowledged" in home and 'id="nav-count-handover"' in home
    counts = b.hx("GET", "/nav/counts").get_data(as_text=True)   # loaded by the layout, out of band
    assert re.search(r'id="nav-count-handover" hx-swap-oob="true"> <span class="nav-count"[^>]*>1</span>', counts)
    assert b.form(f"/handover/notes/{note_id}/acknowledge").status_code == 303
    first, second = item_ids(app, note_id)
    with app.app_context():
        version = db.session.get(HandoverItem, first).version
    assert b.hx("POST", f"/handover/notes/{note_id}/items/{first}/close", data={"version": version}).status_code == 200
    # B's next note carries the other item.
    next_id = start(b, app, team="direct")
    assert item_ids(app, next_id) == [second]
    page = b.get(f"/handover/notes/{next_id}").get_data(as_text=True)
    assert "carried by Agent B" in page


def test_autosave_keeps_the_remarks(app, as_role, make_user):
    c, _ = as_role("agent")
    note_id = start(c, app, recipient=make_user("agent"))
    saved = c.hx("POST", f"/handover/notes/{note_id}/summary", data={"summary": "颱風：高雄港停止作業"})
    assert saved.status_code == 200 and "Saved at" in saved.get_data(as_text=True)
    assert "颱風：高雄港停止作業" in c.get(f"/handover/notes/{note_id}").get_data(as_text=True)


def test_empty_note_and_own_acknowledgement_are_refused(app, as_role, make_user):
    c, _ = as_role("agent")
    note_id = start(c, app, recipient=make_user("agent"))
    refused = c.hx("POST", f"/handover/notes/{note_id}/submit")
    assert refused.status_code == 422 and refused.headers["HX-Reswap"] == "none"
    assert "The note is empty" in refused.headers["HX-Trigger"].encode().decode("unicode_escape")
    add(c, note_id, "Something")
    c.form(f"/handover/notes/{note_id}/submit")
    own = c.hx("POST", f"/handover/notes/{note_id}/acknowledge")
    assert own.status_code == 422
    with app.app_context():
        assert db.session.get(HandoverNote, note_id).state == "submitted"


def test_item_without_text_keeps_the_form(app, as_role, make_user):
    c, _ = as_role("agent")
    note_id = start(c, app, recipient=make_user("agent"))
    response = c.hx("POST", f"/handover/notes/{note_id}/items", data={"text": "  ", "priority": "urgent",
                                                                       "category": "booking", "customer_code": "NOPE-1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say what the next shift needs to know or do." in page
    assert re.search(r'<option selected value="urgent"|<option value="urgent" selected', page)


def test_pages_render(app, as_role, make_user):
    c, _ = as_role("supervisor")
    for url in ("/handover", "/handover/board", "/handover/history", f"/handover/history?q=x&from={reference_moment().date().replace(day=1)}"):
        assert c.get(url).status_code == 200, url
    admin, _ = as_role("admin")
    assert admin.get("/handover/shifts").status_code == 200
    assert admin.get("/handover/shifts/new").status_code == 200


def test_an_item_links_a_quote_by_its_number(app, as_role, make_customer):
    """Handover asks core.links for the record a number names; it never imports quotes."""
    from portal.quotes import rules as quote_rules
    from tests.rate_cards import add_rates
    from tests.security.test_route_matrix import _quote_values
    a, agent_a = as_role("agent", display_name="Agent A")
    _b, agent_b = as_role("agent", display_name="Agent B")
    customer_id = make_customer(agent_a, code="TW-0001")
    with app.test_request_context():
        from portal.auth.models import User
        add_rates()
        made = quote_rules.create_quote(db.session.get(User, agent_a.id), *_quote_values(customer_id))
        db.session.commit()
        number, quote_id = made.number, made.id
    note_id = start(a, app, recipient=agent_b)
    add(a, note_id, "Chase the customer's answer", subject_type="quote", subject_ref=number.lower())
    with app.app_context():
        item = db.session.get(HandoverItem, item_ids(app, note_id)[0])
        assert (item.subject_type, item.subject_id) == ("quote", quote_id)
    page = a.get(f"/handover/notes/{note_id}").get_data(as_text=True)
    assert f'href="/quotes/{quote_id}"' in page and number in page
    refused = a.hx("POST", f"/handover/notes/{note_id}/items",
                   data={"text": "x", "priority": "normal", "category": "other", "subject_type": "quote",
                         "subject_ref": "Q0000-99999"})
    assert refused.status_code == 422 and "Nothing of that kind has this number." in refused.get_data(as_text=True)
