"""R-V6: complaint cases with a closed loop, the 1-hour clock for urgent ones, evidence files, claims,
the satisfaction call-back; operations review meetings and their action items; R-V7 care reminders."""
import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from portal.auth.models import User
from portal.core import nav, timeline
from portal.core.clock import now, today
from portal.core.rules import RuleViolation
from portal.customers import rules as customer_rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.visits import care, queries, rules, workdays
from portal.visits.models import CaseState, CaseStep, Channel, ClaimState, Purpose, Severity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _people(world):
    return (db.session.get(User, world.agent.id), db.session.get(User, world.other.id),
            db.session.get(User, world.lead.id))


def _customer(world, code):
    return db.session.get(Customer, world.customers[code])


def _case(actor, customer, severity=Severity.URGENT, **values):
    return rules.open_case(actor, customer, rules.CaseFields(**({
        "channel": Channel.PHONE, "category": "damage", "severity": severity,
        "summary": "Cartons wet on arrival", "description": "Two pallets of electronics wet at Los Angeles",
        "reported_by": "張經理"} | values)))


def test_an_urgent_complaint_gets_its_first_response_within_the_hour(app, clock, world, ctx):
    """R-V6: the clock starts at receipt; at 59 minutes nothing is flagged, past the hour the
    supervisors are alerted (once), and a late response is recorded as late."""
    agent, _other, lead = _people(world)
    case = _case(agent, _customer(world, "VA-A"))
    db.session.commit()
    assert case.response_due_at == case.received_at + timedelta(hours=1)
    assert case.number.startswith(f"CC{today('Asia/Taipei').year}-") and case.owner_id == agent.id
    clock.advance(minutes=59)
    assert rules.escalate_overdue_responses() == 0 and not case.response_overdue(now())
    assert queries.late_responses(now()) == 0
    clock.advance(minutes=2)
    assert case.response_overdue(now())
    assert rules.escalate_overdue_responses() == 1
    assert rules.escalate_overdue_responses() == 0          # once
    db.session.commit()
    assert queries.late_responses(now()) == 1
    assert [e.step for e in case.events] == [CaseStep.RECEIVED, CaseStep.ESCALATED]
    rules.respond(agent, case, case.version, "Apologised; surveyor booked for tomorrow 09:00")
    assert case.state == CaseState.RESPONDED and case.responded_late()
    assert queries.late_responses(now()) == 0


def test_a_normal_complaint_has_a_working_day_and_is_never_escalated(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    case = _case(agent, _customer(world, "VA-A"), severity=Severity.NORMAL, category="billing",
                 summary="Invoice charged THC twice")
    assert case.response_due_at == case.received_at + timedelta(hours=24)
    clock.advance(hours=30)
    assert rules.escalate_overdue_responses() == 0


def test_the_loop_closes_only_with_the_satisfaction_call_back(app, clock, world, ctx):
    """R-V6: response, evidence, root cause / solution / prevention, the claim settled, then the
    call-back with a score closes the case; every step is on the customer's timeline."""
    agent, _other, _lead = _people(world)
    customer = _customer(world, "VA-A")
    case = _case(agent, customer)
    with pytest.raises(RuleViolation):
        rules.resolve(agent, case, case.version, "a", "b", "c")           # no first response yet
    rules.respond(agent, case, case.version, "We are on it")
    rules.add_evidence(agent, case, "surveyor-report.pdf", PDF, "Surveyor's report")
    with pytest.raises(RuleViolation) as refused:
        rules.call_back(agent, case, case.version, 4, "Happy")             # not resolved yet
    with pytest.raises(RuleViolation) as refused:
        rules.resolve(agent, case, case.version, "Reefer plug failed", "Cargo re-packed", "")
    assert refused.value.field == "prevention"
    rules.resolve(agent, case, case.version, "Container roof damaged, not inspected at gate-in",
                  "Damaged cartons replaced at our cost", "Roof inspection added to the gate-in checklist")
    rules.update_claim(agent, case, case.version, ClaimState.FILED, Decimal("3200.00"), "USD")
    with pytest.raises(RuleViolation):
        rules.call_back(agent, case, case.version, 4, "Happy")             # the claim is still open
    rules.update_claim(agent, case, case.version, ClaimState.PAID, Decimal("3200.00"), "USD")
    for score in (0, 6, None):
        with pytest.raises(RuleViolation) as refused:
            rules.call_back(agent, case, case.version, score, "Happy")
        assert refused.value.field == "satisfaction"
    entry = rules.call_back(agent, case, case.version, "4", "Satisfied with the replacement")
    db.session.commit()
    assert case.state == CaseState.CLOSED and case.satisfaction == 4 and case.closed_at is not None
    assert (entry.purpose, entry.satisfaction, entry.source_type) == (Purpose.COMPLAINT, 4, "complaint_case")
    steps = [e.step for e in case.events]
    assert steps == [CaseStep.RECEIVED, CaseStep.RESPONDED, CaseStep.EVIDENCE, CaseStep.RESOLVED, CaseStep.CLAIM,
                     CaseStep.CLAIM, CaseStep.CALLBACK, CaseStep.CLOSED]
    entries = timeline.timeline_for(app, customer.id, agent, 50, {"case"})
    assert len(entries) == len(steps) and entries[0].data["step"] in (CaseStep.CLOSED, CaseStep.CALLBACK)
    with pytest.raises(RuleViolation):
        rules.respond(agent, case, case.version, "again")


def test_evidence_is_checked_and_kept_by_its_checksum_outside_the_web_root(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    case = _case(agent, _customer(world, "VA-A"))
    for name, data in (("photo.jpg", b"GIF89a not a jpeg at all"), ("report.pdf", JPEG), ("notes.txt", b"hello"),
                       ("run.exe", b"MZ\x90\x00"), ("photo.jpg", b"")):
        with pytest.raises(RuleViolation) as refused:
            rules.add_evidence(agent, case, name, data)
        assert refused.value.field == "file"
    too_big = b"%PDF-1.4\n" + b"0" * app.config["EVIDENCE_MAX_BYTES"]
    with pytest.raises(RuleViolation) as refused:
        rules.add_evidence(agent, case, "big.pdf", too_big)
    assert "MB" in str(refused.value.message)
    evidence = rules.add_evidence(agent, case, "../../etc/相片 1.jpg", JPEG, "Wet cartons")
    again = rules.add_evidence(agent, case, "same.jpg", JPEG)
    digest = hashlib.sha256(JPEG).hexdigest()
    assert evidence.sha256 == again.sha256 == digest and evidence.filename == "相片 1.jpg"
    path = rules.evidence_path(digest)
    assert path.read_bytes() == JPEG
    assert Path(app.instance_path) in path.parents and Path(app.static_folder) not in path.parents
    assert rules.read_evidence(evidence) == JPEG


def test_a_shipment_or_quote_of_another_customer_is_refused(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        _case(agent, _customer(world, "VA-A"), shipment_ref="NO-SUCH-BL")
    assert refused.value.field == "shipment_ref"
    with pytest.raises(RuleViolation) as refused:
        _case(agent, _customer(world, "VA-A"), quote_ref="Q-0000")
    assert refused.value.field == "quote_ref"


def test_the_handler_or_a_supervisor_works_the_case(app, clock, world, ctx):
    agent, other, lead = _people(world)
    case = _case(agent, _customer(world, "VA-A"))
    with pytest.raises(RuleViolation):
        rules.respond(other, case, case.version, "Not mine")
    rules.reassign_case(lead, case, case.version, other)
    rules.respond(other, case, case.version, "Mine now")
    with pytest.raises(RuleViolation):
        rules.reassign_case(agent, case, case.version, agent)


def test_supervisors_see_the_late_count_in_their_navigation(app, clock, world):
    with app.test_request_context():
        agent = db.session.get(User, world.agent.id)
        _case(agent, db.session.get(Customer, world.customers["VA-A"]))
        db.session.commit()
    clock.advance(minutes=75)
    with app.test_request_context():
        counts = nav.counts_for(app, db.session.get(User, world.lead.id), fresh=True)
        assert counts["visits"].count == 1
        counts = nav.counts_for(app, db.session.get(User, world.agent.id), fresh=True)
        assert counts["visits"].title.startswith("Customers overdue")


# --- operations review meetings ----------------------------------------------------------------------------


def test_a_review_meeting_keeps_minutes_and_action_items_until_done(app, clock, world, ctx):
    agent, other, lead = _people(world)
    customer = _customer(world, "VA-A")
    in_three_days = today("Asia/Taipei") + timedelta(days=3)
    with pytest.raises(RuleViolation) as refused:
        rules.record_meeting(agent, customer, None, "", [])
    assert refused.value.field == "minutes"
    with pytest.raises(RuleViolation) as refused:
        rules.record_meeting(agent, customer, None, "Quarterly review",
                             [rules.ActionFields("Report on the delays", agent, today("Asia/Taipei") - timedelta(days=1))])
    assert "action 1" in str(refused.value.message)
    meeting = rules.record_meeting(agent, customer, now() - timedelta(hours=2), "Quarterly review: volumes up 12%",
                                   [rules.ActionFields("Report on the delays", agent, in_three_days),
                                    rules.ActionFields("Ask operations for the dwell times", other, in_three_days)],
                                   attendees_ours="Mei Chen, Sue Lin", attendees_customer="張經理", satisfaction=4)
    db.session.commit()
    assert meeting.entry.channel == Channel.MEETING and meeting.entry.purpose == Purpose.OPERATIONS_REVIEW
    assert queries.cadence_of(customer.id).last_revisit_at == meeting.held_at     # a review is a revisit
    assert [a.text for a in queries.open_action_items(other.id)] == ["Ask operations for the dwell times"]
    item = queries.open_action_items(other.id)[0]
    with pytest.raises(RuleViolation):
        rules.finish_action_item(agent, item, item.version)
    rules.finish_action_item(other, item, item.version)
    assert queries.open_action_items(other.id) == []


# --- care reminders (R-V7) --------------------------------------------------------------------------------


def test_birthdays_of_the_week_with_a_greeting_in_the_contacts_language(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    day = today("Asia/Taipei")
    monday = rules.start_of_week(day)
    hans = _customer(world, "VA-D")                 # prefers Simplified Chinese
    contact = hans.contacts[0]
    customer_rules.update_contact(agent, hans, contact, contact.version, {
        "name": contact.name, "phone": contact.phone, "is_primary": True,
        "birthday": monday.replace(year=1980) + timedelta(days=4)})
    db.session.commit()
    found = queries.birthdays(agent.id, monday, monday + timedelta(days=6))
    assert [(d, c.id) for d, c in found] == [(monday + timedelta(days=4), contact.id)]
    rows = care.rows(found, [], [], agent)
    assert "生日快乐" in rows[0].greeting and rows[0].greeting.endswith(agent.display_name)
    rules.greet(agent, contact, rows[0].occasion, Channel.CHAT, rows[0].greeting)
    with pytest.raises(RuleViolation):
        rules.greet(agent, contact, rows[0].occasion, Channel.CHAT, rows[0].greeting)
    db.session.commit()
    assert care.rows(found, [], [], agent)[0].greeted.purpose == Purpose.CARE


def test_festival_greetings_in_the_week_of_the_festival(app, clock, world, ctx):
    """The festivals' days come from the holidays library: the week before Mid-Autumn, every
    customer's main contact is listed, greeted in the customer's language."""
    agent, _other, _lead = _people(world)
    mid_autumn = workdays.festivals(today("Asia/Taipei").year + 1)["mid_autumn"]
    clock.move_to(datetime.combine(mid_autumn - timedelta(days=5), time(2, 0)))
    day = today("Asia/Taipei")
    first = rules.start_of_week(day)
    festivals = workdays.festivals_between(first, first + timedelta(days=13))
    assert ("mid_autumn", mid_autumn) in festivals
    page = queries.festival_page(agent.id)
    rows = [r for r in care.rows([], festivals, page.items, agent) if r.kind == "mid_autumn"]
    assert {r.customer.code for r in rows} == {"VA-A", "VA-C", "VA-D"}
    by_code = {r.customer.code: r.greeting for r in rows}
    assert "中秋節快樂" in by_code["VA-A"] and "中秋节快乐" in by_code["VA-D"]
