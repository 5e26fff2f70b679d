"""R-V2: contact cadence by grade. The due day follows the grade the customer had at the time (its
grade history), moves past weekends and holidays, and the overdue / due today / next 7 days lists
follow the frozen clock."""
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.clock import now, today
from portal.customers import rules as customer_rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.visits import queries, rules, workdays
from portal.visits.models import Channel, ContactEntry, CustomerCadence, Purpose

DAYS = {"A": 1, "B": 1, "C": 3, "D": 30}


def test_due_after_follows_the_grade_of_each_day():
    """R-V2: a contact on Monday as grade C (every 3 days) is due on Thursday; as grade A from
    Tuesday it is due Tuesday; down to D on Tuesday, it is due D's interval after Monday."""
    today = now().date()
    monday = today - timedelta(days=today.weekday())
    created = monday - timedelta(days=100)
    assert rules.due_after(monday, [(created, "C")], DAYS) == monday + timedelta(days=3)
    assert rules.due_after(monday, [(created, "C"), (monday + timedelta(days=1), "A")], DAYS) == monday + timedelta(days=1)
    # Upgraded to A only on Friday: C's Thursday came first.
    assert rules.due_after(monday, [(created, "C"), (monday + timedelta(days=4), "A")], DAYS) == monday + timedelta(days=3)
    assert rules.due_after(monday, [(created, "C"), (monday + timedelta(days=1), "D")], DAYS) == monday + timedelta(days=30)
    # A was D at the contact and became A later: due the day it became A.
    assert rules.due_after(monday, [(created, "D"), (monday + timedelta(days=10), "A")], DAYS) == monday + timedelta(days=10)


def test_grade_periods_keep_a_days_last_change():
    day = datetime.combine(now().date(), time(2, 0))      # 10:00 in Taipei, the same day
    periods = rules.grade_periods(day.date() - timedelta(days=60), "B",
                                  [(day - timedelta(days=30), "C"), (day, "A"), (day, "B")], "Asia/Taipei")
    assert periods == [(day.date() - timedelta(days=30), "C"), (day.date(), "B")]


def test_due_days_skip_weekends_and_public_holidays():
    saturday = date(2026, 3, 7)
    assert workdays.next_working_day(saturday, "TW") == date(2026, 3, 9)
    # National Day (10 October 2026 is a Saturday, observed on the Friday before): the Monday after.
    assert workdays.next_working_day(date(2026, 10, 9), "TW") == date(2026, 10, 12)
    # Lunar New Year 2026 in Taiwan: days off from the 14th (a Saturday) to the 22nd.
    assert workdays.next_working_day(date(2026, 2, 16), "TW") == date(2026, 2, 23)


def test_festivals_come_from_the_holidays_library():
    assert workdays.festivals(2026) == {"lunar_new_year": date(2026, 2, 17), "dragon_boat": date(2026, 6, 19),
                                        "mid_autumn": date(2026, 9, 25)}
    assert workdays.festivals(2027)["lunar_new_year"] == date(2027, 2, 6)


def _log(agent, customer, moment, purpose=Purpose.RATE_REVIEW, channel=Channel.PHONE):
    return rules.log_contact(agent, customer, rules.ContactFields(channel=channel, purpose=purpose,
                                                                 notes="Talked about the rates", at=moment))


def _lists(owner_id):
    day = today("Asia/Taipei")
    return {which: {r.customer.code for r in queries.due_list(owner_id, which, day).items}
            for which in queries.DUE_LISTS}


def test_cadence_lists_over_a_frozen_clock_across_grade_changes(app, clock, world, ctx):
    """R-V2: customers move between overdue, due today and the week as the clock moves and as
    their grade changes; the lists respect the grade the customer had at the time."""
    agent = db.session.get(User, world.agent.id)
    lead = db.session.get(User, world.lead.id)
    a, c, d = (db.session.get(Customer, world.customers[k]) for k in ("VA-A", "VA-C", "VA-D"))
    clock.advance(days=7)   # the customers were made a week ago
    day = today("Asia/Taipei")
    # Contacts two working days ago... placed on "now" minus days, in Taipei's working hours.
    _log(agent, a, now() - timedelta(days=2))
    _log(agent, c, now() - timedelta(days=2))
    _log(agent, d, now() - timedelta(days=2))
    for customer in (a, c, d):   # revisits are not what this test is about
        _log(agent, customer, now() - timedelta(days=2), purpose=Purpose.REVISIT)
    db.session.commit()
    row = db.session.get(CustomerCadence, a.id)
    assert row.contact_due_on == workdays.next_working_day(day - timedelta(days=1), "TW")
    lists = _lists(agent.id)
    # A (every day) is overdue since yesterday, or due today when yesterday was a day off.
    assert "VA-A" in lists["overdue"] | lists["today"]
    # C (every 3 days) is due tomorrow or a little later, within the week; D (30 days) not yet.
    assert "VA-C" in lists["week"] | lists["today"] and "VA-D" not in set().union(*lists.values())

    # The supervisor upgrades D to A today: from today it follows A's cadence, so it is due today.
    customer_rules.change_grade(lead, d, "A", "Ships every month now", d.version)
    db.session.commit()
    assert db.session.get(CustomerCadence, d.id).contact_due_on == workdays.next_working_day(day, "TW")
    # C is downgraded to D: due 30 days after its last contact, out of the lists.
    customer_rules.change_grade(lead, c, "D", "No cargo this year", c.version)
    db.session.commit()
    assert "VA-C" not in set().union(*_lists(agent.id).values())

    # A call today puts A back on cadence: tomorrow's working day, off the overdue list.
    _log(agent, a, now())
    db.session.commit()
    assert "VA-A" not in _lists(agent.id)["overdue"]
    # A week later without a contact, it is overdue again.
    clock.advance(days=7)
    assert "VA-A" in _lists(agent.id)["overdue"]


def test_a_new_customer_is_due_from_the_day_it_was_made(app, clock, world, ctx):
    row = db.session.get(CustomerCadence, world.customers["VO-B"])
    assert row.last_contact_at is None and row.owner_id == world.other.id
    created = rules.local_date(db.session.get(Customer, world.customers["VO-B"]).created_at)
    assert row.contact_due_on == workdays.next_working_day(created + timedelta(days=1), "TW")


def test_settings_change_every_customers_due_days(app, clock, world, ctx):
    lead = db.session.get(User, world.lead.id)
    rules_by_grade = rules.cadence_rules()
    versions = {g: r.version for g, r in rules_by_grade.items()}
    cadence = {"A": (2, 20), "B": (2, 40), "C": (7, 60), "D": (60, 365)}
    rules.update_settings(lead, cadence, versions, 120, rules.settings().version)
    db.session.commit()
    rules.refresh_all_cadence()
    db.session.commit()
    created = rules.local_date(db.session.get(Customer, world.customers["VA-C"]).created_at)
    assert db.session.get(CustomerCadence, world.customers["VA-C"]).contact_due_on == workdays.next_working_day(
        created + timedelta(days=7), "TW")
    assert rules.settings().dormant_days == 120


@pytest.mark.parametrize("cadence, field", [
    ({"A": (0, 30)}, "contact_a"), ({"A": (1, 30), "B": (1, 800)}, "revisit_b")])
def test_settings_refuse_intervals_out_of_range(app, world, ctx, cadence, field):
    lead = db.session.get(User, world.lead.id)
    full = dict(rules.DEFAULT_CADENCE) | cadence
    versions = {g: r.version for g, r in rules.cadence_rules().items()}
    with pytest.raises(rules.RuleViolation) as refused:
        rules.update_settings(lead, full, versions, 180, rules.settings().version)
    assert refused.value.field == field


def test_only_supervisors_change_the_cadence(app, world, ctx):
    agent = db.session.get(User, world.agent.id)
    with pytest.raises(rules.RuleViolation):
        rules.update_settings(agent, dict(rules.DEFAULT_CADENCE), {}, 180, 1)


def test_reassigning_a_customer_moves_its_cadence(app, clock, world, ctx):
    lead = db.session.get(User, world.lead.id)
    other = db.session.get(User, world.other.id)
    customer = db.session.get(Customer, world.customers["VA-A"])
    customer_rules.reassign_owner(lead, customer, other, customer.version)
    db.session.commit()
    assert db.session.get(CustomerCadence, customer.id).owner_id == other.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactEntry)) == 0
