"""Visits through the web: logging a call from the customer's page, bad input answered in the
user's language (422, nothing lost, never a 500), the calendar and its iCalendar feed, complaint
cases end to end with evidence, the customer's timeline by kind and page, review meetings on the
handover desk, care reminders, settings and a leaver's work."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from portal.core.clock import now, today
from portal.extensions import db
from portal.visits import rules
from portal.visits.models import (ActionItem, CaseState, ComplaintCase, ContactEntry, Evidence, PlannedVisit,
                                  VisitState)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _client(app, user):
    c = app.test_client()
    c.login_as(user)
    return c


def _local(moment: datetime) -> str:
    """A naive UTC moment as a Taipei datetime-local input value."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def _day(offset=0) -> str:
    return (today("Asia/Taipei") + timedelta(days=offset)).isoformat()


def test_an_agent_logs_a_call_from_the_customers_page(app, clock, world):
    """R-V1 in a few actions: the panel's form posts by htmx, the panel and the timeline refresh,
    and the customer leaves the overdue list (R-V2)."""
    cid = world.customers["VA-A"]
    clock.advance(days=5)                       # created five days ago, grade A: overdue by now
    agent = _client(app, world.agent)
    desk = agent.get("/visits").get_data(as_text=True)
    overdue = desk.split('id="due-overdue-list"')[1].split("</table>")[0]
    assert "VA-A" in overdue
    page = agent.get(f"/customers/{cid}").get_data(as_text=True)
    assert 'id="visits-panel"' in page and "Log a call" in page
    response = agent.hx("POST", f"/visits/customers/{cid}/contact", data={
        "channel": "phone", "purpose": "regular_revisit", "notes": "Asked about the Lunar New Year space",
        "outcome": "Books 3x40HQ for week 5", "satisfaction": "5", "contact_id": ""})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "customerChanged" in response.headers["HX-Trigger"] and "toast" in response.headers["HX-Trigger"]
    assert 'id="visits-panel"' in response.get_data(as_text=True)
    timeline = agent.hx("GET", f"/customers/{cid}/timeline").get_data(as_text=True)
    assert "Phone call: Regular revisit" in timeline and "Asked about the Lunar New Year space" in timeline
    desk = agent.get("/visits").get_data(as_text=True)
    assert "VA-A" not in desk.split('id="due-overdue"')[1].split('id="due-today"')[0]


def test_a_call_refused_keeps_what_was_typed_and_says_why_in_the_users_language(app, clock, world):
    agent = _client(app, world.agent)
    cid = world.customers["VA-A"]
    data = {"channel": "phone", "purpose": "regular_revisit", "notes": "報價追蹤 follow-up call",
            "next_action": "Send the schedule", "next_due_on": _day(-1), "satisfaction": "3"}
    response = agent.hx("POST", f"/visits/customers/{cid}/contact", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "due date has passed" in body and "報價追蹤 follow-up call" in body
    assert 'id="visits-panel"' in body and "<details class=\"inline-form\" id=\"log-call\" open" in body
    response = agent.hx("POST", f"/visits/customers/{cid}/contact?lang=zh_Hant", data=data | {"next_due_on": _day()})
    assert response.status_code == 200
    response = agent.hx("POST", f"/visits/customers/{cid}/contact?lang=zh_Hant",
                        data=data | {"next_due_on": _day(), "satisfaction": "9"})
    assert response.status_code == 422 and "滿意度" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactEntry)) == 1


def test_plain_forms_work_without_javascript(app, clock, world):
    agent = _client(app, world.agent)
    response = agent.form("/visits/log/new", {"customer": "va-c", "channel": "email", "purpose": "rate_review",
                                              "notes": "Sent the Q2 rates"})
    assert response.status_code == 303 and "/visits/log/" in response.location
    response = agent.form("/visits/log/new", {"customer": "NOPE", "channel": "email", "purpose": "rate_review",
                                              "notes": "Sent the Q2 rates"})
    assert response.status_code == 422 and "No customer has this code" in response.get_data(as_text=True)
    log = agent.get("/visits/log?q=Q2").get_data(as_text=True)
    assert "Sent the Q2 rates" in log


@pytest.mark.parametrize("lang, word", [("en", "looked after by"), ("zh_Hant", "負責"), ("zh_Hans", "负责")])
def test_a_visit_for_someone_elses_customer_is_refused_in_words(app, clock, world, lang, word):
    agent = _client(app, world.agent)
    start = now() + timedelta(days=2)
    response = agent.form(f"/visits/calendar/new?lang={lang}", {
        "customer": "VO-B", "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=1)),
        "purpose": "regular_revisit", "place": "Keelung"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert word in body and 'value="Keelung"' in body


def test_overlapping_visits_are_refused_and_the_form_keeps_its_values(app, clock, world):
    agent = _client(app, world.agent)
    start = (now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    values = {"customer": "VA-A", "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=2)),
              "purpose": "regular_revisit", "place": "Taipei"}
    assert agent.form("/visits/calendar/new", values).status_code == 303
    response = agent.hx("POST", "/visits/calendar/new", data=values | {
        "customer": "VA-C", "starts_at": _local(start + timedelta(hours=1)), "place": "新北市"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "has a visit to 長榮精密" in body and 'value="新北市"' in body
    response = agent.form("/visits/calendar/new?lang=zh_Hans", values | {"customer": "VA-C"})
    assert response.status_code == 422 and "已有" in response.get_data(as_text=True)


def test_the_calendar_in_three_languages_starts_weeks_on_monday(app, clock, world):
    agent = _client(app, world.agent)
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        start = (now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        rules.plan_visit(db.session.get(User, world.agent.id), db.session.get(Customer, world.customers["VA-A"]),
                         rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=1)))
        db.session.commit()
    for lang, monday in (("en", "Mon"), ("zh_Hant", "週一"), ("zh_Hans", "周一")):
        for view in ("month", "week"):
            body = agent.get(f"/visits/calendar?view={view}&lang={lang}").get_data(as_text=True)
            weekdays = re.search(r'<ol class="cal-weekdays"[^>]*><li>([^<]+)</li>', body).group(1)
            assert weekdays == monday, (lang, view, weekdays)
            assert "長榮精密" in body
    team = agent.get("/visits/calendar?agent=team").get_data(as_text=True)
    assert "陳美玲 Mei Chen" in team


def test_the_calendar_feed_is_private_parsable_and_revocable(app, clock, world):
    agent = _client(app, world.agent)
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        start = (now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        visit = rules.plan_visit(db.session.get(User, world.agent.id), db.session.get(Customer, world.customers["VA-C"]),
                                 rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=2),
                                                   place="高雄市前鎮區", agenda="Rates for 2027"))
        visit_id = visit.id
        db.session.commit()
    assert agent.form("/visits/calendar/feed", {}).status_code == 303
    page = agent.get("/visits/calendar/feed").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    path = url.split("localhost", 1)[1]
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Visit: Huayi Trading" and str(event["location"]) == "高雄市前鎮區"
    assert event.decoded("dtstart").replace(tzinfo=None) == start
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert str(event["uid"]).startswith(f"visit-{visit_id}@") and "Rates for 2027" in str(event["description"])
    # A wrong token, a malformed one and a revoked one answer like any missing page.
    assert anonymous.get(path.replace(path[-10:-4], "AAAAAA")).status_code == 404
    assert anonymous.get("/visits/feed/short.ics").status_code == 404
    assert agent.form("/visits/calendar/feed/revoke", {}).status_code == 303
    assert anonymous.get(path).status_code == 404
    # A new address works; the old one stays dead.
    agent.form("/visits/calendar/feed", {})
    new = re.search(r'value="(http[^"]+\.ics)"', agent.get("/visits/calendar/feed").get_data(as_text=True)).group(1)
    assert new != url and anonymous.get(new.split("localhost", 1)[1]).status_code == 200
    assert anonymous.get(path).status_code == 404


def test_the_feed_is_in_the_users_language(app, clock, make_user, make_customer):
    user = make_user("agent", "zhou", display_name="周小芳", locale="zh_Hans")
    cid = make_customer(user, code="ZH-1", name_zh="深圳华强电子", name_en="Huaqiang", preferred_locale="zh_Hans")
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        person = db.session.get(User, user.id)
        start = now() + timedelta(days=1)
        rules.plan_visit(person, db.session.get(Customer, cid), rules.VisitFields(starts_at=start,
                                                                                ends_at=start + timedelta(hours=1)))
        _feed, token = rules.make_feed(person, app.config["SECRET_KEY"])
        db.session.commit()
    body = Calendar.from_ical(app.test_client().get(f"/visits/feed/{token}.ics").data)
    assert "深圳华强电子" in str(list(body.walk("VEVENT"))[0]["summary"])


def test_a_complaint_from_received_to_closed_through_the_web(app, clock, world):
    agent = _client(app, world.agent)
    response = agent.form("/visits/cases/new", {
        "customer": "VA-A", "channel": "phone", "received_at": _local(now()), "reported_by": "張經理",
        "category": "damage", "severity": "urgent", "summary": "Cartons wet on arrival"})
    assert response.status_code == 303
    case_url = response.location
    page = agent.get(case_url).get_data(as_text=True)
    assert "First response due in 1 hour" in page or "First response due in 60 minutes" in page
    clock.advance(minutes=70)
    from portal.visits import tasks
    assert tasks.escalate_late_responses.call_local() == 1      # the job the worker runs every minute
    page = agent.get(case_url).get_data(as_text=True)
    assert "First response overdue by 10 minutes" in page
    with app.app_context():
        case = db.session.scalar(sa.select(ComplaintCase))
        version = case.version
    assert agent.form(f"{case_url}/respond", {"note": "Apologised; surveyor booked", "version": version}).status_code == 303
    # Evidence: the wrong type, then a photo.
    response = agent.post(f"{case_url}/evidence", data={"csrf_token": agent.token(), "file": (
        __import__("io").BytesIO(b"just text"), "photo.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Evidence is a photo" in response.get_data(as_text=True)
    response = agent.post(f"{case_url}/evidence", data={"csrf_token": agent.token(), "description": "Wet cartons",
                                                        "file": (__import__("io").BytesIO(JPEG), "wet.jpg")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        evidence = db.session.scalar(sa.select(Evidence))
        version = db.session.get(ComplaintCase, evidence.case_id).version
    download = agent.get(f"{case_url}/evidence/{evidence.id}")
    assert download.data == JPEG and download.mimetype == "image/jpeg"
    assert agent.form(f"{case_url}/resolve", {"root_cause": "Roof damage", "solution": "Replaced at our cost",
                                              "prevention": "Roof check at gate-in", "version": version}
                      ).status_code == 303
    with app.app_context():
        version = db.session.scalar(sa.select(ComplaintCase.version))
    response = agent.form(f"{case_url}/callback", {"satisfaction": "7", "note": "OK", "version": version})
    assert response.status_code == 422 and "Satisfaction is a score from 1 to 5" in response.get_data(as_text=True)
    assert agent.form(f"{case_url}/callback", {"satisfaction": "4", "note": "Happy with the replacement",
                                               "channel": "phone", "version": version}).status_code == 303
    with app.app_context():
        case = db.session.scalar(sa.select(ComplaintCase))
        assert case.state == CaseState.CLOSED and case.satisfaction == 4
    timeline = agent.get(f"/customers/{world.customers['VA-A']}/timeline?kind=case").get_data(as_text=True)
    for step in ("Complaint received", "First response overdue", "First response", "Evidence added",
                 "Satisfaction call-back", "Case closed"):
        assert step in timeline


def test_an_evidence_file_too_large_is_refused_in_words_not_a_500(app, clock, world, monkeypatch):
    # A small limit for the test (the client keeps bodies under 500 KB in memory).
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 200 * 1024)
    agent = _client(app, world.agent)
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        case = rules.open_case(db.session.get(User, world.agent.id), db.session.get(Customer, world.customers["VA-A"]),
                               rules.CaseFields(channel="email", category="documents", severity="low",
                                                summary="B/L typo"))
        case_id = case.id
        db.session.commit()
    limit = app.config["EVIDENCE_MAX_BYTES"]
    for size, lang, words in ((limit + 10, "en", "at most 0.2 MB"), (limit + 100 * 1024, "zh_Hant", "0.2 MB")):
        big = b"%PDF-1.4\n" + b"0" * size
        response = agent.post(f"/visits/cases/{case_id}/evidence?lang={lang}", data={
            "csrf_token": agent.token(), "file": (__import__("io").BytesIO(big), "scan.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 422, response.status_code
        assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_the_timeline_filters_by_kind_and_reads_a_page_at_a_time(app, clock, world):
    cid = world.customers["VA-A"]
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        person, customer = db.session.get(User, world.agent.id), db.session.get(Customer, cid)
        clock.advance(days=2)         # every mail after the customer was made
        for n in range(app.config["PAGE_SIZE"] + 5):
            rules.log_contact(person, customer, rules.ContactFields(
                channel="email", purpose="rate_review", notes=f"Rates mail {n:02d}",
                at=now() - timedelta(hours=30 - n)))
        start = now() + timedelta(days=2)
        rules.plan_visit(person, customer, rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=1)))
        db.session.commit()
    agent = _client(app, world.agent)
    first = agent.get(f"/customers/{cid}").get_data(as_text=True)
    assert first.count("Rates mail") == app.config["PAGE_SIZE"] - 1     # the visit ahead is the newest
    more = re.search(r'hx-get="(/customers/\d+/timeline\?after=[^"]+)"', first).group(1).replace("&amp;", "&")
    rest = agent.hx("GET", more).get_data(as_text=True)
    shown = set(re.findall(r"Rates mail \d\d", first)) | set(re.findall(r"Rates mail \d\d", rest))
    assert len(shown) == app.config["PAGE_SIZE"] + 5 and "Customer created" in rest
    visits = agent.hx("GET", f"/customers/{cid}/timeline?kind=visit").get_data(as_text=True)
    assert "Rates mail" not in visits and "Visit: Regular revisit" in visits
    assert 'value="visit" checked' in visits


def test_review_meeting_action_items_sit_on_the_owners_handover_desk(app, clock, world):
    agent = _client(app, world.agent)
    data = {"customer": "VA-A", "held_at": _local(now() - timedelta(hours=1)), "minutes": "Quarterly review",
            "attendees_ours": "Mei", "actions-0-text": "Report on the delays", "actions-0-owner_id": str(world.other.id),
            "actions-0-due_on": _day(-1)}
    response = agent.form("/visits/meetings/new", data)
    assert response.status_code == 422 and "The due date of action 1 has passed" in response.get_data(as_text=True)
    response = agent.form("/visits/meetings/new", data | {"actions-0-due_on": _day(2)})
    assert response.status_code == 303
    other = _client(app, world.other)
    desk = other.get("/handover").get_data(as_text=True)
    assert "Action items from review meetings" in desk and "Report on the delays" in desk
    with app.app_context():
        item = db.session.scalar(sa.select(ActionItem))
    assert other.form(f"/visits/actions/{item.id}/done", {"version": item.version, "back": "/handover"}).location \
        .endswith("/handover")
    assert "Report on the delays" not in other.get("/handover").get_data(as_text=True)


def test_care_reminders_list_this_weeks_birthdays_and_log_the_greeting(app, clock, world):
    agent = _client(app, world.agent)
    monday = rules.start_of_week(today("Asia/Taipei"))
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers import rules as customer_rules
        from portal.customers.models import Customer
        customer = db.session.get(Customer, world.customers["VA-C"])
        contact = customer.contacts[0]
        customer_rules.update_contact(db.session.get(User, world.agent.id), customer, contact, contact.version,
                                      {"name": contact.name, "is_primary": True,
                                       "birthday": (monday + timedelta(days=2)).replace(year=1975)})
        db.session.commit()
        contact_id = contact.id
    page = agent.get("/visits/care").get_data(as_text=True)
    assert "張經理" in page and "Birthday" in page
    occasion = re.search(r'name="occasion" value="([^"]+)"', page).group(1)
    assert agent.form("/visits/care/greet", {"contact_id": contact_id, "occasion": occasion, "channel": "chat",
                                             "text": "生日快樂！"}).status_code == 303
    assert "✓" in agent.get("/visits/care").get_data(as_text=True)
    assert agent.form("/visits/care/greet", {"contact_id": contact_id, "occasion": occasion, "channel": "chat",
                                             "text": "again"}).status_code == 303   # refused: flashed, not saved
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactEntry)) == 1


def test_supervisors_set_the_cadence_and_see_the_team(app, clock, world):
    lead = _client(app, world.lead)
    page = lead.get("/visits/settings").get_data(as_text=True)
    versions = dict(re.findall(r'name="(version(?:_[a-d])?)" type="hidden" value="(\d+)"', page)) or \
        dict(re.findall(r'id="(version(?:_[a-d])?)" name="version(?:_[a-d])?" type="hidden" value="(\d+)"', page))
    data = {"contact_a": "1", "revisit_a": "30", "contact_b": "2", "revisit_b": "45", "contact_c": "5",
            "revisit_c": "90", "contact_d": "40", "revisit_d": "200", "dormant_days": "20"} | versions
    response = lead.form("/visits/settings", data)
    assert response.status_code == 422 and "30 to 1,095 days" in response.get_data(as_text=True)
    assert lead.form("/visits/settings", data | {"dormant_days": "150"}).status_code == 303
    team = lead.get("/visits/team").get_data(as_text=True)
    assert "陳美玲 Mei Chen" in team and "Revisits on cadence" in team
    assert _client(app, world.agent).get("/visits/team").status_code == 403


def test_the_customer_profile_warns_of_an_agreement_ending(app, clock, world):
    agent = _client(app, world.agent)
    cid = world.customers["VA-A"]
    with app.app_context():
        from portal.customers.models import Customer
        version = db.session.get(Customer, cid).version
    values = {"code": "VA-A", "name_zh": "長榮精密", "name_en": "Evergrowth Precision", "kind": "direct",
              "source": "self_sourced", "preferred_locale": "zh_Hant", "version": version,
              "legal_representative": "王永慶", "business_licence_no": "91310000MA1K4XXXX",
              "business_scope": "精密機械進出口", "cooperating_since": _day(-800),
              "agreement_starts_on": _day(-340), "agreement_ends_on": _day(-345)}
    response = agent.form(f"/customers/{cid}/edit", values)
    assert response.status_code == 422 and "cannot end before it starts" in response.get_data(as_text=True)
    assert agent.form(f"/customers/{cid}/edit", values | {"agreement_ends_on": _day(12)}).status_code == 303
    page = agent.get(f"/customers/{cid}").get_data(as_text=True)
    assert "王永慶" in page and "Ends in 12 days" in page and "2 years" in page
    desk = agent.get("/visits").get_data(as_text=True)
    assert "Ends in 12 days" in desk


def test_a_leavers_visits_work_is_handed_over_by_a_supervisor(app, clock, world):
    lead = _client(app, world.lead)
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        start = now() + timedelta(days=4)
        rules.plan_visit(db.session.get(User, world.agent.id), db.session.get(Customer, world.customers["VA-A"]),
                         rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=1)))
        db.session.commit()
    page = lead.get(f"/visits/hand-over/{world.agent.id}").get_data(as_text=True)
    assert "1 piece of visits work" in page
    assert lead.form(f"/visits/hand-over/{world.agent.id}", {"receiver_id": world.other.id}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(PlannedVisit.agent_id)) == world.other.id
        assert db.session.scalar(sa.select(PlannedVisit.state)) == VisitState.PLANNED


def test_a_handover_item_links_a_complaint_case(app, clock, world):
    """core.links: handover names the case (it never imports visits) and links its page."""
    with app.test_request_context():
        from portal.auth.models import User
        from portal.customers.models import Customer
        case = rules.open_case(db.session.get(User, world.agent.id), db.session.get(Customer, world.customers["VA-A"]),
                               rules.CaseFields(channel="phone", category="delay", severity="normal",
                                                summary="Rolled to the next vessel"))
        case_id, number = case.id, case.number
        db.session.commit()
    agent = _client(app, world.agent)
    note_url = agent.form("/handover/notes", {"shift_id": "1", "shift_date": today("Asia/Taipei").isoformat(),
                                              "recipient_id": str(world.other.id)}).location
    assert agent.form(f"{note_url}/items", {"text": "Call back about the roll", "priority": "urgent",
                                            "category": "other", "subject_type": "complaint_case",
                                            "subject_ref": number.lower()}).status_code == 303
    page = agent.get(note_url).get_data(as_text=True)
    assert f'href="/visits/cases/{case_id}"' in page and "Rolled to the next vessel" in page
