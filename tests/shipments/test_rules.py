"""Shipment rules R-B1 to R-B4 and R-S1, R-S4, through portal.shipments.rules (no request)."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.rules import RuleViolation, StaleRecord
from portal.extensions import db
from tests.rate_cards import add_rates
from portal.quotes import rules as quote_rules
from portal.shipments import queries, rules
from portal.shipments.models import (ChangeReason, DocumentKind, Milestone, MilestoneKind, RequestState, Shipment,
                                     Status, StatusLink, VesselCall)
from portal.shipments.times import port_to_utc, utc_to_port
from tests.shipments.conftest import CONTAINERS, call


def refused(field=None):
    """A RuleViolation naming field (when given)."""
    class Match:
        def __init__(self):
            self.ctx = pytest.raises(RuleViolation)

        def __enter__(self):
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.ctx.__exit__(*exc)
            if field is not None:
                assert self.info.value.field == field, (self.info.value.field, self.info.value.message)
            return result
    return Match()


# --- R-B1: bookings, cut-offs, confirmation, urgent space ------------------------------------------


def test_booking_numbers_and_bl_numbers_are_unique_per_carrier(make_shipment, people):
    first = make_shipment(booking_no="EGLV149001234", bl_no="EGLV149001234B")
    assert first.number.startswith("S") and first.status == Status.REQUESTED
    with refused("booking_no"):
        make_shipment(booking_no="eglv 149001234")          # the same number typed loosely
    db.session.rollback()
    with refused("bl_no"):
        make_shipment(bl_no="EGLV149001234B")
    db.session.rollback()
    # Another carrier may use the same numbers.
    other = make_shipment(legs=False, carrier="YMLU", booking_no="EGLV149001234", bl_no="EGLV149001234B")
    assert other.booking_no == "EGLV149001234"


def test_confirming_a_booking_needs_the_booking_number_and_a_vessel(make_shipment, people, clock):
    """R-B1: the carrier's confirmation is a milestone; the booking confirmation can then go out."""
    agent = people["agent"]
    no_leg = make_shipment(legs=False, booking_no="BK001")
    with refused():
        rules.confirm_booking(agent, no_leg, no_leg.version)
    db.session.rollback()
    no_number = make_shipment()
    with refused("booking_no"):
        rules.confirm_booking(agent, no_number, no_number.version)
    db.session.rollback()
    shipment = make_shipment(booking_no="BK002")
    rules.confirm_booking(agent, shipment, shipment.version)
    assert shipment.status == Status.BOOKED and shipment.confirmed_at == clock.now()
    assert [m.kind for m in shipment.milestones] == [MilestoneKind.BOOKED]
    with refused():
        rules.confirm_booking(agent, shipment, shipment.version)


def test_documents_fall_due_at_the_first_calls_cut_offs(make_shipment, voyage):
    """R-B1: SI at the documents cut-off, VGM at the VGM cut-off, dangerous goods two days earlier."""
    khh = voyage["khh"]
    assert rules.due_at(DocumentKind.SI, khh) == khh.doc_cutoff
    assert rules.due_at(DocumentKind.VGM, khh) == khh.vgm_cutoff
    assert rules.due_at(DocumentKind.DG_DECLARATION, khh) == khh.doc_cutoff - timedelta(hours=48)
    assert rules.due_at(DocumentKind.SI, None) is None


def test_an_urgent_space_request_waits_for_the_carrier_then_has_its_outcome(make_shipment, people):
    agent = people["agent"]
    shipment = make_shipment()
    request = rules.request_space(agent, shipment, "Customer's line stops if the machines miss this vessel")
    with refused():
        rules.request_space(agent, shipment, "again")
    with refused("reason"):
        rules.request_space(agent, make_shipment(), "  ")
    rules.decide_space(agent, shipment, request, request.version, True, "2 slots released")
    assert request.state == RequestState.APPROVED and request.outcome == "2 slots released"
    with pytest.raises(StaleRecord):
        rules.decide_space(agent, shipment, request, request.version - 1, False, "")


# --- vessel calls and legs ---------------------------------------------------------------------------


def test_a_call_departs_after_it_arrives_and_has_a_real_imo_number(people, clock):
    lead = people["lead"]
    start = clock.start
    with refused("etd"):
        call(lead, "TWKHH", start + timedelta(days=3), hours=-2)
    with refused("imo"):
        call(lead, "TWKHH", start + timedelta(days=3), imo="9811001")   # wrong check digit
    with refused("atd"):
        call(lead, "TWKHH", start - timedelta(days=1), ata=start - timedelta(hours=3), atd=start + timedelta(hours=3))
    with refused("port"):
        call(lead, "XXABC", start + timedelta(days=3))
    made = call(lead, "TWKHH", start + timedelta(days=3))
    with refused("voyage"):
        call(lead, "TWKHH", start + timedelta(days=4))                  # the same call twice
    db.session.commit()       # the search index is written with the call
    for typed in ("kaohsiung", "高雄", made.vessel_name.lower()[:5]):
        assert made in queries.list_calls(queries.CallFilters(q=typed, date_from=start.date())).items, typed


def test_vessel_times_are_typed_and_shown_in_the_ports_zone():
    from datetime import datetime
    typed = datetime(2030, 3, 10, 14, 0)
    assert port_to_utc(typed, "TWKHH") == datetime(2030, 3, 10, 6, 0)      # Taipei, UTC+8
    assert port_to_utc(typed, "USLAX") == datetime(2030, 3, 10, 21, 0)     # Los Angeles, daylight time
    assert utc_to_port(datetime(2030, 3, 10, 21, 0), "USLAX") == typed
    from portal.shipments.times import NonexistentTime
    with pytest.raises(NonexistentTime):                                   # the hour the clocks skip
        port_to_utc(datetime(2030, 3, 10, 2, 30), "USLAX")


def test_a_legs_ports_must_be_on_its_vessel_calls(make_shipment, people, voyage):
    agent = people["agent"]
    shipment = make_shipment(legs=False)
    with refused("load_call_id"):                    # the Singapore call offered for Kaohsiung
        rules.add_leg(agent, shipment, "TWKHH", "USLAX", voyage["sin"], voyage["lax"])
    with refused("discharge_call_id"):
        rules.add_leg(agent, shipment, "TWKHH", "USLAX", voyage["khh"], voyage["sin"])
    with refused("discharge_call_id"):               # another vessel's call
        rules.add_leg(agent, shipment, "TWKHH", "NLRTM", voyage["khh"], voyage["rtm"])
    with refused("load_port"):                       # the first leg loads at the port of loading
        rules.add_leg(agent, shipment, "SGSIN", "NLRTM", voyage["onward"], voyage["rtm"])
    leg = rules.add_leg(agent, shipment, "TWKHH", "USLAX", voyage["khh"], voyage["lax"])
    assert (shipment.etd, shipment.eta) == (voyage["khh"].etd, voyage["lax"].eta)
    assert rules.route_complete(shipment) and leg.sequence == 1


def test_eta_at_discharge_cannot_be_before_etd_at_loading(make_shipment, people, clock):
    agent, lead = people["agent"], people["lead"]
    start = clock.start
    early = call(lead, "USLAX", start + timedelta(days=2), vessel="YM WISH", imo="9321483", voyage="0099E",
                 carrier="YMLU")
    late = call(lead, "TWKHH", start + timedelta(days=10), vessel="YM WISH", imo="9321483", voyage="0099E",
                carrier="YMLU")
    shipment = make_shipment(legs=False)
    with refused("discharge_call_id"):
        rules.add_leg(agent, shipment, "TWKHH", "USLAX", late, early)


def test_a_transshipment_chains_its_legs(make_shipment, people, voyage):
    agent = people["agent"]
    shipment = make_shipment(pod="NLRTM")
    assert [(leg.load_port, leg.discharge_port) for leg in shipment.legs] == [("TWKHH", "SGSIN"), ("SGSIN", "NLRTM")]
    assert shipment.eta == voyage["rtm"].eta
    with refused():
        rules.remove_leg(agent, shipment, shipment.legs[0])         # the last one first
    rules.remove_leg(agent, shipment, shipment.legs[-1])
    assert not rules.route_complete(shipment)


def test_a_schedule_change_keeps_old_and_new_times_and_moves_the_shipments(make_shipment, people, voyage, clock):
    """R-S4: reason, old and new times, who and when; the shipments on the call take the new ETA."""
    lead = people["lead"]
    shipment = make_shipment()
    lax = voyage["lax"]
    old_eta, old_etd = lax.eta, lax.etd
    with refused("reason"):
        rules.change_schedule(lead, lax, lax.version, old_eta + timedelta(days=2), None, old_etd, "weather")
    with refused("etd"):
        rules.change_schedule(lead, lax, lax.version, old_eta + timedelta(days=2), None, old_eta, "typhoon")
    with refused("eta"):
        rules.change_schedule(lead, lax, lax.version, lax.eta, lax.etb, lax.etd, "delay")
    change = rules.change_schedule(lead, lax, lax.version, old_eta + timedelta(days=2), None,
                                   old_etd + timedelta(days=2), ChangeReason.CONGESTION, "Queue at San Pedro Bay")
    db.session.commit()
    assert (change.old_eta, change.new_eta, change.changed_by_id, change.changed_at) == (
        old_eta, old_eta + timedelta(days=2), lead.id, clock.now())
    assert db.session.get(Shipment, shipment.id).eta == old_eta + timedelta(days=2)
    with pytest.raises(StaleRecord):
        rules.change_schedule(lead, lax, lax.version - 1, old_eta, None, old_etd, "delay")


# --- containers ----------------------------------------------------------------------------------------


def test_container_numbers_are_checked_with_their_iso_6346_check_digit(make_shipment, people):
    agent = people["agent"]
    shipment = make_shipment(containers=0)
    with refused("number") as error:
        rules.add_container(agent, shipment, {"number": "CSQU3054384", "container_type": "40HQ"})
    assert "check digit" in str(error.value.message)
    with refused("number"):
        rules.add_container(agent, shipment, {"number": "CSQ3054383", "container_type": "40HQ"})
    container = rules.add_container(agent, shipment, {"number": "csqu 305438 3", "container_type": "40HQ",
                                                      "vgm_kg": Decimal("21000")})
    assert container.number == "CSQU3054383"
    with refused("number"):
        rules.add_container(agent, shipment, {"number": "CSQU3054383", "container_type": "20GP"})
    with refused("vgm_kg"):
        rules.add_container(agent, shipment, {"number": CONTAINERS[1], "container_type": "40HQ",
                                              "vgm_kg": Decimal("90000")})
    db.session.commit()
    for typed in ("csqu3054383", "CSQU305"):
        assert queries.list_shipments(queries.ShipmentFilters(q=typed)).items == [shipment], typed


# --- R-B2: milestones in order, not in the future; exceptions --------------------------------------------


def test_milestones_keep_their_order_and_set_the_status(make_shipment, people, clock):
    """R-B2: nothing recorded after a milestone happened before it, nothing before it after it."""
    agent = people["agent"]
    shipment = make_shipment(booking_no="BK100")
    now = clock.now()
    container = shipment.containers[0]
    rules.record_milestone(agent, shipment, MilestoneKind.BOOKED, now - timedelta(days=5))
    rules.record_milestone(agent, shipment, MilestoneKind.GATED_IN, now - timedelta(days=1), container=container)
    assert shipment.status == Status.GATED_IN
    with refused("at"):       # stuffed after it was gated in
        rules.record_milestone(agent, shipment, MilestoneKind.STUFFED, now - timedelta(hours=2), container=container)
    with refused("at"):       # loaded before it was gated in
        rules.record_milestone(agent, shipment, MilestoneKind.LOADED, now - timedelta(days=2), container=container)
    rules.record_milestone(agent, shipment, MilestoneKind.STUFFED, now - timedelta(days=2), container=container)
    assert shipment.status == Status.GATED_IN      # a late entry of an earlier step leaves the status
    with refused("kind"):
        rules.record_milestone(agent, shipment, MilestoneKind.GATED_IN, now - timedelta(hours=20), container=container)


def test_milestones_cannot_be_in_the_future(make_shipment, people, clock):
    agent = people["agent"]
    shipment = make_shipment()
    with refused("at"):
        rules.record_milestone(agent, shipment, MilestoneKind.BOOKED, clock.now() + timedelta(hours=1))
    rules.record_milestone(agent, shipment, MilestoneKind.BOOKED, clock.now() + timedelta(minutes=2))  # clock skew


def test_vessel_milestones_follow_the_legs_of_a_transshipment(make_shipment, people, clock):
    agent = people["agent"]
    shipment = make_shipment(pod="NLRTM")
    container = shipment.containers[0]
    now = clock.now()
    steps = [(MilestoneKind.LOADED, "TWKHH", 10), (MilestoneKind.DEPARTED, "TWKHH", 9),
             (MilestoneKind.ARRIVED, "SGSIN", 6), (MilestoneKind.DISCHARGED, "SGSIN", 5),
             (MilestoneKind.TRANSSHIPPED, "SGSIN", 4), (MilestoneKind.DEPARTED, "SGSIN", 3)]
    for kind, port, days in steps:
        rules.record_milestone(agent, shipment, kind, now - timedelta(days=days), port=port,
                               container=container if kind in (MilestoneKind.LOADED, MilestoneKind.DISCHARGED,
                                                               MilestoneKind.TRANSSHIPPED) else None)
    assert [m.leg for m in shipment.milestones] == [1, 1, 1, 1, 2, 2]
    assert shipment.status == Status.DEPARTED
    with refused("port"):
        rules.record_milestone(agent, shipment, MilestoneKind.ARRIVED, now, port="USLAX")
    with refused("kind"):     # loading at a later port is a transshipment
        rules.record_milestone(agent, shipment, MilestoneKind.LOADED, now, port="SGSIN", container=container)


def test_a_rolled_container_is_recorded_with_its_handling_and_closed_once_the_customer_knows(
        make_shipment, people, voyage, clock):
    agent = people["agent"]
    shipment = make_shipment(containers=2)
    values = {"kind": "rolled", "container_id": shipment.containers[0].id, "missed_call_id": voyage["khh"].id,
              "reason": "Overbooked; carrier rolled the lowest-rated cargo", "rebooked_call_id": None,
              "fee": Decimal("150.00"), "fee_currency": "USD", "documents_cancelled": True, "redeclared": True}
    with refused("reason"):
        rules.record_exception(agent, shipment, values | {"reason": " "})
    with refused("fee_currency"):
        rules.record_exception(agent, shipment, values | {"fee_currency": "XXX"})
    exception = rules.record_exception(agent, shipment, values)
    assert shipment.open_exceptions == 1
    with refused():      # the customer is told first (R-B2)
        rules.resolve_exception(agent, shipment, exception, exception.version)


# --- R-B3, R-B4: B/L work and free time ---------------------------------------------------------------------


def test_bl_drafts_and_amendments_keep_who_when_and_the_fee(make_shipment, people, clock):
    agent = people["agent"]
    shipment = make_shipment(bl_no="EGLV0001")
    draft = rules.add_bl_revision(agent, shipment, "draft", "First draft to the shipper", None, None)
    amendment = rules.add_bl_revision(agent, shipment, "amendment", "Consignee address corrected",
                                      Decimal("50.00"), "USD")
    assert (amendment.by_id, amendment.at, amendment.fee) == (agent.id, clock.now(), Decimal("50.00"))
    assert draft.fee is None
    with refused("fee_currency"):
        rules.add_bl_revision(agent, shipment, "amendment", "x", Decimal("10"), None)
    dispatch = rules.dispatch_originals(agent, shipment, "DHL", "12 3456 7890", 3, "Pacific Tools Inc.")
    assert dispatch.tracking_no == "1234567890"
    with refused():
        rules.dispatch_originals(agent, make_shipment(), "DHL", "1234567890", 3, "")   # no B/L number yet


def test_free_time_is_what_the_carrier_approves(make_shipment, people):
    agent = people["agent"]
    shipment = make_shipment()
    request = rules.request_free_time(agent, shipment, "detention", 21, "FT-778")
    with refused("requested_days"):
        rules.request_free_time(agent, shipment, "detention", 0)
    rules.decide_free_time(agent, shipment, request, request.version, 14)
    assert (request.state, request.requested_days, request.approved_days) == (RequestState.APPROVED, 21, 14)
    refused_request = rules.request_free_time(agent, shipment, "demurrage", 10)
    rules.decide_free_time(agent, shipment, refused_request, refused_request.version, 0)
    assert refused_request.state == RequestState.REFUSED


# --- R-S1: status links -------------------------------------------------------------------------------------


def test_status_links_are_unguessable_stored_only_as_digests_and_revocable(make_shipment, people, app, clock):
    agent = people["agent"]
    shipment = make_shipment()
    secret = app.config["SECRET_KEY"]
    link, token = rules.create_link(agent, shipment, secret, "for Mr Wang")
    other, other_token = rules.create_link(agent, shipment, secret)
    assert token != other_token and rules.TOKEN.fullmatch(token)
    assert len(link.nonce) == 32                       # 128 random bits from `secrets`
    row = db.session.execute(sa.select(StatusLink.__table__).where(StatusLink.id == link.id)).one()
    assert token not in str(tuple(row)) and link.digest == rules.token_digest(token)
    assert rules.link_token(link, secret) == token     # re-derived with the server's secret only
    assert rules.link_token(link, "another secret") != token
    rules.revoke_link(agent, shipment, link)
    assert not link.is_live(clock.now())
    with refused():
        rules.revoke_link(agent, shipment, link)
    assert rules.live_link(shipment, secret)[0].id == other.id


def test_a_link_may_expire(make_shipment, people, app, clock):
    agent = people["agent"]
    shipment = make_shipment()
    with refused("expires_on"):
        rules.create_link(agent, shipment, app.config["SECRET_KEY"], expires_on=clock.now().date())
    link, _token = rules.create_link(agent, shipment, app.config["SECRET_KEY"],
                                     expires_on=clock.now().date() + timedelta(days=7))
    assert link.is_live(clock.now())
    assert not link.is_live(clock.now() + timedelta(days=9))


# --- booking from a won quote --------------------------------------------------------------------------------


def test_book_on_a_won_quote_takes_its_lane_carrier_equipment_and_customer(people, customer, clock):
    agent = people["agent"]
    add_rates()                # the lane's card: the quote is priced from it and needs no approval
    quote = quote_rules.create_quote(agent, {
        "customer_id": customer.id, "contact_id": customer.contacts[0].id, "inquiry_at": clock.now() - timedelta(hours=1),
        "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ", "container_qty": 2,
        "gross_weight_kg": Decimal("18000"), "commodity": "Machine tools", "valid_until": clock.now().date()
        + timedelta(days=14), "currency": "USD", "self_sourced_rate": False, "dg_fees_confirmed": False,
        "notes": "", "remarks": ""}, [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("2"),
                                       "sell_rate": Decimal("1850"), "buy_rate": Decimal("1500"),
                                       "min_sell_rate": Decimal("1700"), "currency": "USD", "direction": "receivable",
                                       "includes": ""}])
    with refused():
        rules.book_from_quote(agent, quote)           # a draft is not booked
    quote_rules.send(agent, quote, quote.version)
    quote_rules.mark_won(agent, quote, quote.version)
    shipment = rules.book_from_quote(agent, quote)
    assert (shipment.customer_id, shipment.pol, shipment.pod, shipment.carrier, shipment.container_type,
            shipment.container_qty, shipment.quote_id) == (customer.id, "TWKHH", "USLAX", "EGLV", "40HQ", 2, quote.id)
    # Someone else's customer: only its owner or a supervisor books.
    with refused("customer_code"):
        rules.book_from_quote(people["other"], quote)
    assert rules.book_from_quote(people["lead"], quote).quote_id == quote.id


def test_only_the_customers_agent_or_a_supervisor_books_for_it(make_shipment, people):
    with refused("customer_code"):
        make_shipment(actor=people["other"])
    db.session.rollback()
    assert make_shipment(actor=people["lead"]).booked_by_id == people["lead"].id


def test_cancelling_needs_a_reason_and_stops_at_loading(make_shipment, people, clock):
    agent = people["agent"]
    shipment = make_shipment()
    with refused("reason"):
        rules.cancel_shipment(agent, shipment, shipment.version, "")
    loaded = make_shipment()
    rules.record_milestone(agent, loaded, MilestoneKind.LOADED, clock.now() - timedelta(hours=1),
                           container=loaded.containers[0])
    with refused():
        rules.cancel_shipment(agent, loaded, loaded.version, "customer changed their mind")
    rules.cancel_shipment(agent, shipment, shipment.version, "customer changed their mind")
    assert shipment.status == Status.CANCELLED
    with refused():
        rules.record_milestone(agent, shipment, MilestoneKind.BOOKED, clock.now())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Milestone).where(
        Milestone.shipment_id == shipment.id)) == 0
    assert VesselCall  # the module's names are used


# --- the list's "my customers" and "departing" filters ---------------------------------------------


def test_a_customers_shipments_follow_it_to_its_new_owners_list(make_shipment, people, customer):
    from portal.auth.models import User
    from portal.customers import rules as customer_rules
    from portal.customers.models import Customer
    booked = make_shipment()
    mine = lambda user: [s.id for s in queries.list_shipments(queries.ShipmentFilters(mine_for=user.id)).items]  # noqa: E731
    assert mine(people["agent"]) == [booked.id] and mine(people["other"]) == []
    ids = {k: u.id for k, u in people.items()}, customer.id
    db.session.expunge_all()   # the list loaded the customer for its rows only (raiseload)
    people = {k: db.session.get(User, i) for k, i in ids[0].items()}
    customer = db.session.get(Customer, ids[1])
    customer_rules.reassign_owner(people["lead"], customer, people["other"], customer.version)
    db.session.flush()
    assert mine(people["other"]) == [booked.id] and mine(people["agent"]) == []


def test_the_shipments_departing_soon_come_next_to_depart_first(make_shipment, clock):
    later, sooner = make_shipment(booking_no="BK-LATER"), make_shipment(booking_no="BK-SOONER")
    later.etd, sooner.etd = clock.now() + timedelta(days=5), clock.now() + timedelta(days=1)
    db.session.flush()
    page = queries.list_shipments(queries.ShipmentFilters(departing_days=7), size=1)
    assert [s.id for s in page.items] == [sooner.id] and page.has_more
    rest = queries.list_shipments(queries.ShipmentFilters(departing_days=7), after=page.next_cursor, size=1)
    assert [s.id for s in rest.items] == [later.id] and not rest.has_more
