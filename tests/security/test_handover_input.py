"""Shift handover: bad input on every form never gives a 500 and loses nothing.

Item text (empty, 10,000 characters, NUL and control characters, emoji, markup), unknown
priorities and categories, junk customer codes and due dates; shift definitions with junk
times, equal start and end, unknown time zones, positions out of range; the start form with
junk shift and recipient ids (and recipients who may not take over), junk dates; history
filters with junk dates, ids and codes, and wildcards matched literally; unknown ids and items
of another note; edits of handed-over items; two people closing (or acknowledging) the same
thing; remarks autosaved by someone else, or too long. Refusals are 403/404/409/422 or a
rule's message, and the record is as it was.
"""
import json
import threading
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa

from portal.core.text import clean_text
from portal.extensions import db
from portal.handover.models import Addendum, HandoverItem, HandoverNote, NoteEntry, Shift
from datetime import timedelta

from tests.conftest import reference_moment
from tests.html_forms import form_values

DAY = str(reference_moment().date())
TOMORROW = reference_moment().date() + timedelta(days=1)
LONG = "長" * 10_000
MARKUP = "<script>alert(1)</script>\"'&"
ITEM = {"text": "Call Evergreen about the rolled container", "priority": "urgent", "category": "booking",
        "customer_code": "", "due_at": ""}
# (typed, stored) for text that is accepted after cleaning.
ACCEPTED = {
    "nul": ("Call\x00 Acme\x00", "Call Acme"),
    "controls": ("\x01Bell\x07 \x1b[31mRed\x7f\x0b\x0c", "Bell [31mRed"),
    "rtl override": ("Harbour \u202eoc.live\u202c Ltd", "Harbour oc.live Ltd"),
    "emoji": ("🚢 Container rolled 👍🏽", "🚢 Container rolled 👍🏽"),
    "combining": ("Cafe\u0301 Zoe\u0308", "Café Zoë"),
    "markup": (MARKUP, MARKUP),
    "multi-line": ("Line one\r\nLine two", "Line one\r\nLine two"),
}


# --- helpers ----------------------------------------------------------------------------


def cleaned(value: str) -> str:
    """What the portal's forms make of typed text (NFC, no control characters or bidi overrides, trimmed)."""
    return clean_text(value)


def assert_echoed(response, typed: dict, fields):
    """The refused form comes back with what was typed in fields (cleaned as the portal cleans)."""
    shown = form_values(response)
    for name in fields:
        expected = cleaned(typed[name])
        if name == "customer_code":
            expected = expected.upper()
        assert shown.get(name) == expected, \
            f"{name}: typed {typed[name][:30]!r}, form shows {str(shown.get(name))[:30]!r}"


def has_error(response) -> bool:
    page = response.get_data(as_text=True)
    return 'class="error"' in page or "alert-error" in page


def toasts(response) -> list[tuple[str, str]]:
    raw = response.headers.get("HX-Trigger")
    return [(t["level"], t["message"]) for t in json.loads(raw).get("toast", [])] if raw else []


def flashed(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


def day_shift(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Shift.id).where(Shift.name_en == "Day"))


def start(c, app, recipient, date=DAY) -> int:
    response = c.form("/handover/notes", {"shift_id": day_shift(app), "shift_date": date,
                                          "recipient_id": recipient.id, "team": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    return int(urlsplit(response.location).path.rsplit("/", 1)[1])


def add(c, note_id, **fields) -> int:
    response = c.hx("POST", f"/handover/notes/{note_id}/items", data=ITEM | fields)
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
    with c.application.app_context():
        return db.session.scalar(sa.select(HandoverItem.id).order_by(HandoverItem.id.desc()).limit(1))


def item(app, item_id) -> HandoverItem | None:
    with app.app_context():
        found = db.session.get(HandoverItem, item_id)
        if found is not None:
            db.session.expunge(found)
        return found


def note(app, note_id) -> HandoverNote | None:
    with app.app_context():
        found = db.session.get(HandoverNote, note_id)
        if found is not None:
            db.session.expunge(found)
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def item_state(app, item_id) -> tuple:
    i = item(app, item_id)
    return (i.text, i.priority, i.category, i.customer_id, i.due_at, i.state, i.done_by_id, i.done_at, i.version)


def submit(c, note_id):
    assert c.form(f"/handover/notes/{note_id}/submit").status_code == 303
    assert note(c.application, note_id).state == "submitted"


@pytest.fixture
def desk(app, as_role, make_user):
    """A writer with a draft to a colleague; returns (writer client, writer, recipient, note id)."""
    c, writer = as_role("agent", display_name="Writer Wu", team="direct")
    recipient = make_user("agent", display_name="Receiver Lin", team="direct")
    return c, writer, recipient, start(c, app, recipient)


# --- items ------------------------------------------------------------------------------


def test_item_text_is_cleaned_or_refused_and_kept(app, desk):
    c, _, _, note_id = desk
    for case, (typed, stored) in ACCEPTED.items():
        for send, expected in ((lambda data: c.hx("POST", f"/handover/notes/{note_id}/items", data=data), 200),
                               (lambda data: c.form(f"/handover/notes/{note_id}/items", data), 303)):
            response = send(ITEM | {"text": typed})
            assert response.status_code == expected, (case, response.status_code)
            with app.app_context():
                latest = db.session.scalar(sa.select(HandoverItem).order_by(HandoverItem.id.desc()).limit(1))
                assert latest.text == stored, case
    page = c.get(f"/handover/notes/{note_id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert "🚢 Container rolled 👍🏽" in page.get_data(as_text=True)
    added = count(app, HandoverItem)
    assert added == 2 * len(ACCEPTED)

    # Empty, blank, control characters only, over 2,000 and 10,000 characters: refused next to
    # the field, the rest of the form as typed.
    for text in ("", "   ", "\x00\x01\x7f", "\u202e\u202c", "x" * 2001, LONG):
        typed = ITEM | {"text": text, "customer_code": "nope-1", "due_at": f"{TOMORROW}T09:30"}
        for response in (c.hx("POST", f"/handover/notes/{note_id}/items", data=typed),
                         c.form(f"/handover/notes/{note_id}/items", typed)):
            assert response.status_code == 422, (text[:10], response.status_code)
            assert has_error(response)
            assert_echoed(response, typed, ("text", "customer_code", "due_at"))
            assert form_values(response)["priority"] == "urgent" and form_values(response)["category"] == "booking"
    assert count(app, HandoverItem) == added
    # Exactly 2,000 characters is fine.
    add(c, note_id, text="y" * 2000)


def test_unknown_priority_category_customer_and_due_date_are_refused(app, desk, make_customer):
    c, writer, _, note_id = desk
    make_customer(writer, code="MINE-1")
    junk = [{"priority": p} for p in ("critical", "", "URGENT ", "🚢", LONG, "urgent,normal")]
    junk += [{"category": v} for v in ("spam", "", "Booking", "book ing", LONG)]
    junk += [{"customer_code": v} for v in ("NOPE-1", "%", "_", "MINE-%", "' OR 1=1 --", "🚢", "長榮海運",
                                             "MINE-1" * 3, LONG, "MINE-1\x00x")]
    junk += [{"due_at": v} for v in ("2026-13-45T25:00", "yesterday", "2026-11-24T24:00", "2026-02-30T10:00",
                                     "24/11/2026 10:00", "🚢", LONG, "2026-11-24T10:00Z", "1e9")]
    failures = []
    for n, fields in enumerate(junk):  # htmx and plain forms in turn: the same checks answer both
        typed = ITEM | {"text": "Keep this text"} | fields
        url = f"/handover/notes/{note_id}/items"
        for response in (c.hx("POST", url, data=typed) if n % 2 else c.form(url, typed),):
            if response.status_code != 422 or not has_error(response):
                failures.append(f"{fields!r:.60} -> {response.status_code}")
            elif form_values(response).get("text") != "Keep this text":
                failures.append(f"{fields!r:.60} lost the text")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)
    assert count(app, HandoverItem) == 0

    # What cleaning turns into something valid is stored as the clean value.
    item_id = add(c, note_id, priority="info\x00", category="\u202efiling", customer_code=" mine-1\x00 ",
                  due_at=f"{TOMORROW}T09:30")
    stored = item(app, item_id)
    assert (stored.priority, stored.category, stored.customer_id is not None) == ("info", "filing", True)
    assert stored.due_at.isoformat() == f"{TOMORROW}T01:30:00"  # 09:30 in Taipei, stored as UTC


@pytest.mark.parametrize("due_at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_due_date_at_the_edge_of_the_calendar_is_refused(app, desk, as_role, due_at):
    """A due date the browser's date picker allows, at either end of the calendar, is refused
    with the reason (time-zone arithmetic there would overflow); never a 500."""
    c, _, _, note_id = desk
    response = c.hx("POST", f"/handover/notes/{note_id}/items", data=ITEM | {"due_at": due_at})
    # Outside the working years (2000-2100) a date is refused with the reason, the item not added.
    assert response.status_code == 422, f"adding an item due {due_at} -> {response.status_code}"
    assert has_error(response) and count(app, HandoverItem) == 0


def test_item_edit_refuses_bad_input_and_keeps_the_item(app, desk):
    c, _, _, note_id = desk
    item_id = add(c, note_id, text="Original wording")
    before = item_state(app, item_id)
    url = f"/handover/notes/{note_id}/items/{item_id}/edit"
    version = form_values(c.get(url))["version"]
    assert version == "1"
    for fields in ({"text": ""}, {"text": "\x00"}, {"text": LONG}, {"priority": "critical"}, {"category": "spam"},
                   {"customer_code": "NOPE-1"}, {"customer_code": LONG}, {"due_at": "2026-13-45T25:00"}):
        typed = ITEM | {"text": "Reworded", "version": version} | fields
        for response in (c.hx("POST", url, data=typed), c.form(url, typed)):
            assert response.status_code == 422, (fields, response.status_code)
            assert has_error(response)
            assert_echoed(response, typed, ("text", "customer_code", "due_at"))
            assert form_values(response)["version"] == version
    # A version that is not the item's (junk, someone else's save) is a stale edit: 409.
    for bad in ("", "abc", "0", "-1", "2", "99999999999999999999", "\x00", "1.0"):
        response = c.hx("POST", url, data=ITEM | {"text": "Reworded", "version": bad})
        assert response.status_code == 409, (bad, response.status_code)
        assert "Someone else changed this record" in response.get_data(as_text=True)
        assert form_values(response)["text"] == "Reworded"
    assert item_state(app, item_id) == before
    response = c.hx("POST", url, data=ITEM | {"text": "Reworded \x00🚢", "version": version})
    assert response.status_code == 200
    assert item(app, item_id).text == "Reworded 🚢"


def test_items_of_a_handed_over_note_are_history(app, desk, as_role):
    """R-H2: once handed over, a note's items cannot be reworded, added, removed or reordered (403);
    an item carried into a new draft is not the writer's to reword (409) or remove."""
    c, writer, recipient, note_id = desk
    first = add(c, note_id, text="First")
    second = add(c, note_id, text="Second")
    c.hx("POST", f"/handover/notes/{note_id}/summary", data={"summary": "Remarks"})
    submit(c, note_id)
    before = {i: item_state(app, i) for i in (first, second)}
    base = f"/handover/notes/{note_id}"
    attempts = [("GET", f"{base}/items/{first}/edit", None),
                ("POST", f"{base}/items/{first}/edit", ITEM | {"text": "Rewritten", "version": "1"}),
                ("POST", f"{base}/items", ITEM | {"text": "Slipped in later"}),
                ("POST", f"{base}/items/{first}/delete", {}),
                ("POST", f"{base}/items/{first}/move", {"direction": "down"}),
                ("POST", f"{base}/summary", {"summary": "Rewritten remarks"}),
                ("POST", f"{base}/carry", {})]
    for method, url, data in attempts:
        sent = (c.get(url), c.hx("GET", url)) if method == "GET" else (c.form(url, data), c.hx("POST", url, data=data))
        for response in sent:
            assert response.status_code == 403, (url, response.status_code)   # only the writer, on a draft
    assert {i: item_state(app, i) for i in (first, second)} == before
    assert note(app, note_id).summary == "Remarks"
    assert count(app, HandoverItem) == 2

    # The recipient takes over; the open items come along into their own next draft.
    b = c.application.test_client()
    b.login_as(recipient)
    assert b.form(f"{base}/acknowledge").status_code == 303
    next_id = start(b, app, writer)
    with app.app_context():
        on_next = set(db.session.scalars(sa.select(NoteEntry.item_id).where(NoteEntry.note_id == next_id)))
        assert on_next == {first, second}
    carried = f"/handover/notes/{next_id}/items/{first}"
    assert b.get(f"{carried}/edit").status_code == 409
    assert b.hx("POST", f"{carried}/edit", data=ITEM | {"text": "Rewritten", "version": "1"}).status_code == 409
    response = b.hx("POST", f"{carried}/delete")
    assert response.status_code == 422   # carried items are closed, not removed (R-H3)
    assert any(level == "error" for level, _ in toasts(response)), response.status_code
    assert {i: item_state(app, i) for i in (first, second)} == before
    with app.app_context():
        entries = sa.select(sa.func.count()).select_from(NoteEntry).where(NoteEntry.item_id == first)
        assert db.session.scalar(entries) == 2  # its history: the note it was raised on, and the one it was carried to


def test_unknown_note_and_item_ids_are_404(app, desk, as_role, make_user):
    c, writer, _, note_id = desk
    mine = add(c, note_id, text="Mine")
    # Someone else's note, with an item the writer must not reach through their own note.
    other, _ = as_role("agent")
    theirs_note = start(other, app, writer)
    theirs = add(other, theirs_note, text="Theirs")
    before = item_state(app, theirs)
    for bad in ("999999", "0", "-1", "abc", "1.5", str(2**31), "99999999999999999999", "%00", "１"):
        base = f"/handover/notes/{bad}"
        for url in (base, f"{base}/items/{mine}/edit"):
            assert c.get(url).status_code == 404, url
        for url in (f"{base}/summary", f"{base}/items", f"{base}/submit", f"{base}/acknowledge", f"{base}/carry",
                    f"{base}/addenda", f"{base}/items/{mine}/delete", f"{base}/items/{mine}/close"):
            assert c.form(url, {"text": "x", "summary": "x"}).status_code == 404, url
            assert c.hx("POST", url, data={"text": "x"}).status_code == 404, url
        for url in (f"/handover/notes/{note_id}/items/{bad}/edit", f"/handover/notes/{note_id}/items/{bad}/close"):
            assert c.form(url, {"version": "1"}).status_code == 404, url
    for url in (f"/handover/notes/{note_id}/items/{theirs}/edit",):
        assert c.get(url).status_code == 404
        assert c.hx("GET", url).status_code == 404
    for action in ("edit", "delete", "move", "close", "reopen"):
        url = f"/handover/notes/{note_id}/items/{theirs}/{action}"
        data = ITEM | {"text": "Hijacked", "version": str(before[-1])}
        assert c.form(url, data).status_code == 404, url
        assert c.hx("POST", url, data=data).status_code == 404, url
    assert item_state(app, theirs) == before
    with app.app_context():
        assert [e.item_id for e in db.session.get(HandoverNote, theirs_note).entries] == [theirs]
    admin, _ = as_role("admin")
    for bad in ("999999", "0", "abc", str(2**31)):
        assert admin.get(f"/handover/shifts/{bad}").status_code == 404
        assert admin.form(f"/handover/shifts/{bad}", {"name_en": "X"}).status_code == 404


def test_item_actions_with_junk_versions_and_directions_never_500(app, desk, make_user):
    c, writer, recipient, note_id = desk
    first = add(c, note_id, text="First")
    add(c, note_id, text="Second")
    submit(c, note_id)
    b = app.test_client()
    b.login_as(recipient)
    before = item_state(app, first)
    for version in ("", "abc", "0", "-1", "99999999999999999999", "\x00", "1e3", "２"):
        response = b.hx("POST", f"/handover/notes/{note_id}/items/{first}/close", data={"version": version})
        assert response.status_code == 409, (version, response.status_code)   # not the version on the page
        assert [level for level, _ in toasts(response)] == ["error"], version
    assert item_state(app, first) == before
    # reordering is the writer's, on a draft: direction junk moves down or nowhere, never a 500
    assert b.form(f"/handover/notes/{note_id}/acknowledge").status_code == 303
    draft = start(b, app, writer)  # the two open items come along
    for direction in ("sideways", "", "\x00", "up" * 1000, "🚢"):
        assert b.form(f"/handover/notes/{draft}/items/{first}/move", {"direction": direction}).status_code == 303
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(NoteEntry.position).where(NoteEntry.note_id == draft))) == [0, 1]


# --- closing and acknowledging twice ----------------------------------------------------------


def test_closing_an_item_twice_from_two_clients(app, desk, as_role):
    """Both load the note; the first closes; the second gets the rule's refusal naming who
    closed it, and the item stays as the first left it."""
    c, _, recipient, note_id = desk
    item_id = add(c, note_id, text="Only once")
    submit(c, note_id)
    b = app.test_client()
    b.login_as(recipient)
    lead, _ = as_role("supervisor", display_name="Lead Chen")
    seen = {who: form_values(client.hx("GET", f"/handover/notes/{note_id}"))  # both pages are open
            for who, client in (("b", b), ("lead", lead))}
    url = f"/handover/notes/{note_id}/items/{item_id}/close"
    first = b.hx("POST", url, data={"version": seen["b"]["version"]})
    assert first.status_code == 200 and toasts(first)[0][0] == "success"
    closed = item_state(app, item_id)
    assert closed[5:7] == ("done", recipient.id)
    second = lead.hx("POST", url, data={"version": seen["lead"]["version"]})
    assert second.status_code == 422 and second.headers["HX-Reswap"] == "none"
    assert toasts(second) == [("error", "Receiver Lin already closed this item.")]
    assert item_state(app, item_id) == closed
    # ... and once more from a plain form (no JavaScript): back to the note with the reason.
    third = lead.form(url, {"version": seen["lead"]["version"]})
    assert third.status_code == 303 and third.headers["Location"] == f"/handover/notes/{note_id}"
    assert item_state(app, item_id) == closed


def test_refused_item_action_from_a_plain_form_returns_to_the_note(app, desk):
    """Without JavaScript the close/reopen/remove buttons are plain forms. A refusal must bring
    the user back to the note with the reason, as submit and acknowledge do (303 + flash), not
    answer with a bare htmx fragment that shows neither the page nor the reason."""
    c, _, recipient, note_id = desk
    item_id = add(c, note_id, text="Only once")
    submit(c, note_id)
    b = app.test_client()
    b.login_as(recipient)
    url = f"/handover/notes/{note_id}/items/{item_id}"
    assert b.form(f"{url}/close", {"version": "1"}).status_code == 303
    flashed(b)
    for action, data in (("close", {"version": "1"}), ("close", {"version": "2"}), ("reopen", {"version": "1"})):
        response = b.form(f"{url}/{action}", data)
        assert (response.status_code, urlsplit(response.location or "").path) == (303, f"/handover/notes/{note_id}"), \
            f"plain-form {action} refused: {response.status_code}, body starts {response.get_data(as_text=True)[:60]!r}"
        assert [level for level, _ in flashed(b)] == ["error"]


def _race(app, monkeypatch, target, name, when, calls):
    """Run calls (functions of no argument returning a response) at once, holding each inside
    the rule at `target.name` until all have passed their checks (or half a second went by: SQLite
    queues writers on its lock, so there only one is inside at a time)."""
    barrier = threading.Barrier(len(calls))
    original = getattr(target, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            try:
                barrier.wait(timeout=0.5)
            except threading.BrokenBarrierError:
                pass
        return result

    monkeypatch.setattr(target, name, held)
    results = [None] * len(calls)

    def run(n):
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    monkeypatch.setattr(target, name, original)
    return results


def test_simultaneous_close_by_two_people_is_refused_not_500(app, desk, as_role, monkeypatch):
    """Two people press Close at the same moment: one closes, the other is refused (stale or
    already closed), never a 500 from the version check in the database."""
    from portal.handover import rules
    c, _, recipient, note_id = desk
    item_id = add(c, note_id, text="Both click")
    submit(c, note_id)
    b = app.test_client()
    b.login_as(recipient)
    lead, _ = as_role("supervisor")
    url = f"/handover/notes/{note_id}/items/{item_id}/close"
    responses = _race(app, monkeypatch, rules, "check_version", lambda record, expected: True,
                      [lambda: b.hx("POST", url, data={"version": "1"}),
                       lambda: lead.hx("POST", url, data={"version": "1"})])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 422], f"simultaneous close -> {statuses}"   # the second is told it is closed
    levels = sorted(toasts(r)[0][0] for r in responses)
    assert levels == ["error", "success"], levels
    assert item_state(app, item_id)[5] == "done"


def test_simultaneous_acknowledgement_by_two_team_members_is_refused_not_500(app, as_role, make_user, monkeypatch):
    """A note to a team: two members press Acknowledge at the same moment; one takes it over."""
    from portal.handover import rules
    c, _ = as_role("agent", team="peer")
    members = [as_role("agent", team="direct") for _ in range(2)]
    response = c.form("/handover/notes", {"shift_id": day_shift(app), "shift_date": DAY, "recipient_id": "",
                                          "team": "direct"})
    note_id = int(urlsplit(response.location).path.rsplit("/", 1)[1])
    add(c, note_id, text="Team item")
    submit(c, note_id)
    url = f"/handover/notes/{note_id}/acknowledge"
    responses = _race(app, monkeypatch, rules, "can", lambda user, action, obj=None: action == "handover.acknowledge",
                      [lambda m=m: m[0].hx("POST", url) for m in members])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [204, 422], f"simultaneous acknowledgement -> {statuses}"
    acked = note(app, note_id)
    assert acked.state == "acknowledged" and acked.acknowledged_by_id in {m[1].id for m in members}


# --- remarks and addenda -------------------------------------------------------------------------


def test_summary_autosave_by_anyone_but_the_writer_is_403(app, desk, as_role):
    c, _, recipient, note_id = desk
    assert c.hx("POST", f"/handover/notes/{note_id}/summary", data={"summary": "Writer's remarks"}).status_code == 200
    b = app.test_client()
    b.login_as(recipient)
    others = [b] + [as_role(role)[0] for role in ("agent", "supervisor", "admin", "finance")]
    for other in others:
        for response in (other.hx("POST", f"/handover/notes/{note_id}/summary", data={"summary": "Overwritten"}),
                         other.form(f"/handover/notes/{note_id}/summary", {"summary": "Overwritten"})):
            assert response.status_code == 403
    # Once handed over, not even the writer.
    add(c, note_id, text="Something")
    submit(c, note_id)
    assert c.hx("POST", f"/handover/notes/{note_id}/summary", data={"summary": "Afterthought"}).status_code == 403
    assert note(app, note_id).summary == "Writer's remarks"


def test_summary_autosave_too_long_is_422_and_clean_text_is_saved(app, desk):
    c, _, _, note_id = desk
    url = f"/handover/notes/{note_id}/summary"
    assert c.hx("POST", url, data={"summary": "Kept"}).status_code == 200
    for text in ("x" * 10_001, "長" * 20_000, "🚢" * 20_000):
        for response in (c.hx("POST", url, data={"summary": text}), c.form(url, {"summary": text})):
            assert response.status_code == 422, (len(text), response.status_code)
            assert "10,000" in response.get_data(as_text=True)
    assert note(app, note_id).summary == "Kept"
    for typed, stored in [*ACCEPTED.values(), ("長" * 10_000, "長" * 10_000), ("\x00" * 20_000, "")]:
        response = c.hx("POST", url, data={"summary": typed})
        assert response.status_code == 200, repr(typed[:20])
        assert note(app, note_id).summary == stored
    response = c.hx("POST", url, data={"summary": MARKUP})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in c.get(f"/handover/notes/{note_id}").get_data(as_text=True)


def test_addendum_bad_text_is_refused_or_cleaned(app, desk):
    c, _, recipient, note_id = desk
    add(c, note_id, text="Something")
    submit(c, note_id)
    b = app.test_client()
    b.login_as(recipient)
    assert b.form(f"/handover/notes/{note_id}/acknowledge").status_code == 303
    url = f"/handover/notes/{note_id}/addenda"
    for text in ("", "  ", "\x00\x01", "x" * 2001, LONG):
        for response in (b.hx("POST", url, data={"text": text}), b.form(url, {"text": text})):
            assert response.status_code == 422 and has_error(response), repr(text[:10])
            if text.strip() and cleaned(text):
                assert form_values(response)["text"] == cleaned(text)
    assert count(app, Addendum) == 0
    for typed, stored in ACCEPTED.values():
        assert b.form(url, {"text": typed}).status_code == 303
        with app.app_context():
            assert db.session.scalar(sa.select(Addendum.text).order_by(Addendum.id.desc()).limit(1)) == stored
    assert "<script>alert(1)</script>" not in b.get(f"/handover/notes/{note_id}").get_data(as_text=True)


# --- shift definitions ----------------------------------------------------------------------------


SHIFT = {"name_en": "Late", "name_zh_hant": "晚晚班", "name_zh_hans": "晚晚班", "starts_at": "18:00", "ends_at": "02:00", "timezone": "Asia/Taipei",
         "position": "4", "active": "y"}


def test_shift_form_refuses_junk_without_500(app, as_role):
    admin, _ = as_role("admin")
    with app.app_context():
        day = db.session.scalar(sa.select(Shift).where(Shift.name_en == "Day"))
        day_id, day_before = day.id, (day.name_en, day.starts_at, day.ends_at, day.timezone, day.position, day.version)
    junk = [{"starts_at": v} for v in ("25:00", "ab", "", "\x00", "7", "07:60", "07:00:00:00", "-01:00", LONG)]
    junk += [{"ends_at": v} for v in ("24:00", "🚢", "", "1e3")]
    junk += [{"starts_at": a, "ends_at": b} for a, b in (("07:00", "07:00"), ("00:00", "00:00"), ("23:59", "23:59"))]
    junk += [{"timezone": v} for v in ("Mars/Olympus", "", "Africa/Nairobi", "Europe/Rotterdam", "../../etc/passwd", "asia/taipei",
                                       "UTC+8", LONG, "🚢")]
    junk += [{"position": v} for v in ("-1", "100", str(2**31), "9" * 30, "abc", "1.5", "1e3", "🚢")]
    junk += [{"name_en": v} for v in ("", "\x00", "x" * 41, LONG)] + [{"name_zh_hant": LONG}, {"name_zh_hans": ""}]
    failures = []
    for n, fields in enumerate(junk):  # a new shift and an edit, htmx and plain forms in turn
        typed = SHIFT | fields
        for m, url in enumerate(("/handover/shifts/new", f"/handover/shifts/{day_id}")):
            data = typed | ({"version": "1"} if m else {})
            for response in (admin.hx("POST", url, data=data) if (n + m) % 2 else admin.form(url, data),):
                if response.status_code != 422 or not has_error(response):
                    failures.append(f"{url} {fields!r:.50} -> {response.status_code}")
                elif "name_en" not in fields and form_values(response).get("name_en") != "Late":
                    failures.append(f"{url} {fields!r:.50} lost the name")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)
    equal = admin.form("/handover/shifts/new", SHIFT | {"ends_at": "18:00"})
    assert "A shift cannot start and end at the same time." in equal.get_data(as_text=True)
    assert count(app, Shift) == 3
    with app.app_context():
        day = db.session.get(Shift, day_id)
        assert (day.name_en, day.starts_at, day.ends_at, day.timezone, day.position, day.version) == day_before


def test_a_well_formed_shift_is_saved_and_a_stale_edit_is_409(app, as_role):
    """The control case for the junk above: the shift form saves what it should (new and edited
    times are recorded in the audit log), and a stale edit keeps what was typed."""
    admin, _ = as_role("admin")
    response = admin.form("/handover/shifts/new", SHIFT)
    assert response.status_code == 303, f"saving a new shift -> {response.status_code}"
    with app.app_context():
        late = db.session.scalar(sa.select(Shift).where(Shift.name_en == "Late"))
        assert (late.starts_at.isoformat(), late.ends_at.isoformat(), late.position, late.crosses_midnight) == \
            ("18:00:00", "02:00:00", 4, True)
        late_id = late.id
    response = admin.form(f"/handover/shifts/{late_id}", SHIFT | {"starts_at": "19:00", "version": "1"})
    assert response.status_code == 303, f"changing a shift's hours -> {response.status_code}"
    response = admin.form(f"/handover/shifts/{late_id}", SHIFT | {"name_en": "Early", "version": "1"})
    assert response.status_code == 409 and form_values(response)["name_en"] == "Early"
    assert count(app, Shift) == 4


# --- starting a note ------------------------------------------------------------------------------


def test_start_form_refuses_junk_ids_dates_and_addressees(app, as_role, make_user):
    c, me = as_role("agent", team="direct")
    colleague = make_user("agent", display_name="Colleague Ho")
    finance = make_user("finance")
    admin = make_user("admin")
    inactive = make_user("agent", active=False)
    with app.app_context():
        night = db.session.scalar(sa.select(Shift).where(Shift.name_en == "Night"))
        night.active = False
        db.session.commit()
        night_id = night.id
    valid = {"shift_id": str(day_shift(app)), "shift_date": DAY, "recipient_id": str(colleague.id), "team": ""}
    junk = [{"shift_id": v} for v in ("", "abc", "1.5", "-1", "0", "99999999999999999999", str(2**31),
                                      "-99999999999999999999", str(-2**31 - 1), "\x00", "²", "🚢", LONG,
                                      str(night_id), "999999")]
    junk += [{"recipient_id": v} for v in ("abc", "99999999999999999999", str(2**31), "-1", "0", "999999",
                                           str(finance.id), str(admin.id), str(inactive.id), str(me.id), "²",
                                           "１", "\x00", LONG, f"{colleague.id}.0", f" {me.id} ")]
    junk += [{"recipient_id": "", "team": v} for v in ("", "admin", "🚢", LONG, "DIRECT")]
    junk += [{"shift_date": v} for v in ("", "2026-02-30", "2026-13-01", "abc", "\x00", "23/11/2026", LONG,
                                         "2026-11-23T10:00", "-2026-11-23")]
    failures = []
    for n, fields in enumerate(junk):  # htmx and plain forms in turn
        typed = valid | fields
        for response in (c.hx("POST", "/handover/notes", data=typed) if n % 2 else c.form("/handover/notes", typed),):
            if response.status_code != 422 or not has_error(response):
                failures.append(f"{fields!r:.60} -> {response.status_code}")
                continue
            shown = form_values(response)
            if "shift_date" not in fields and shown.get("shift_date") != DAY:
                failures.append(f"{fields!r:.60} lost the date")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)
    assert count(app, HandoverNote) == 0
    assert start(c, app, colleague) > 0


@pytest.mark.parametrize("shift_date", ["0001-01-01", "9999-12-31"])
def test_note_on_a_date_at_the_edge_of_the_calendar_is_refused(app, as_role, make_user, shift_date):
    c, _ = as_role("agent")
    b, colleague = as_role("agent")
    response = c.form("/handover/notes", {"shift_id": day_shift(app), "shift_date": shift_date,
                                          "recipient_id": colleague.id, "team": ""})
    assert response.status_code == 422 and has_error(response)   # outside the working years (2000-2100)
    assert count(app, HandoverNote) == 0


# --- history filters -------------------------------------------------------------------------------


def test_history_filters_with_junk_are_200(app, desk, make_customer):
    c, writer, _, note_id = desk
    add(c, note_id, text="Something")
    submit(c, note_id)
    cursors = ["garbage", "%FF%FE", "A" * 600, "%00", "WyIyMDI2LTEzLTQ1IiwxXQ", "WzEsMiwzXQ",
               "WyJ4Iiw5OTk5OTk5OTk5OTk5OTk5OTk5OV0"]  # ["2026-13-45",1], [1,2,3], ["x",99999999999999999999]
    queries = [f"from={v}" for v in ("2026-13-01", "abc", "%00", "0000-01-01", "9999-99-99", "2026-02-30", "x" * 5000,
                                     "-1", "%F0%9F%9A%A2", "0001-01-01", "9999-12-31")]
    queries += [f"to={v}" for v in ("2026-13-01", "%00", "9999-12-31", "")] + ["from=2026-12-01&to=2026-01-01"]
    queries += [f"agent={v}" for v in ("99999999999999999999", str(2**31), "-1", "0", "abc", "%C2%B2", "%EF%BC%91",
                                       "%D9%A3", "%00", "1.5", "1e3", str(writer.id) + "%00")]
    queries += [f"customer={quote(v)}" for v in ("%", "_", "\x00", "🚢", "長" * 3000, "' OR 1=1 --", "t-0001", " ")]
    queries += [f"q={quote(v)}" for v in ("%", "_", "\\", "\x00", "x" * 5000, "長" * 3000, "%_\\", "'", "\"")]
    queries += [f"after={v}" for v in cursors] + ["q=a&q=b", "lang=xx", "agent=1&agent=2"]
    failures = []
    for n, query in enumerate(queries):  # the page and the htmx results in turn
        url = f"/handover/history?{query}"
        for response in (c.hx("GET", url) if n % 2 else c.get(url),):
            if response.status_code != 200:
                failures.append(f"/handover/history?{query[:60]} -> {response.status_code}")
    print("\n".join(failures))
    assert not failures, "\n".join(failures)


def test_history_search_never_treats_symbols_as_wildcards_and_junk_codes_match_nothing(app, as_role, make_user,
                                                                                  make_customer):
    c, writer = as_role("agent")
    other = make_user("agent")
    make_customer(writer, code="LIT-1")
    texts = {"pct": "100% on board", "und": "under_score booking", "bsl": "back\\slash form", "pln": "plain text"}
    notes = {}
    for key, text in texts.items():
        note_id = start(c, app, other)
        add(c, note_id, text=text, customer_code="LIT-1" if key == "pln" else "")
        submit(c, note_id)
        notes[key] = note_id

    def found(query):
        response = c.hx("GET", f"/handover/history?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        return {key for key, note_id in notes.items() if f'href="/handover/notes/{note_id}"' in page}

    assert found("") == set(notes)
    for q, expected in (("%", set()), ("100%", {"pct"}), ("_", set()), ("under_score", {"und"}), ("\\", set()),
                        ("back\\slash", {"bsl"}), ("%_", set()), ("\\%", set()), ("[a-z]", set()), ("*", set()),
                        ("PLAIN", {"pln"})):
        assert found(f"q={quote(q)}") == expected, q
    assert found("customer=lit-1") == {"pln"}
    for code in ("%", "_", "LIT-%", "LIT_1", "NOPE-1", "🚢"):
        assert found(f"customer={quote(code)}") == set(), code  # an unknown code matches nothing
    assert found("agent=99999999999999999999") == set(notes)  # a junk agent is no filter, not an error
    assert found(f"agent={other.id}") == set(notes)
    assert found(f"agent={make_user('agent').id}") == set()
