"""Quote rules R-Q1 to R-Q10, called directly."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from portal.core.rules import RuleViolation
from portal.extensions import db
from portal.quotes import documents, queries, rules
from portal.quotes.models import Status
from tests.quotes.conftest import line


def test_R_Q1_new_hire_quote_waits_for_a_supervisor_on_every_path(people, fcl):
    quote = rules.create_quote(people["newhire"], fcl(), [line()])
    assert "new_hire" in quote.approval_reasons and not rules.is_released(quote)
    for path in (lambda: rules.send(people["newhire"], quote, quote.version),
                 lambda: documents.customer_quotation(quote),
                 lambda: rules.mark_won(people["newhire"], quote, quote.version)):
        with pytest.raises(RuleViolation):
            path()
    rules.submit_for_approval(people["newhire"], quote)
    with pytest.raises(RuleViolation):
        rules.send(people["newhire"], quote, quote.version)
    with pytest.raises(RuleViolation):                    # no approving one's own quote
        rules.decide(people["newhire"], quote, True, "", quote.version)
    decision = rules.decide(people["lead"], quote, True, "OK, margin fine", quote.version)
    assert (decision.decided_by_id, decision.decision) == (people["lead"].id, "approved") and decision.decided_at
    rules.send(people["newhire"], quote, quote.version)
    assert quote.status == Status.SENT


def test_R_Q1_duplicate_starts_as_a_draft_that_needs_its_own_approval(people, fcl):
    quote = rules.create_quote(people["newhire"], fcl(), [line()])
    rules.submit_for_approval(people["newhire"], quote)
    rules.decide(people["lead"], quote, True, "", quote.version)
    copy = rules.duplicate(people["newhire"], quote)
    assert copy.status == Status.DRAFT and copy.number != quote.number
    with pytest.raises(RuleViolation):
        rules.send(people["newhire"], copy, copy.version)


def test_R_Q1_changing_prices_after_approval_sends_it_back(people, fcl):
    quote = rules.create_quote(people["newhire"], fcl(), [line()])
    rules.submit_for_approval(people["newhire"], quote)
    rules.decide(people["lead"], quote, True, "", quote.version)
    rules.update_quote(people["newhire"], quote, quote.version, fcl(), [line(sell="1600.00")])
    assert quote.status == Status.PENDING
    with pytest.raises(RuleViolation):
        rules.send(people["newhire"], quote, quote.version)


def test_R_Q1_return_needs_a_comment_and_is_recorded(people, fcl):
    quote = rules.create_quote(people["newhire"], fcl(), [line()])
    rules.submit_for_approval(people["newhire"], quote)
    with pytest.raises(RuleViolation):
        rules.decide(people["lead"], quote, False, " ", quote.version)
    rules.decide(people["lead"], quote, False, "Add THC at origin", quote.version)
    assert quote.status == Status.RETURNED and quote.decisions[-1].comment == "Add THC at origin"
    assert quote in queries.my_recent_decisions(people["newhire"])


def test_R_Q2_required_fields_by_mode(people, fcl, clock):
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(container_type=None), [line()])
    assert refused.value.field == "container_type"
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(mode="lcl", container_type=None, container_qty=None), [line()])
    assert refused.value.field == "pieces"
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(mode="special", container_type="40FR"), [line()])
    assert refused.value.field == "shipper"
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(dg_class="3"), [line()])
    assert refused.value.field == "un_number"
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(dg_class="3", un_number="1263"), [line()])
    assert refused.value.field == "dg_fees_confirmed"
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(valid_until=clock.start.date() - timedelta(days=30)), [line()])
    assert refused.value.field == "valid_until"
    ok = rules.create_quote(people["agent"], fcl(mode="lcl", container_type=None, container_qty=None, pieces=12,
                                                 volume_cbm=Decimal("8.5")), [line(basis="cbm", quantity="8.5")])
    assert ok.id


def test_R_Q3_charge_lines_and_all_in_inclusions(people, fcl):
    with pytest.raises(RuleViolation):
        rules.create_quote(people["agent"], fcl(), [line(code="ALLIN")])
    quote = rules.create_quote(people["agent"], fcl(), [
        line(code="ALLIN", includes="OFR,BAF,THC-O"), line(code="THC-D", sell="0", buy="120", minimum=None,
                                                           direction="payable", basis="container")])
    assert [l.direction for l in quote.lines] == ["receivable", "payable"]
    with pytest.raises(RuleViolation):
        rules.create_quote(people["agent"], fcl(), [line(direction="payable")])
    with pytest.raises(RuleViolation):   # collected in USD, paid in TWD: no margin can be computed
        rules.create_quote(people["agent"], fcl(), [line(code="THC-O", minimum=None),
                                                    line(code="THC-O", currency="TWD", direction="payable")])


def test_totals_and_margin_are_decimal_per_currency(people, fcl):
    quote = rules.create_quote(people["agent"], fcl(), [
        line(sell="1850.00", buy="1500.00", quantity="2"),
        line(code="DOC", sell="1500", buy="800", minimum=None, currency="TWD", basis="bl", quantity="1"),
        line(code="TRK", sell="0", buy="3200", minimum=None, currency="TWD", direction="payable", basis="lump_sum",
             quantity="1")])
    sums = rules.totals(quote)
    assert sums["USD"].receivable == Decimal("3700.00") and sums["USD"].margin == Decimal("700.00")
    assert sums["TWD"].receivable == Decimal("1500.00") and sums["TWD"].margin == Decimal("-2500.00")
    assert all(isinstance(t.margin, Decimal) for t in sums.values())


def test_R_Q4_customer_quotation_has_no_internal_values(people, fcl):
    quote = rules.create_quote(people["agent"], fcl(), [line(), line(code="TRK", sell="0", buy="3200", minimum=None,
                                                                     direction="payable", basis="lump_sum")])
    view = documents.customer_quotation(quote)
    fields = set(vars(view)) | {f for c in view.charges for f in vars(c)}
    assert not fields & {"buy_rate", "min_sell_rate", "margin", "notes", "cost", "direction"}
    assert [c.code for c in view.charges] == ["OFR"]


def test_R_Q6_below_minimum_or_self_sourced_needs_approval(people, fcl):
    """The minimum is the card's; a freight rate no card prices is the agent's own channel."""
    below = rules.create_quote(people["agent"], fcl(), [line(sell="1600.00", minimum=None)])
    assert below.approval_reasons == "below_minimum" and below.lines[0].min_sell_rate == Decimal("1700.00")
    own = rules.create_quote(people["agent"], fcl(carrier="WHLC"), [line(buy="1300.00")])   # no WHLC card
    assert own.approval_reasons == "self_sourced" and own.lines[0].source == "own"
    assert own.lines[0].buy_rate == Decimal("1300.00") and own.lines[0].min_sell_rate is None
    plain = rules.create_quote(people["agent"], fcl(), [line()])
    assert plain.approval_reasons == "" and rules.is_released(plain) and plain.lines[0].source == "card"


def test_R_Q7_response_clock_flags_slow_general_cargo(people, fcl, clock):
    quote = rules.create_quote(people["agent"], fcl(inquiry_at=clock.start), [line()])
    clock.advance(minutes=4)
    rules.send(people["agent"], quote, quote.version)
    assert quote.response_seconds == 240 and not rules.response_too_slow(quote)
    slow = rules.create_quote(people["agent"], fcl(inquiry_at=clock.start - timedelta(hours=1)), [line()])
    rules.send(people["agent"], slow, slow.version)
    assert rules.response_too_slow(slow)


def test_R_Q8_follow_ups_same_afternoon_and_next_working_day(app, clock):
    # The frozen now is a Wednesday 09:30 in Taipei (01:30 UTC); its Friday is two days on.
    wednesday = clock.start.date()
    friday, monday, thursday = (wednesday + timedelta(days=d) for d in (2, 5, 1))
    times = rules.follow_up_times(datetime.combine(friday, clock.start.time()), "Asia/Taipei")
    # Same day 15:00, then Monday 10:00 (Taipei), as UTC.
    assert times == [datetime.combine(friday, datetime.min.time()).replace(hour=7),
                     datetime.combine(monday, datetime.min.time()).replace(hour=2)]
    afternoon = rules.follow_up_times(datetime.combine(wednesday, datetime.min.time()).replace(hour=7),
                                      "Asia/Taipei")   # 15:00 on Wednesday: only Thursday 10:00
    assert afternoon == [datetime.combine(thursday, datetime.min.time()).replace(hour=2)]


def test_R_Q8_sending_schedules_follow_ups_and_outcomes(people, fcl, clock):
    quote = rules.create_quote(people["agent"], fcl(), [line()])
    follow_ups = rules.send(people["agent"], quote, quote.version)
    assert follow_ups and all(f.agent_id == people["agent"].id for f in follow_ups)
    rules.finish_follow_up(people["agent"], follow_ups[0])
    with pytest.raises(RuleViolation):
        rules.mark_lost(people["agent"], quote, "", quote.version)
    rules.mark_lost(people["agent"], quote, "Competitor 200 USD cheaper", quote.version)
    assert quote.status == Status.LOST and quote.lost_reason
    valid_until = clock.start.date() + timedelta(days=3)
    expiring = rules.create_quote(people["agent"], fcl(valid_until=valid_until), [line()])
    rules.send(people["agent"], expiring, expiring.version)
    assert rules.expire_overdue(valid_until) == 0 and expiring.status == Status.SENT   # valid through that day
    assert rules.expire_overdue(valid_until + timedelta(days=1)) == 1 and expiring.status == Status.EXPIRED


def test_R_Q9_history_lane_prices_and_revisions(people, fcl):
    first = rules.create_quote(people["agent"], fcl(), [line(sell="1850.00")])
    rules.send(people["agent"], first, first.version)
    db.session.commit()
    lane = queries.lane_prices("TWKHH", "USLAX", "40HQ")
    assert [(p.id, p.sell_rate, p.currency) for p in lane] == [(first.id, Decimal("1850.00"), "USD")]
    second = rules.revise(people["agent"], first)
    rules.update_quote(people["agent"], second, second.version, fcl(), [line(sell="1790.00")])
    db.session.commit()
    assert (second.number, second.revision) == (first.number, 2) and not first.is_current
    assert [q.revision for q in queries.revisions(second)] == [2, 1]
    assert first.lines[0].sell_rate == Decimal("1850.00")      # the old revision stays as it was
    with pytest.raises(RuleViolation):
        rules.update_quote(people["agent"], first, first.version, fcl(), [line(sell="1.00")])
    found = queries.history(queries.QuoteFilters(pol="TWKHH", pod="USLAX", container_type="40HQ", carrier="EGLV")).items
    assert [q.id for q in found] == [second.id]
    assert queries.history(queries.QuoteFilters(q="machine")).items == [second]
    assert queries.history(queries.QuoteFilters(status="won")).items == []


def test_R_Q10_impact_of_a_carrier_change_on_a_lane(people, fcl):
    hit = rules.create_quote(people["agent"], fcl(), [line()])
    other_lane = rules.create_quote(people["agent"], fcl(pod="NLRTM"), [line()])
    closed = rules.create_quote(people["agent"], fcl(), [line()])
    rules.send(people["agent"], closed, closed.version)
    rules.mark_won(people["agent"], closed, closed.version)
    affected = queries.impacted_quotes(carrier="EGLV", pol="TWKHH", pod="USLAX")
    assert affected == [hit]
    assert queries.impacted_quotes() == []
    shipper = rules.create_quote(people["agent"], fcl(shipper="Acme Tools"), [line()])
    assert queries.impacted_quotes(shipper="acme") == [shipper]
    assert other_lane not in affected


def test_numbers_are_sequential_per_month(people, fcl):
    a = rules.create_quote(people["agent"], fcl(), [line()])
    b = rules.create_quote(people["agent"], fcl(), [line()])
    assert int(b.number.rsplit("-", 1)[1]) == int(a.number.rsplit("-", 1)[1]) + 1


def test_R_Q5_peer_forwarders_get_the_minimum_only_by_word_of_mouth(people, fcl, make_customer):
    from portal.customers.models import Customer
    peer_id = make_customer(people["agent"], code="TW-0900", kind="peer")
    peer = db.session.get(Customer, peer_id)
    written = rules.create_quote(people["agent"], fcl(customer_id=peer.id), [line(sell="1700.00", minimum="1700.00")])
    assert written.approval_reasons == "minimum_in_writing"
    at_company_rate = rules.create_quote(people["agent"], fcl(customer_id=peer.id), [line(sell="1850.00")])
    assert at_company_rate.approval_reasons == "" and rules.is_released(at_company_rate)
    direct_at_minimum = rules.create_quote(people["agent"], fcl(), [line(sell="1700.00", minimum="1700.00")])
    assert direct_at_minimum.approval_reasons == ""


def test_a_returned_quote_stays_returned_until_resubmitted_even_when_fixed(people, fcl):
    """R-Q1 (issue 9): the supervisor returned it, so the supervisor sees the fix: raising the price
    above the minimum does not turn it into a draft to send; resubmitting puts it before them again."""
    quote = rules.create_quote(people["agent"], fcl(), [line(sell="1600.00", minimum="1700.00")])
    rules.submit_for_approval(people["agent"], quote)
    rules.decide(people["lead"], quote, False, "Below the minimum", quote.version)
    rules.update_quote(people["agent"], quote, quote.version, fcl(), [line(sell="1750.00", minimum="1700.00")])
    assert quote.status == Status.RETURNED and quote.approval_reasons == "" and not rules.is_released(quote)
    with pytest.raises(RuleViolation):
        rules.send(people["agent"], quote, quote.version)
    rules.submit_for_approval(people["agent"], quote)
    assert quote.status == Status.PENDING
    rules.decide(people["lead"], quote, True, "Fine now", quote.version)
    rules.send(people["agent"], quote, quote.version)
    assert quote.status == Status.SENT


def test_the_quotation_is_dated_where_the_customer_is_and_names_who_to_reply_to(app, people, fcl, customer, clock):
    """Sent at 22:05 UTC, a quote to a Taipei customer is dated the next day there (and says so);
    it names the agent to reply to."""
    agent = people["agent"]
    agent.phone, agent.email = "+886 7 555 0100 ext 21", "jason.lin@example.com"
    clock.move_to(clock.start.replace(hour=22, minute=5))
    quote = rules.create_quote(agent, fcl(inquiry_at=clock.now()), [line()])
    rules.send(agent, quote, quote.version)
    view = documents.customer_quotation(quote)
    assert view.zone == "Asia/Taipei" and view.issued_on == (clock.now() + timedelta(hours=8)).date()
    assert (view.agent_name, view.agent_phone, view.agent_email) == ("Jason Lin", "+886 7 555 0100 ext 21",
                                                                    "jason.lin@example.com")
    customer.timezone = "America/Los_Angeles"   # a customer who keeps its own hours elsewhere
    assert documents.customer_quotation(quote).issued_on == (clock.now() - timedelta(hours=8)).date()


def test_a_charge_outside_the_catalogue_is_refused(people, fcl):
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(), [line(), line(code="CFS", basis="cbm")])
    assert "CFS" in str(refused.value.message)
