"""Rules of the contact log (R-V1, R-V5), planned visits, reactivation (R-V3), the hand-over of a
leaver's work and contacts reported by quotes."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.auth import rules as auth_rules
from portal.auth.models import User
from portal.core.clock import now, today
from portal.core.rules import RuleViolation
from portal.customers import rules as customer_rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.visits import queries, rules
from portal.visits.models import (ActionItem, Channel, ComplaintCase, ContactEntry, Outcome, PlannedVisit, Purpose,
                                  Reactivation, ReactivationState, VisitState)


def _people(world):
    return (db.session.get(User, world.agent.id), db.session.get(User, world.other.id),
            db.session.get(User, world.lead.id))


def _customer(world, code):
    return db.session.get(Customer, world.customers[code])


def _fields(**values):
    return rules.ContactFields(**({"channel": Channel.PHONE, "purpose": Purpose.REVISIT, "notes": "Asked about March"}
                                  | values))


# --- the contact log (R-V1, R-V5) --------------------------------------------------------------------------


def test_a_contact_is_logged_with_everything_r_v1_asks(app, clock, world, ctx):
    """R-V1: channel, purpose, contact person, notes, outcome, satisfaction, next action with due date and owner."""
    agent, other, _lead = _people(world)
    customer = _customer(world, "VA-A")
    contact = customer.contacts[0]
    entry = rules.log_contact(agent, customer, _fields(
        contact_id=contact.id, outcome="Will book two 40HQ next week", satisfaction="4",
        next_action="Send the March schedule", next_due_on=today("Asia/Taipei") + timedelta(days=2), next_owner=other))
    db.session.commit()
    entry = db.session.get(ContactEntry, entry.id)
    assert (entry.channel, entry.purpose, entry.contact_name, entry.satisfaction) == (
        Channel.PHONE, Purpose.REVISIT, contact.name, 4)
    assert entry.next_owner_id == other.id and entry.has_open_action
    assert [e.id for e in queries.next_actions(other.id).items] == [entry.id]


@pytest.mark.parametrize("values, field", [
    ({"satisfaction": "6"}, "satisfaction"),
    ({"satisfaction": "0"}, "satisfaction"),
    ({"satisfaction": "abc"}, "satisfaction"),
    ({"next_action": "Call back", "next_due_on": None}, "next_due_on"),
    ({"next_action": "", "next_due_on": "tomorrow"}, "next_action"),
    ({"notes": "  "}, "notes"),
    ({"channel": "fax"}, "channel"),
    ({"purpose": "gossip"}, "purpose"),
])
def test_bad_contacts_are_refused_with_their_field(app, clock, world, ctx, values, field):
    agent, _other, _lead = _people(world)
    if values.get("next_due_on") == "tomorrow":
        values["next_due_on"] = today("Asia/Taipei") + timedelta(days=1)
    with pytest.raises(RuleViolation) as refused:
        rules.log_contact(agent, _customer(world, "VA-A"), _fields(**values))
    assert refused.value.field == field


def test_a_new_next_action_is_never_due_in_the_past(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        rules.log_contact(agent, _customer(world, "VA-A"), _fields(
            next_action="Call back", next_due_on=today("Asia/Taipei") - timedelta(days=1)))
    assert refused.value.field == "next_due_on" and "passed" in str(refused.value.message)
    # Today is fine.
    rules.log_contact(agent, _customer(world, "VA-A"), _fields(next_action="Call back", next_due_on=today("Asia/Taipei")))


def test_a_contact_is_never_logged_ahead_of_time(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        rules.log_contact(agent, _customer(world, "VA-A"), _fields(at=now() + timedelta(hours=2)))
    assert refused.value.field == "at"


def test_an_agent_logs_contacts_for_their_own_customers_only(app, clock, world, ctx):
    agent, other, lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        rules.log_contact(agent, _customer(world, "VO-B"), _fields())
    assert refused.value.field == "customer" and "王大明" in str(refused.value.message)
    rules.log_contact(lead, _customer(world, "VO-B"), _fields())   # a supervisor for any customer


def test_the_owner_of_a_next_action_ticks_it_off(app, clock, world, ctx):
    agent, other, lead = _people(world)
    entry = rules.log_contact(agent, _customer(world, "VA-A"), _fields(
        next_action="Send the schedule", next_due_on=today("Asia/Taipei"), next_owner=agent))
    with pytest.raises(RuleViolation):
        rules.finish_next_action(other, entry, entry.version)
    rules.finish_next_action(agent, entry, entry.version)
    assert not entry.has_open_action
    with pytest.raises(RuleViolation):
        rules.finish_next_action(lead, entry, entry.version)


def test_a_quotes_follow_up_done_joins_the_contact_log(app, clock, world, ctx):
    """R-V1: quotes report the follow-up through core.contacts (quotes never import visits)."""
    from portal.quotes import rules as quote_rules
    from tests.rate_cards import add_rates
    from tests.security.test_route_matrix import _quote_values
    agent, _other, _lead = _people(world)
    customer = _customer(world, "VA-C")
    add_rates()                # the lane's card: the quote is priced from it and needs no approval
    quote = quote_rules.create_quote(agent, *_quote_values(customer.id))
    follow_up = quote_rules.send(agent, quote, quote.version)[0]
    quote_rules.finish_follow_up(agent, follow_up, "Customer compares with another carrier")
    db.session.commit()
    entry = db.session.scalar(sa.select(ContactEntry).where(ContactEntry.source_type == "quote_follow_up"))
    assert (entry.customer_id, entry.agent_id, entry.purpose, entry.source_id) == (
        customer.id, agent.id, Purpose.QUOTE_FOLLOW_UP, follow_up.id)
    assert entry.notes == "Customer compares with another carrier"
    assert queries.cadence_of(customer.id).last_contact_at == entry.at


# --- planned visits ---------------------------------------------------------------------------------------


def _visit(hours_ahead, length=1, **values):
    start = now().replace(second=0, microsecond=0) + timedelta(hours=hours_ahead)
    return rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=length),
                             **({"purpose": Purpose.REVISIT, "place": "台北市松山區民生東路"} | values))


def test_an_agent_is_never_in_two_places_at_once(app, clock, world, ctx):
    agent, other, lead = _people(world)
    rules.plan_visit(agent, _customer(world, "VA-A"), _visit(24, 2))
    with pytest.raises(RuleViolation) as refused:
        rules.plan_visit(agent, _customer(world, "VA-C"), _visit(25))
    assert refused.value.field == "starts_at" and "長榮精密" in str(refused.value.message)
    rules.plan_visit(agent, _customer(world, "VA-C"), _visit(26))      # right after: fine
    rules.plan_visit(other, _customer(world, "VO-B"), _visit(24))      # another agent: fine


def test_a_visit_for_someone_elses_customer_is_refused(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        rules.plan_visit(agent, _customer(world, "VO-B"), _visit(24))
    assert refused.value.field == "customer"


@pytest.mark.parametrize("fields, field", [
    (dict(hours_ahead=-2), "starts_at"), (dict(hours_ahead=24, length=-1), "ends_at"),
    (dict(hours_ahead=24, length=13), "ends_at")])
def test_visit_times_must_make_sense(app, clock, world, ctx, fields, field):
    agent, _other, _lead = _people(world)
    with pytest.raises(RuleViolation) as refused:
        rules.plan_visit(agent, _customer(world, "VA-A"), _visit(**fields))
    assert refused.value.field == field


def test_a_visit_that_took_place_is_a_revisit_in_the_log(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    customer = _customer(world, "VA-A")
    visit = rules.plan_visit(agent, customer, _visit(3))
    with pytest.raises(RuleViolation):
        rules.record_visit(agent, visit, visit.version, _fields(notes="Not yet"))
    clock.advance(hours=5)
    entry = rules.record_visit(agent, visit, visit.version, _fields(notes="Toured the warehouse", satisfaction=5))
    db.session.commit()
    assert visit.state == VisitState.DONE and entry.channel == Channel.VISIT and entry.at == visit.starts_at
    assert queries.cadence_of(customer.id).last_revisit_at == visit.starts_at


def test_cancelling_needs_a_reason(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    visit = rules.plan_visit(agent, _customer(world, "VA-A"), _visit(24))
    with pytest.raises(RuleViolation):
        rules.cancel_visit(agent, visit, visit.version, "")
    rules.cancel_visit(agent, visit, visit.version, "The customer is travelling")
    assert visit.state == VisitState.CANCELLED
    # The slot is free again.
    rules.plan_visit(agent, _customer(world, "VA-C"), _visit(24))


# --- reactivation (R-V3) ----------------------------------------------------------------------------------


def _dormant(clock, world):
    """Every customer made half a year ago and silent since: the queue fills for their owners."""
    clock.advance(days=200)
    assert rules.list_dormant() == 4
    db.session.commit()


def test_silent_customers_join_their_owners_queue_once(app, clock, world, ctx):
    """R-V3: no shipment, quote or contact for the configured days: queued, oldest first, once."""
    agent, other, lead = _people(world)
    clock.advance(days=100)
    rules.log_contact(agent, _customer(world, "VA-A"), _fields())   # contacted 100 days ago: not dormant
    db.session.commit()
    clock.advance(days=100)
    assert rules.list_dormant() == 3
    assert rules.list_dormant() == 0      # once
    db.session.commit()
    queue = queries.reactivation_queue(agent.id).items
    assert {t.customer.code for t in queue} == {"VA-C", "VA-D"}
    assert {t.customer.code for t in queries.reactivation_queue(None).items} == {"VA-C", "VA-D", "VO-B"}


def test_call_first_then_aim_for_a_visit(app, clock, world, ctx):
    """R-V3: the first try is a call; reached means a next step; a booked visit lands on the
    calendar; the visit done takes the customer off the queue as visited."""
    agent, _other, _lead = _people(world)
    _dormant(clock, world)
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.customer_id == world.customers["VA-C"]))
    visit_first = rules.AttemptFields(channel=Channel.VISIT, outcome=Outcome.REACHED, notes="Dropped by")
    with pytest.raises(RuleViolation) as refused:
        rules.work_reactivation(agent, target, target.version, visit_first)
    assert refused.value.field == "channel"
    with pytest.raises(RuleViolation) as refused:
        rules.work_reactivation(agent, target, target.version, rules.AttemptFields(
            channel=Channel.PHONE, outcome=Outcome.REACHED, notes="Picked up"))
    assert refused.value.field == "next_step"
    rules.work_reactivation(agent, target, target.version, rules.AttemptFields(
        channel=Channel.PHONE, outcome=Outcome.REACHED, notes="Picked up, busy this week",
        next_step="Call back to book a visit", next_step_on=today("Asia/Taipei") + timedelta(days=3)))
    assert target.state == ReactivationState.WORKING and target.attempts == 1
    attempt = rules.work_reactivation(agent, target, target.version, rules.AttemptFields(
        channel=Channel.PHONE, outcome=Outcome.VISIT_BOOKED, notes="Agreed to meet", visit=_visit(48)))
    assert target.state == ReactivationState.VISIT_BOOKED and attempt.outcome == Outcome.VISIT_BOOKED
    visit = db.session.get(PlannedVisit, target.visit_id)
    assert visit.purpose == Purpose.REACTIVATION and visit.agent_id == agent.id
    clock.advance(hours=50)
    rules.record_visit(agent, visit, visit.version, _fields(notes="New lane to Lagos", purpose=Purpose.REACTIVATION))
    db.session.commit()
    assert target.closed_at is not None and target.last_outcome == Outcome.VISITED
    results = queries.reactivation_results(now() - timedelta(days=30))
    assert results[agent.id] == {"reached": 1, "visit_booked": 1, "visited": 1}


@pytest.mark.parametrize("outcome", [Outcome.NOT_INTERESTED, Outcome.OUT_OF_BUSINESS])
def test_a_customer_lost_for_good_leaves_the_queue(app, clock, world, ctx, outcome):
    agent, _other, _lead = _people(world)
    _dormant(clock, world)
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.customer_id == world.customers["VA-D"]))
    rules.work_reactivation(agent, target, target.version, rules.AttemptFields(
        channel=Channel.PHONE, outcome=outcome, notes="No longer ships"))
    assert not target.is_open and target.last_outcome == outcome
    assert world.customers["VA-D"] not in {t.customer_id for t in queries.reactivation_queue(agent.id).items}


def test_a_wrong_contact_needs_a_next_step_and_another_agents_queue_is_refused(app, clock, world, ctx):
    agent, other, _lead = _people(world)
    _dormant(clock, world)
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.customer_id == world.customers["VO-B"]))
    with pytest.raises(RuleViolation):
        rules.work_reactivation(agent, target, target.version, rules.AttemptFields(
            channel=Channel.PHONE, outcome=Outcome.WRONG_CONTACT, notes="x", next_step="Find the buyer",
            next_step_on=today("Asia/Taipei")))
    with pytest.raises(RuleViolation) as refused:
        rules.work_reactivation(other, target, target.version, rules.AttemptFields(
            channel=Channel.PHONE, outcome=Outcome.WRONG_CONTACT, notes="Number belongs to a bakery"))
    assert refused.value.field == "next_step"


def test_a_queued_customer_that_ships_again_leaves_the_queue(app, clock, world, ctx):
    from portal.quotes import rules as quote_rules
    from tests.security.test_route_matrix import _quote_values
    agent, _other, _lead = _people(world)
    _dormant(clock, world)
    clock.advance(days=1)
    quote_rules.create_quote(agent, *_quote_values(world.customers["VA-C"]))
    rules.list_dormant()
    target = db.session.scalar(sa.select(Reactivation).where(Reactivation.customer_id == world.customers["VA-C"]))
    assert target.last_outcome == Outcome.REVIVED and not target.is_open


# --- customers moving, leavers ---------------------------------------------------------------------------


def test_reassigned_customers_bring_their_visits_work(app, clock, world, ctx):
    agent, other, lead = _people(world)
    customer = _customer(world, "VA-A")
    visit = rules.plan_visit(agent, customer, _visit(24))
    entry = rules.log_contact(agent, customer, _fields(next_action="Send rates", next_due_on=today("Asia/Taipei")))
    case = rules.open_case(agent, customer, rules.CaseFields(channel=Channel.PHONE, category="delay",
                                                             severity="normal", summary="Late"))
    customer_rules.reassign_owner(lead, customer, other, customer.version)
    db.session.commit()
    assert db.session.get(PlannedVisit, visit.id).agent_id == other.id
    assert db.session.get(ContactEntry, entry.id).next_owner_id == other.id
    assert db.session.get(ComplaintCase, case.id).owner_id == other.id


def test_a_leaver_keeps_the_account_until_the_visits_work_is_handed_over(app, clock, world, ctx):
    agent, other, lead = _people(world)
    admin = auth_rules.create_user(None, "root", "correct-horse-battery", role="admin")
    meeting = rules.record_meeting(lead, _customer(world, "VO-B"), None, "Reviewed the quarter",
                                   [rules.ActionFields("Check the free time at Lagos", agent,
                                                       today("Asia/Taipei") + timedelta(days=5))])
    rules.plan_visit(lead, _customer(world, "VO-B"), _visit(30), agent=agent)
    # The agent's customers go to a colleague first (R-H4)...
    for code in ("VA-A", "VA-C", "VA-D"):
        customer = _customer(world, code)
        customer_rules.reassign_owner(lead, customer, other, customer.version)
    db.session.commit()
    # ...but the action item and the visit on another agent's customer are still the agent's.
    with pytest.raises(RuleViolation) as refused:
        auth_rules.update_user(admin, agent, agent.version, active=False)
    assert "visits work" in str(refused.value.message)
    moved = rules.hand_over_work(lead, agent, other)
    assert moved == {"visits": 1, "cases": 0, "next_actions": 0, "action_items": 1}
    db.session.commit()
    assert db.session.get(ActionItem, meeting.actions[0].id).owner_id == other.id
    auth_rules.update_user(admin, agent, agent.version, active=False)


def test_holdings_refuse_a_visit_clashing_with_the_receivers_calendar(app, clock, world, ctx):
    agent, other, lead = _people(world)
    rules.plan_visit(agent, _customer(world, "VA-A"), _visit(24))
    rules.plan_visit(other, _customer(world, "VO-B"), _visit(24))
    with pytest.raises(RuleViolation):
        rules.hand_over_work(lead, agent, other)


def test_claims_are_money_in_decimal(app, clock, world, ctx):
    agent, _other, _lead = _people(world)
    case = rules.open_case(agent, _customer(world, "VA-A"), rules.CaseFields(
        channel=Channel.EMAIL, category="damage", severity="normal", summary="Wet cartons"))
    rules.update_claim(agent, case, case.version, "filed", Decimal("1250.50"), "USD")
    assert case.claim_amount == Decimal("1250.50")
