"""Issue 9: an approval binds to what it covered, and the reasons for it come from the rate card, the
customer record and the user, never from what the quote's author types. Each bypass the issue
names is a test here that failed on the code before it (R-Q1, R-Q2, R-Q5, R-Q6, R-Q7)."""
import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.auth.models import User
from portal.core.rules import RuleViolation
from portal.customers import rules as customer_rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes import documents, rules
from portal.quotes.documents import CustomerCharge, CustomerQuotation
from portal.quotes.models import Status
from portal.rates import rules as rate_rules
from tests.quotes.conftest import line
from tests.rate_cards import add_rates


def approved(people, values, lines, author="newhire"):
    """A quote by the new hire (it needs approval), approved by the supervisor."""
    quote = rules.create_quote(people[author], values, lines)
    rules.submit_for_approval(people[author], quote)
    rules.decide(people["lead"], quote, True, "OK", quote.version)
    assert quote.status == Status.APPROVED and rules.is_released(quote)
    return quote


def refused_everywhere(people, quote, author="newhire"):
    """Nothing reaches the customer: not sending, not the printed quotation, not marking it won."""
    for path in (lambda: rules.send(people[author], quote, quote.version),
                 lambda: documents.customer_quotation(quote)):
        with pytest.raises(RuleViolation):
            path()
    assert not rules.is_released(quote)


def changed_fields(quote) -> set[str]:
    approval = [d for d in quote.decisions if d.decision == "approved"][-1]
    return {c.field for c in rules.changes_since(approval.snapshot, quote)}


@pytest.fixture
def peer(people, make_customer):
    return db.session.get(Customer, make_customer(people["agent"], code="TW-0900", kind="peer",
                                                  contacts=[{"name": "Lin"}]))


# --- returned stays returned; nothing the author types clears a reason ----------------------------


def test_returned_quote_whose_author_blanks_the_minimum_stays_returned(people, fcl):
    """Bypass: returned for a price below the minimum, the agent blanks the line's minimum and saves;
    the minimum is the card's, so the reason holds and the quote stays returned."""
    quote = rules.create_quote(people["agent"], fcl(), [line(sell="1600.00")])
    rules.submit_for_approval(people["agent"], quote)
    rules.decide(people["lead"], quote, False, "Below the minimum", quote.version)
    rules.update_quote(people["agent"], quote, quote.version, fcl(), [line(sell="1600.00", minimum=None)])
    assert quote.status == Status.RETURNED and quote.approval_reasons == "below_minimum"
    assert quote.lines[0].min_sell_rate == Decimal("1700.00")     # the card's, not the typed blank
    refused_everywhere(people, quote, "agent")


def test_returned_quote_whose_author_unticks_self_sourced_stays_returned(people, fcl):
    """Bypass: returned for a self-sourced rate, the agent unticks "self-sourced" and saves; there is no
    such box any more: a freight rate no card prices is the agent's own channel."""
    values = fcl(carrier="WHLC")                   # no WHLC card on the lane
    quote = rules.create_quote(people["agent"], values, [line(buy="1300.00")])
    assert quote.approval_reasons == "self_sourced"
    rules.submit_for_approval(people["agent"], quote)
    rules.decide(people["lead"], quote, False, "Whose rate is this?", quote.version)
    rules.update_quote(people["agent"], quote, quote.version, values | {"self_sourced_rate": False},
                       [line(buy="1300.00")])
    assert quote.status == Status.RETURNED and quote.approval_reasons == "self_sourced"
    refused_everywhere(people, quote, "agent")


def test_typed_buy_and_minimum_rates_are_ignored_where_the_card_prices_the_line(people, fcl):
    quote = rules.create_quote(people["agent"], fcl(), [line(sell="1650.00", buy="1.00", minimum="1.00")])
    assert (quote.lines[0].buy_rate, quote.lines[0].min_sell_rate, quote.lines[0].company_sell_rate) == (
        Decimal("1500.00"), Decimal("1700.00"), Decimal("1850.00"))
    assert quote.approval_reasons == "below_minimum"


# --- the customer ------------------------------------------------------------------------------------


def test_approved_quote_moved_to_a_peer_forwarder_waits_again(people, fcl, peer):
    """Bypass: approved for a direct customer at the minimum, the quote's customer is changed to a peer
    forwarder: the minimum would go in writing to a peer (R-Q5). The approval is void."""
    quote = approved(people, fcl(), [line(sell="1700.00")])
    rules.update_quote(people["newhire"], quote, quote.version, fcl(customer_id=peer.id), [line(sell="1700.00")])
    assert quote.status == Status.PENDING and "minimum_in_writing" in quote.approval_reasons
    refused_everywhere(people, quote)
    assert {"customer", "customer_kind"} <= changed_fields(quote)


def test_a_draft_that_needed_no_approval_needs_it_once_its_customer_is_a_peer(people, fcl, peer):
    quote = rules.create_quote(people["agent"], fcl(), [line(sell="1700.00")])    # direct, at the minimum: fine
    assert rules.is_released(quote)
    rules.update_quote(people["agent"], quote, quote.version, fcl(customer_id=peer.id), [line(sell="1700.00")])
    assert quote.approval_reasons == "minimum_in_writing"
    refused_everywhere(people, quote, "agent")


def test_changing_the_customers_kind_voids_the_approval(people, fcl, customer):
    """Bypass: approved for a direct customer at the minimum, the customer's kind is edited to peer
    forwarder on the customer's page: the quote waits for the supervisor again, who sees why."""
    quote = approved(people, fcl(), [line(sell="1700.00")])
    profile = {f: getattr(customer, f) for f in customer_rules.PROFILE_FIELDS} | {"kind": "peer"}
    customer_rules.update_customer(people["agent"], customer, customer.version, profile)
    assert quote.status == Status.PENDING and "minimum_in_writing" in quote.approval_reasons
    refused_everywhere(people, quote)
    assert "customer_kind" in changed_fields(quote)


def test_renaming_the_contact_on_the_quotation_voids_the_approval(people, fcl, customer):
    contact = customer.contacts[0]
    quote = approved(people, fcl(contact_id=contact.id), [line()])
    customer_rules.update_contact(people["agent"], customer, contact, contact.version,
                                  {"name": "Someone else", "email": contact.email})
    assert quote.status == Status.PENDING and changed_fields(quote) == {"contact"}


# --- every covered field, after the approval ----------------------------------------------------------


EDITS = {
    "pod": lambda v, l, x: (v | {"pod": "NLRTM"}, l),
    "carrier": lambda v, l, x: (v | {"carrier": "YMLU", "container_type": "20GP"}, l),
    "container_type": lambda v, l, x: (v | {"container_type": "20GP"}, l),
    "container_qty": lambda v, l, x: (v | {"container_qty": 3}, l),
    "gross_weight_kg": lambda v, l, x: (v | {"gross_weight_kg": Decimal("19000")}, l),
    "mode": lambda v, l, x: (v | {"mode": "special", "shipper": "ACME", "dimensions": "L 600 cm",
                                  "ship_date": v["valid_until"], "target_price": Decimal("1700")}, l),
    "commodity": lambda v, l, x: (v | {"commodity": "Machine tools and spare parts"}, l),
    "dg_class": lambda v, l, x: (v | {"dg_class": "3", "un_number": "1263", "dg_fees_confirmed": True}, l),
    "incoterm": lambda v, l, x: (v | {"incoterm": "DDU"}, l),
    "cargo_ready_on": lambda v, l, x: (v | {"cargo_ready_on": v["valid_until"]}, l),
    "valid_until": lambda v, l, x: (v | {"valid_until": v["valid_until"] + timedelta(days=7)}, l),
    "remarks": lambda v, l, x: (v | {"remarks": "Subject to space. Free time 21 days."}, l),
    "provisional": lambda v, l, x: (v | {"provisional": True}, l),
    "customer": lambda v, l, x: (v | {"customer_id": x["other"]}, l),
    "contact": lambda v, l, x: (v | {"contact_id": x["contact"]}, l),
    "sell_rate": lambda v, l, x: (v, [line(sell="1950.00")]),
    "quantity": lambda v, l, x: (v, [line(quantity="3")]),
    "currency": lambda v, l, x: (v, [line(), line(code="THC-O", sell="7000", buy="6500", minimum=None,
                                                  currency="USD")]),
    "basis": lambda v, l, x: (v, [line(), line(code="DOC", sell="1500", buy="800", minimum=None, currency="TWD",
                                               basis="lump_sum", quantity="1")]),
    "line": lambda v, l, x: (v, l + [line(code="AMS", sell="35", buy="25", minimum=None, basis="bl", quantity="1")]),
}


@pytest.mark.parametrize("field", sorted(EDITS))
def test_any_change_to_what_an_approval_covered_voids_it(people, fcl, customer, make_customer, field):
    """Bypass: a new hire's approved quote had its port of discharge, commodity, customer (even
    another agent's), remarks, validity, rates ... changed and was still sent. Each now waits for the
    supervisor again, who sees what changed since the approval."""
    base = [line(), line(code="DOC", sell="1500", buy="800", minimum=None, currency="TWD", basis="bl", quantity="1")]
    if field == "currency":
        base = [line(), line(code="THC-O", sell="7000", buy="6500", minimum=None, currency="TWD")]
    extra = {"other": make_customer(people["lead"], code="TW-0777"), "contact": customer.contacts[0].id}
    quote = approved(people, fcl(), base)
    values, lines = EDITS[field](fcl(), base, extra)
    rules.update_quote(people["newhire"], quote, quote.version, values, lines)
    assert quote.status == Status.PENDING, field
    refused_everywhere(people, quote)
    assert field in changed_fields(quote), changed_fields(quote)


def test_internal_notes_and_the_inquiry_time_are_not_what_an_approval_covers(people, fcl):
    quote = approved(people, fcl(), [line()])
    rules.update_quote(people["newhire"], quote, quote.version,
                       fcl(notes="Called the carrier again", inquiry_at=fcl()["inquiry_at"] - timedelta(minutes=5)),
                       [line()])
    assert quote.status == Status.APPROVED and rules.is_released(quote)
    rules.send(people["newhire"], quote, quote.version)


def test_changed_back_after_the_void_it_still_waits_and_the_supervisor_approves_again(people, fcl):
    quote = approved(people, fcl(), [line()])
    rules.update_quote(people["newhire"], quote, quote.version, fcl(commodity="Lathes"), [line()])
    assert quote.status == Status.PENDING and changed_fields(quote) == {"commodity"}
    rules.decide(people["lead"], quote, True, "Fine", quote.version)
    rules.send(people["newhire"], quote, quote.version)
    assert quote.status == Status.SENT


def test_the_fingerprint_covers_every_field_of_the_customers_quotation(people, fcl, customer):
    """Every field of the quotation's view model is covered by the approval snapshot (or named as
    not the author's to change); changing any covered value changes the fingerprint."""
    shown = {f.name for f in dataclasses.fields(CustomerQuotation)} | {f.name for f in dataclasses.fields(CustomerCharge)}
    assert shown <= set(rules.QUOTATION_COVERAGE), f"not in the fingerprint: {sorted(shown - set(rules.QUOTATION_COVERAGE))}"
    assert {name for name, keys in rules.QUOTATION_COVERAGE.items() if keys is None} == {
        "number", "revision", "issued_on", "issued_at", "zone", "agent_name", "agent_phone", "agent_email"}
    quote = approved(people, fcl(contact_id=customer.contacts[0].id),
                     [line(code="ALLIN", includes="OFR,THC-O", buy="1500")])
    snapshot = rules.approval_snapshot(quote)
    for name, keys in rules.QUOTATION_COVERAGE.items():
        for key in keys or ():
            if key.startswith("lines."):
                assert key[6:] in snapshot["lines"][0], (name, key)
            else:
                assert key in snapshot, (name, key)
    # Each covered value, changed (in memory only), changes the fingerprint.
    digest = rules.fingerprint(quote)
    alternatives = {"mode": "lcl", "pol": "TWKEL", "pod": "NLRTM", "carrier": "YMLU", "container_type": "20GP",
                    "container_qty": 5, "pieces": 7, "gross_weight_kg": Decimal("1"), "volume_cbm": Decimal("2"),
                    "commodity": "x", "dg_class": "9", "un_number": "3082", "dg_fees_confirmed": True,
                    "shipper": "x", "dimensions": "x", "ship_date": quote.valid_until, "target_price": Decimal("9"),
                    "incoterm": "EXW", "cargo_ready_on": quote.valid_until, "valid_until": quote.valid_until +
                    timedelta(days=1), "currency": "TWD", "provisional": True, "remarks": "x"}
    assert set(alternatives) == set(rules.COVERED_FIELDS)
    line_alternatives = {"charge_code": "OFR", "basis": "bl", "quantity": Decimal("9"), "sell_rate": Decimal("1"),
                         "buy_rate": Decimal("1"), "min_sell_rate": Decimal("1"), "company_sell_rate": Decimal("1"),
                         "currency": "EUR", "direction": "payable", "includes": "OFR", "source": "local"}
    assert set(line_alternatives) == set(rules.COVERED_LINE_FIELDS)
    customer_alternatives = {"name_zh": "別的名字", "name_en": "Another name", "kind": "peer",
                             "preferred_locale": "en", "code": "TW-9999"}
    with db.session.no_autoflush:
        for target, changes in ((quote, alternatives), (quote.lines[0], line_alternatives),
                                (customer, customer_alternatives), (customer.contacts[0], {"name": "x"})):
            for name, value in changes.items():
                old = getattr(target, name)
                setattr(target, name, value)
                assert rules.fingerprint(quote) != digest, (type(target).__name__, name)
                setattr(target, name, old)
        assert rules.fingerprint(quote) == digest
    db.session.rollback()


# --- who approves ---------------------------------------------------------------------------------


def test_an_admin_cannot_approve_a_quote(people, fcl, make_user):
    """Bypass: an admin (IT) could approve; approval is the supervisors' (DOMAIN.md roles)."""
    admin = db.session.get(User, make_user("admin").id)
    quote = rules.create_quote(people["newhire"], fcl(), [line()])
    rules.submit_for_approval(people["newhire"], quote)
    with pytest.raises(RuleViolation):
        rules.decide(admin, quote, True, "", quote.version)
    assert quote.status == Status.PENDING


def test_a_supervisor_never_approves_their_own_quote(people, fcl, make_user):
    quote = rules.create_quote(people["lead"], fcl(), [line(sell="1600.00")])     # below the minimum
    rules.submit_for_approval(people["lead"], quote)
    with pytest.raises(RuleViolation):
        rules.decide(people["lead"], quote, True, "Mine, fine", quote.version)
    other = db.session.get(User, make_user("supervisor").id)
    rules.decide(other, quote, True, "OK", quote.version)
    assert quote.status == Status.APPROVED


# --- the rules the issue sharpened -------------------------------------------------------------------


def test_R_Q2_a_reefer_quoted_as_fcl_needs_the_special_cargo_details(people, fcl):
    add_rates(equipment="40RF")
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], fcl(container_type="40RF"), [line()])
    assert refused.value.field == "shipper"
    ok = rules.create_quote(people["agent"], fcl(container_type="40RF", shipper="Taiwan Fruit Co.",
                                                 dimensions="40' reefer, -18 °C", ship_date=fcl()["valid_until"],
                                                 target_price=Decimal("3500")), [line()])
    assert ok.id and rules.is_special_cargo(ok)


def test_R_Q5_a_peer_forwarder_one_cent_under_the_company_sell_rate_needs_approval(people, fcl, peer):
    under = rules.create_quote(people["agent"], fcl(customer_id=peer.id), [line(sell="1849.99")])
    assert under.approval_reasons == "minimum_in_writing"
    at_company = rules.create_quote(people["agent"], fcl(customer_id=peer.id), [line(sell="1850.00")])
    assert at_company.approval_reasons == ""
    direct_between = rules.create_quote(people["agent"], fcl(), [line(sell="1720.00")])
    assert direct_between.approval_reasons == ""        # a direct customer's margin is the agent's call


def test_R_Q6_an_expired_card_says_so_and_the_line_is_self_sourced(people, fcl):
    today = rate_rules.department_today()
    add_rates(carrier="WHLC", start=today - timedelta(days=40), days=30)
    values = fcl(carrier="WHLC")
    with pytest.raises(RuleViolation) as refused:
        rules.create_quote(people["agent"], values, [line(buy=None)])
    assert "expired" in str(refused.value.message)
    price = rules.price_lines(values, [line(buy=None)], people["agent"])[0]
    assert price.rate is None and price.lapsed is not None and price.source == "own"
    quote = rules.create_quote(people["agent"], values, [line(buy="1400.00")])
    assert quote.approval_reasons == "self_sourced"


def test_R_Q6_a_rate_the_author_set_is_their_own_channel_until_a_supervisor_vets_one(people, fcl):
    agent = people["agent"]
    rate_rules.set_pricing(people["lead"], agent, True, agent.version)
    add_rates(carrier="WHLC", actor=agent)                         # the agent keeps cards too
    own = rules.create_quote(agent, fcl(carrier="WHLC"), [line()])
    assert own.approval_reasons == "self_sourced"                 # their own card: still checked
    other = rules.create_quote(people["newhire"], fcl(carrier="WHLC"), [line()])
    assert "self_sourced" not in other.approval_reasons
    # Handbook #10: the supervisor vets a channel the agent found into a card: no longer self-sourced.
    today = rate_rules.department_today()
    rate = rate_rules.adopt_channel(people["lead"], agent, {
        "carrier": "ONEY", "pol": "TWKHH", "pod": "USLAX", "via": "", "equipment": "40HQ", "charge_code": "OFR",
        "buy_rate": Decimal("1400"), "sell_rate": Decimal("1800"), "min_sell_rate": Decimal("1650"),
        "currency": "USD", "valid_from": today, "valid_to": today + timedelta(days=20)})
    assert (rate.source, rate.source_agent_id) == ("agent", agent.id)
    vetted = rules.create_quote(agent, fcl(carrier="ONEY"), [line()])
    assert vetted.approval_reasons == "" and vetted.lines[0].rate_id == rate.id


def test_R_Q6_an_approved_quote_priced_again_from_a_changed_card_waits_again(people, fcl):
    quote = approved(people, fcl(), [line()])
    rate = quote.lines[0].rate
    values = {f: getattr(rate, f) for f in rate_rules.RATE_FIELDS} | {"min_sell_rate": Decimal("1750.00")}
    rate_rules.update_rate(people["lead"], rate, rate.version, values)
    rules.update_quote(people["newhire"], quote, quote.version, fcl(notes="only the notes"), [line()])
    assert quote.status == Status.PENDING and changed_fields(quote) == {"min_sell_rate"}


def test_R_Q7_a_holding_reply_answers_special_cargo_within_the_five_minutes(people, fcl, clock):
    details = {"container_type": "40FR", "shipper": "Hiwin", "dimensions": "L 520 x W 245 x H 265 cm",
               "ship_date": fcl()["valid_until"], "target_price": Decimal("5200"), "inquiry_at": clock.start}
    add_rates(equipment="40FR", charges={"OFR": ("4200", "5200", "4800")})
    quote = rules.create_quote(people["agent"], fcl(**details), [])      # written down before it is priced
    with pytest.raises(RuleViolation):
        rules.send(people["agent"], quote, quote.version)                # not priced yet
    clock.advance(minutes=3)
    rules.send_holding_reply(people["agent"], quote, quote.version)
    clock.advance(hours=3)
    rules.update_quote(people["agent"], quote, quote.version, fcl(**details), [line(sell="5200")])
    rules.send(people["agent"], quote, quote.version)
    assert rules.first_reply_seconds(quote) == 180 and not rules.response_too_slow(quote)

    silent = rules.create_quote(people["agent"], fcl(**details | {"inquiry_at": clock.now()}), [line(sell="5200")])
    clock.advance(hours=2)
    rules.send(people["agent"], silent, silent.version)
    assert rules.response_too_slow(silent)                                # no holding reply: slow
    general = rules.create_quote(people["agent"], fcl(inquiry_at=clock.now()), [line()])
    with pytest.raises(RuleViolation):
        rules.send_holding_reply(people["agent"], general, general.version)


def test_handbook_62_a_provisional_quote_goes_out_as_such_and_a_revision_confirms_it(people, fcl):
    quote = rules.create_quote(people["agent"], fcl(provisional=True), [line()])
    assert documents.customer_quotation(quote).provisional
    rules.send(people["agent"], quote, quote.version)
    assert quote.status == Status.PROVISIONAL
    with pytest.raises(RuleViolation):
        rules.mark_won(people["agent"], quote, quote.version)
    confirmed = rules.revise(people["agent"], quote)
    assert not confirmed.provisional and confirmed.revision == 2 and confirmed.status == Status.DRAFT
    rules.send(people["agent"], confirmed, confirmed.version)
    rules.mark_won(people["agent"], confirmed, confirmed.version)
    lapsing = rules.create_quote(people["agent"], fcl(provisional=True, valid_until=fcl()["inquiry_at"].date()),
                                 [line()])
    rules.send(people["agent"], lapsing, lapsing.version)
    assert rules.expire_overdue(lapsing.valid_until + timedelta(days=1)) == 1 and lapsing.status == Status.EXPIRED


def test_handbook_12_a_peer_forwarders_inquiry_on_a_lane_not_worked_is_declined(people, fcl, peer, clock):
    inquiry = rules.create_quote(people["agent"], fcl(customer_id=peer.id, pod="PECLL"), [])
    with pytest.raises(RuleViolation):
        rules.decline(people["agent"], inquiry, "", inquiry.version)
    rules.decline(people["agent"], inquiry, "West Coast South America: not our lane", inquiry.version)
    assert inquiry.status == Status.DECLINED and inquiry.response_seconds == 30 * 60
    direct = rules.create_quote(people["agent"], fcl(pod="PECLL"), [])
    with pytest.raises(RuleViolation):
        rules.decline(people["agent"], direct, "Not our lane", direct.version)


def test_an_inquiry_written_down_before_it_is_priced_cannot_reach_the_customer(people, fcl):
    quote = rules.create_quote(people["agent"], fcl(), [])
    assert quote.lines == [] and not rules.is_released(quote)
    for path in (lambda: rules.send(people["agent"], quote, quote.version),
                 lambda: rules.submit_for_approval(people["agent"], quote),
                 lambda: documents.customer_quotation(quote)):
        with pytest.raises(RuleViolation):
            path()
