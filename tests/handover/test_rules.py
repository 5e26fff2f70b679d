"""Shift handover rules R-H1 to R-H4, called directly."""
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.audit import AuditEntry
from portal.core.policy import can
from portal.core.rules import RuleViolation, StaleRecord
from portal.customers import rules as customer_rules
from portal.extensions import db
from portal.handover import queries, rules
from portal.handover.models import HandoverItem, HandoverNote, NoteEntry, Shift
from tests.conftest import reference_moment

# The shift date of these tests: the day the frozen clock stands on (see the `clock` fixture).
DAY = reference_moment().date()


@pytest.fixture
def people(make_user, clock, ctx):
    users = {name: make_user(role, display_name=name, team=team) for name, role, team in (
        ("A", "agent", "direct"), ("B", "agent", "direct"), ("C", "agent", "peer"), ("lead", "supervisor", None))}
    return {name: db.session.get(User, u.id) for name, u in users.items()}


def shift(name="Day") -> Shift:
    return db.session.scalar(sa.select(Shift).where(Shift.name_en == name))


def handed_over(author, to, texts, team=None):
    note, _ = rules.start_note(author, shift(), DAY, to, team)
    items = [rules.add_item(author, note, {"text": t, "priority": "normal", "category": "other"}) for t in texts]
    rules.submit_note(author, note)
    db.session.commit()
    return note, items


def test_R_H1_a_note_belongs_to_a_shift_date_and_addressee(people):
    note, _ = rules.start_note(people["A"], shift(), DAY, people["B"])
    assert (note.shift.name_en, note.shift_date, note.author_id, note.recipient_id) == ("Day", DAY, people["A"].id, people["B"].id)
    team_note, _ = rules.start_note(people["B"], shift("Evening"), DAY, None, "direct")
    assert team_note.team == "direct" and team_note.recipient_id is None
    with pytest.raises(RuleViolation):
        rules.start_note(people["C"], shift(), DAY, None, None)
    with pytest.raises(RuleViolation):
        rules.start_note(people["C"], shift(), DAY, people["C"], None)


def test_R_H1_night_shift_belongs_to_the_date_it_started(ctx):
    night = shift("Night")  # 23:00-07:00 Asia/Taipei

    def utc(hour, minute=0, days=0):
        return datetime.combine(DAY + timedelta(days=days), time(hour, minute))

    # 02:00 in Taipei the next morning is 18:00 UTC on DAY: still the night shift of DAY.
    assert rules.shift_date_of(night, utc(18)) == DAY
    # 23:30 Taipei on DAY (15:30 UTC) starts the night of DAY.
    assert rules.shift_date_of(night, utc(15, 30)) == DAY
    assert rules.shift_date_of(night, utc(3)) is None  # 11:00 Taipei: day shift
    found_shift, found_date = rules.shift_at(utc(3))
    assert found_shift.name_en == "Day" and found_date == DAY
    assert rules.shift_window(night, DAY) == (utc(15), utc(23))


def test_R_H2_acknowledged_note_is_read_only_and_corrected_by_addenda(people):
    draft, _ = rules.start_note(people["C"], shift(), DAY, people["B"])
    with pytest.raises(RuleViolation):
        rules.add_addendum(people["C"], draft, "a draft is edited, not corrected")
    note, items = handed_over(people["A"], people["B"], ["Call the consignee"])
    with pytest.raises(RuleViolation):
        rules.acknowledge(people["A"], note)            # not one's own note
    with pytest.raises(RuleViolation):
        rules.acknowledge(people["C"], note)            # not for them
    # Handed over and still waiting: the writer corrects it before anyone has taken it over.
    early = rules.add_addendum(people["A"], note, "The booking is for 2 x 40HQ, not 2 x 20GP")
    assert note.is_waiting and note.addenda == [early]
    rules.acknowledge(people["B"], note)
    assert note.acknowledged_by_id == people["B"].id and note.acknowledged_at is not None
    with pytest.raises(RuleViolation):
        rules.acknowledge(people["B"], note)            # twice
    with pytest.raises(RuleViolation):
        rules.add_item(people["A"], note, {"text": "late addition", "priority": "normal", "category": "other"})
    addendum = rules.add_addendum(people["A"], note, "The consignee's number changed: +886 7 123 4567")
    assert addendum.author_id == people["A"].id and note.addenda == [early, addendum]


def test_R_H2_team_member_acknowledges_a_team_note(people):
    note, _ = handed_over(people["A"], None, ["Booking for Acme"], team="direct")
    with pytest.raises(RuleViolation):
        rules.acknowledge(people["C"], note)            # peer team
    rules.acknowledge(people["B"], note)
    assert note.is_acknowledged


def test_R_H2_unacknowledged_shows_to_writer_receiver_and_board(people):
    note, _ = handed_over(people["A"], people["B"], ["x"])
    since = datetime(2000, 1, 1)
    assert note in queries.received_notes(people["B"], since)
    assert note in queries.written_notes(people["A"], since)
    assert note in queries.board_waiting().items   # however old, until taken over
    assert queries.waiting_for(people["B"]) == 1 and queries.waiting_for(people["C"]) == 0


def test_R_H3_open_items_carry_over_across_three_shifts_with_history(people):
    a, b, c = people["A"], people["B"], people["C"]
    first, (keep, close) = handed_over(a, b, ["Chase the VGM", "Send invoice"])
    rules.acknowledge(b, first)
    rules.close_item(b, close, close.version)
    second, carried = rules.start_note(b, shift("Evening"), DAY, c)
    assert carried == 1 and [e.item for e in second.entries] == [keep]
    rules.submit_note(b, second)
    rules.acknowledge(c, second)
    third, carried = rules.start_note(c, shift("Night"), DAY, a)
    assert carried == 1
    db.session.commit()
    entries = db.session.scalars(sa.select(NoteEntry).where(NoteEntry.item_id == keep.id).order_by(NoteEntry.id)).all()
    assert [e.note_id for e in entries] == [first.id, second.id, third.id]
    assert [e.carried_by_id for e in entries] == [None, b.id, c.id]
    assert queries.shifts_open(keep) == 3 and keep.raised_by_id == a.id


def test_R_H3_closing_anywhere_closes_everywhere(people):
    first, (item,) = handed_over(people["A"], people["B"], ["Reply to the complaint"])
    rules.acknowledge(people["B"], first)
    second, _ = rules.start_note(people["B"], shift("Evening"), DAY, people["C"])
    rules.close_item(people["C"], item, item.version)
    db.session.commit()
    for note in (first, second):
        assert all(not e.item.is_open for e in db.session.get(HandoverNote, note.id).entries)
    assert item.done_by_id == people["C"].id and item.done_at is not None


def test_R_H3_closed_item_is_not_carried(people):
    first, (item,) = handed_over(people["A"], people["B"], ["Already handled"])
    rules.acknowledge(people["B"], first)
    rules.close_item(people["A"], item, item.version)
    note, carried = rules.start_note(people["B"], shift("Evening"), DAY, people["C"])
    assert carried == 0 and note.entries == []
    with pytest.raises(RuleViolation):
        rules.carry_item(people["B"], note, item)
    assert note.entries == []


def test_R_H3_items_of_an_unacknowledged_note_reach_the_receiving_team_next_shift(people, make_user):
    a, b, c = people["A"], people["B"], people["C"]
    teammate = db.session.get(User, make_user("agent", display_name="D", team="direct").id)
    # The day shift hands over to B, who is off sick: nobody acknowledges the note.
    waiting, (item,) = handed_over(a, b, ["Chase the VGM"])
    # A colleague on the same day shift, handing over to the team, does not sweep up A's items.
    same_shift, carried = rules.start_note(teammate, shift(), DAY, None, "direct")
    assert carried == 0 and same_shift.entries == []
    db.session.delete(same_shift)
    # The peer team's evening shift is not the receiver's team.
    peer_note, carried = rules.start_note(c, shift("Evening"), DAY, a)
    assert carried == 0
    # B's teammate on the evening shift carries the item on, with who carried it.
    evening, carried = rules.start_note(teammate, shift("Evening"), DAY, c)
    assert carried == 1 and [e.item for e in evening.entries] == [item]
    assert evening.entries[0].carried_by_id == teammate.id
    # The note itself still waits on the supervisors' board.
    assert waiting in queries.board_waiting().items and waiting.is_waiting


def test_R_H3_the_absent_receiver_on_return_carries_items_still_waiting(people):
    waiting, (item,) = handed_over(people["A"], people["B"], ["Send the B/L draft"])
    evening, carried = rules.start_note(people["B"], shift("Evening"), DAY, people["C"])
    assert carried == 1 and evening.entries[0].item == item


def test_shifts_open_counts_shifts_not_notes(people):
    a, b = people["A"], people["B"]
    first, (item,) = handed_over(a, b, ["Call the consignee"])
    rules.acknowledge(b, first)
    # A second note in the same shift (a correction handed over again) is not another shift.
    again, carried = rules.start_note(b, shift(), DAY, a)
    assert carried == 1
    rules.submit_note(b, again)
    db.session.commit()
    item = db.session.get(HandoverItem, item.id)
    assert len(item.entries) == 2 and queries.shifts_open(item) == 1


def test_concurrent_close_one_wins(people):
    _, (item,) = handed_over(people["A"], people["B"], ["Only once"])
    seen_version = item.version
    rules.close_item(people["B"], item, seen_version)
    db.session.commit()
    with pytest.raises(RuleViolation):           # the second person is told who closed it
        rules.close_item(people["C"], item, seen_version)
    rules.reopen_item(people["lead"], item, item.version)
    with pytest.raises(StaleRecord):             # a stale page cannot close what changed since
        rules.close_item(people["C"], item, seen_version)
    assert item.is_open


def test_handed_over_items_are_history(people):
    note, (item,) = handed_over(people["A"], people["B"], ["Original wording"])
    with pytest.raises(RuleViolation):
        rules.update_item(people["A"], note, item, item.version, {"text": "rewritten", "priority": "normal",
                                                                   "category": "other"})
    assert item.text == "Original wording"


def test_empty_note_and_item_without_text_are_refused(people):
    note, _ = rules.start_note(people["A"], shift(), DAY, people["B"])
    with pytest.raises(RuleViolation):
        rules.submit_note(people["A"], note)
    with pytest.raises(RuleViolation) as refused:
        rules.add_item(people["A"], note, {"text": "   ", "priority": "normal", "category": "other"})
    assert refused.value.field == "text"
    rules.save_summary(people["A"], note, "Typhoon: Kaohsiung port closed")
    rules.submit_note(people["A"], note)
    assert note.state == "submitted"


def test_only_the_writer_changes_a_draft_and_reorders(people):
    note, _ = rules.start_note(people["A"], shift(), DAY, people["B"])
    one = rules.add_item(people["A"], note, {"text": "one", "priority": "normal", "category": "other"})
    two = rules.add_item(people["A"], note, {"text": "two", "priority": "urgent", "category": "booking"})
    with pytest.raises(RuleViolation):
        rules.add_item(people["B"], note, {"text": "intruder", "priority": "normal", "category": "other"})
    rules.move_item(people["A"], note, two, -1)
    assert [e.item for e in sorted(note.entries, key=lambda e: e.position)] == [two, one]
    rules.remove_item(people["A"], note, one)
    db.session.commit()
    assert [e.item_id for e in db.session.get(HandoverNote, note.id).entries] == [two.id]
    assert db.session.get(HandoverItem, one.id) is None


def test_R_H4_customer_handover_moves_ownership_and_open_items_together(people):
    a, b, lead = people["A"], people["B"], people["lead"]
    customer = customer_rules.create_customer(a, {"code": "TW-0001", "name_zh": "台灣精密", "kind": "direct",
                                                  "source": "self_sourced", "preferred_locale": "zh_Hant"}, "B")
    db.session.commit()
    note, _ = rules.start_note(a, shift(), DAY, b)
    open_item = rules.add_item(a, note, {"text": "Quote follow-up", "priority": "normal", "category": "customer_request",
                                         "customer_id": customer.id})
    done_item = rules.add_item(a, note, {"text": "Old", "priority": "info", "category": "other",
                                         "customer_id": customer.id})
    rules.close_item(a, done_item, done_item.version)
    db.session.commit()
    customer_rules.reassign_owner(lead, customer, b, customer.version)
    db.session.commit()
    handover = db.session.scalars(sa.select(HandoverNote).where(HandoverNote.kind == "customer")).one()
    assert customer.owner_id == b.id
    assert handover.kind == "customer" and handover.recipient_id == b.id and handover.state == "submitted"
    assert (handover.customers, handover.previous_owner_id, handover.author_id) == ([customer], a.id, a.id)
    moved_by = db.session.scalars(sa.select(AuditEntry.actor_id).where(AuditEntry.subject_type == "handover_note",
                                                                      AuditEntry.subject_id == handover.id)).all()
    assert moved_by == [lead.id]
    assert [e.item_id for e in handover.entries] == [open_item.id]


def test_R_H4_refused_reassignment_leaves_no_note(people, make_user):
    a = people["A"]
    customer = customer_rules.create_customer(a, {"code": "TW-0002", "name_en": "Acme", "kind": "direct",
                                                  "source": "self_sourced", "preferred_locale": "en"}, "B")
    db.session.commit()
    finance = db.session.get(User, make_user("finance").id)
    with pytest.raises(RuleViolation):
        customer_rules.reassign_owner(people["lead"], customer, finance, customer.version)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote).where(HandoverNote.kind == "customer")) == 0


def test_timeline_lists_items_about_the_customer(people, app):
    a = people["A"]
    customer = customer_rules.create_customer(a, {"code": "TW-0003", "name_en": "Acme", "kind": "direct",
                                                  "source": "self_sourced", "preferred_locale": "en"}, "B")
    note, _ = rules.start_note(a, shift(), DAY, people["B"])
    rules.add_item(a, note, {"text": "Damaged cargo photos", "priority": "urgent", "category": "complaint",
                             "customer_id": customer.id})
    db.session.commit()
    entries = queries.timeline_entries(customer.id, 10, a)
    assert [e.kind for e in entries] == ["handover"] and entries[0].data["text"] == "Damaged cargo photos"
    assert entries[0].data["note_id"] == note.id
    # An agent outside the note sees the item on the customer's timeline, without a link it would be refused.
    outsider = queries.timeline_entries(customer.id, 10, people["C"])
    assert outsider[0].data["text"] == "Damaged cargo photos" and outsider[0].data["note_id"] is None


def test_shift_settings_validate(people):
    with pytest.raises(RuleViolation):
        rules.save_shift(people["lead"], None, None, {"name_en": "Odd", "name_zh_hant": "怪", "name_zh_hans": "怪", "starts_at": time(8),
                                                      "ends_at": time(8), "timezone": "Asia/Taipei", "position": 4,
                                                      "active": True})
    with pytest.raises(RuleViolation):
        rules.save_shift(people["lead"], None, None, {"name_en": "Odd", "name_zh_hant": "怪", "name_zh_hans": "怪", "starts_at": time(8),
                                                      "ends_at": time(9), "timezone": "Mars/Base", "position": 4,
                                                      "active": True})


def test_history_lists_exactly_the_notes_the_reader_may_open(people, make_user):
    """History and the policy agree note by note: nothing listed answers 403, nothing readable is hidden."""
    a, b, c, lead = people["A"], people["B"], people["C"], people["lead"]
    finance = db.session.get(User, make_user("finance").id)
    to_b, _ = handed_over(a, b, ["to B"])
    to_team, _ = handed_over(c, None, ["to the direct team"], team="direct")
    to_peer, _ = handed_over(b, None, ["to the peer team"], team="peer")
    taken, _ = handed_over(c, a, ["taken over by A"])
    rules.acknowledge(a, taken)
    db.session.commit()
    notes = [to_b, to_team, to_peer, taken]
    for reader in (a, b, c, lead, finance):
        listed = {n.id for n in queries.history(reader, queries.NoteFilters(), size=100).items}
        assert listed == {n.id for n in notes if can(reader, "handover.view", n)}, reader.display_name
    assert {n.id for n in queries.history(c, queries.NoteFilters()).items} == {to_team.id, to_peer.id, taken.id}
