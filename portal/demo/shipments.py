"""Fourteen weeks of sailings and about four hundred shipments, made only through
portal.shipments.rules, placed in time with the portal's clock (core.clock.set_to).

Weekly services on real lanes (transpacific out of Kaohsiung and Yantian, Asia-Europe by way of
Singapore, Taiwan-Japan-Korea, Southeast Asia) call at their ports in rotation; ten weeks have
sailed, four are ahead. Some calls moved: a typhoon at Kaohsiung, congestion at Los Angeles, a
strike at Rotterdam, a blank sailing. Shipments are booked a week or three before their vessel
leaves, follow it through the milestones of R-B2 up to now (some transshipped at Singapore),
and sit in every state: requested, confirmed, on the water, arrived, released, delivered,
cancelled. Status links were shared for some (one revoked), a few containers were rolled to the
next week's vessel with the customers told, documents came in, B/L drafts and amendments were
made, free time and urgent space were asked for. Customers on the changed calls were told by
hand, except for the latest change, which waits for an agent. A few won quotes were booked.
Everything comes from random.Random(seed); vessel names are real ships' names, IMO numbers and
prices are made up (their check digits are right).
"""
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from stdnum import iso6346

from portal.company.queries import company
from portal.auth.models import User
from portal.core import clock as portal_clock
from portal.customers.models import Customer, Kind
from portal.extensions import db
from portal.quotes.models import Quote, Status as QuoteStatus
from portal.shipments import documents, queries, rules
from portal.shipments.models import MilestoneKind, Source
from portal.shipments.times import port_to_utc

TOTAL = 470
WEEKS_BACK, WEEKS_AHEAD = 10, 4


@dataclass(frozen=True)
class Service:
    code: str
    carrier: str
    vessels: tuple          # names; each gets a made-up IMO number
    rotation: tuple         # (port, days after the first departure, hours in port)
    departs: tuple          # (weekday, hour) of the first port's ETD, local time


SERVICES = (
    Service("TPX", "EGLV", ("EVER LOTUS", "EVER LYRIC", "EVER LIVEN", "EVER LEGEND"),
            (("TWKHH", 0, 20), ("HKHKG", 2, 16), ("CNYTN", 3, 18), ("USLAX", 17, 40), ("USOAK", 20, 24)), (4, 18)),
    Service("AEX", "COSU", ("COSCO SHIPPING ARIES", "COSCO SHIPPING TAURUS", "COSCO SHIPPING GEMINI"),
            (("CNSHA", 0, 24), ("CNNGB", 1, 20), ("TWKHH", 3, 16), ("SGSIN", 7, 20), ("NLRTM", 30, 36),
             ("DEHAM", 33, 30)), (1, 22)),
    Service("JTK", "WHLC", ("WAN HAI 311", "WAN HAI 312"),
            (("TWKEL", 0, 14), ("JPTYO", 3, 16), ("JPYOK", 4, 12), ("KRPUS", 6, 14)), (2, 16)),
    Service("SEA", "YMLU", ("YM INTELLIGENT", "YM IMAGE"),
            (("TWKHH", 0, 16), ("VNSGN", 4, 20), ("THLCH", 6, 20), ("SGSIN", 8, 16)), (5, 20)),
)
CONTAINER_TYPES = ("40HQ", "40HQ", "40HQ", "20GP", "40GP", "20GP", "40RF")
COMMODITIES = ("Machine tools", "Bicycle parts", "LED lighting", "Fasteners", "Textiles", "Frozen seafood",
               "Semiconductor equipment", "Furniture", "Auto parts", "Plastic resin", "Paper rolls", "Hand tools")
CHANGES = (  # (service, voyage week, port, hours moved, reason, explanation)
    ("TPX", -6, "TWKHH", 30, "typhoon", "Typhoon warning: Kaohsiung port closed to departures."),
    ("TPX", -4, "USLAX", 52, "congestion", "Berth congestion at San Pedro Bay."),
    ("AEX", -8, "NLRTM", 40, "strike", "Dock workers' strike at Rotterdam."),
    ("SEA", -3, "VNSGN", 18, "delay", ""),
    ("AEX", -2, "SGSIN", 26, "congestion", ""),
    ("JTK", 1, "JPTYO", -10, "advance", ""),
    ("TPX", 1, "TWKHH", 36, "typhoon", "Typhoon approaching southern Taiwan: departure held until the warning lifts."),
)


def _imo(rng: random.Random) -> str:
    body = f"9{rng.randint(10000, 99999)}"
    return body + str(sum(int(d) * w for d, w in zip(body, range(7, 1, -1))) % 10)


def _container(rng: random.Random, used: set) -> str:
    while True:
        head = rng.choice(("EGHU", "EITU", "TGHU", "CSNU", "TCNU", "WHSU", "YMLU", "FCIU", "BEAU", "TRHU"))
        body = f"{head}{rng.randint(0, 999999):06d}"
        number = body + str(iso6346.calc_check_digit(body))
        if number not in used:
            used.add(number)
            return number


class Demo:
    def __init__(self, seed: int, users: dict[str, User], customers: list[Customer]):
        self.rng = random.Random(seed * 31 + 5)
        self.users = users
        self.now = portal_clock.now()
        self.customers = [c for c in customers if c.kind in (Kind.DIRECT, Kind.PEER)]
        self.calls: dict[tuple, list] = {}      # (service, week) -> calls in rotation order
        self.used: set = set()
        self.secret = current_app.config["SECRET_KEY"]

    def actor_for(self, customer: Customer) -> User:
        owner = next((u for u in self.users.values() if u.id == customer.owner_id), None)
        return owner or self.users["lead"]

    # --- sailings -----------------------------------------------------------------------------

    def sailings(self, hand) -> None:
        lead = self.users["lead"]
        hand.move_to(self.now - timedelta(days=7 * WEEKS_BACK + 40))
        for service in SERVICES:
            imos = {name: _imo(self.rng) for name in service.vessels}
            first_port = service.rotation[0][0]
            for week in range(-WEEKS_BACK, WEEKS_AHEAD + 1):
                local = (self.now + timedelta(weeks=week)).replace(hour=0, minute=0, second=0, microsecond=0)
                local += timedelta(days=(service.departs[0] - local.weekday()) % 7, hours=service.departs[1])
                first_etd = port_to_utc(local, first_port)
                vessel = service.vessels[(week + WEEKS_BACK) % len(service.vessels)]
                voyage = f"{(week + 60) % 100:02d}{self.rng.randint(1, 9)}{'E' if service.code != 'AEX' else 'W'}"
                calls = []
                for port, days, hours in service.rotation:
                    etd = first_etd + timedelta(days=days)
                    eta = etd - timedelta(hours=hours)
                    values = {"carrier": service.carrier, "service": service.code, "vessel_name": vessel,
                              "imo": imos[vessel], "voyage": voyage, "port": port,
                              "terminal": self.rng.choice(("Terminal 1", "Terminal 5", "Berth 70", "CT3")),
                              "eta": eta, "etb": eta + timedelta(hours=2), "etd": etd}
                    if port == first_port or days <= 4:
                        values.update(doc_cutoff=etd - timedelta(days=3), port_cutoff=etd - timedelta(days=1, hours=6),
                                      vgm_cutoff=etd - timedelta(days=2))
                    calls.append(rules.create_call(lead, values))
                self.calls[(service.code, week)] = calls
        db.session.flush()

    def changes(self, hand) -> list:
        """The schedule changes, each at its moment (two to four days before the call)."""
        made = []
        for code, week, port, hours, reason, text in CHANGES:
            call = next(c for c in self.calls[(code, week)] if c.port == port)
            moment = min(call.eta - timedelta(days=self.rng.randint(2, 4)), self.now - timedelta(hours=3))
            hand.move_to(moment)
            shift = timedelta(hours=hours)
            change = rules.change_schedule(self.users["lead"], call, call.version, call.eta + shift,
                                           call.etb + shift if call.etb else None, call.etd + shift, reason, text)
            made.append(change)
            # The next calls of the voyage run late by as much.
            rotation = self.calls[(code, week)]
            for later in rotation[rotation.index(call) + 1:]:
                later.eta, later.etb, later.etd = later.eta + shift, (later.etb + shift) if later.etb else None, \
                    later.etd + shift
        db.session.flush()
        return made

    def actuals(self, hand) -> None:
        """Calls in the past arrived and left, within hours of their last schedule."""
        hand.move_to(self.now)
        for calls in self.calls.values():
            for call in calls:
                ata = call.eta + timedelta(minutes=self.rng.randint(-90, 240))
                atd = call.etd + timedelta(minutes=self.rng.randint(-60, 300))
                if ata >= self.now:
                    continue
                values = {f: getattr(call, f) for f in rules.EDITABLE_CALL_FIELDS}
                values.update(ata=ata, atb=ata + timedelta(hours=2) if ata + timedelta(hours=2) < self.now else None,
                              atd=atd if atd < self.now and atd > ata else None)
                rules.update_call(self.users["lead"], call, call.version, values)

    # --- shipments ------------------------------------------------------------------------------

    def routes(self):
        """(legs as (load call, discharge call) pairs) for a sailing, direct or by way of Singapore."""
        code = self.rng.choices(("TPX", "AEX", "JTK", "SEA", "TS"), weights=(34, 22, 18, 14, 12))[0]
        week = self.rng.randint(-WEEKS_BACK + 1, WEEKS_AHEAD - 1)
        if code == "TS":   # Kaohsiung to Singapore on SEA, on to Rotterdam or Hamburg on the next AEX
            first = self.calls[("SEA", week)]
            onward_week = next(w for w in range(week, WEEKS_AHEAD + 1)
                               if next(c for c in self.calls[("AEX", w)] if c.port == "SGSIN").etd
                               > first[-1].eta + timedelta(hours=24))
            onward = self.calls[("AEX", onward_week)]
            sin = next(c for c in onward if c.port == "SGSIN")
            end = self.rng.choice([c for c in onward if c.port in ("NLRTM", "DEHAM")])
            return [(first[0], first[-1]), (sin, end)]
        calls = self.calls[(code, week)]
        origins = [c for c in calls if c.doc_cutoff]
        load = self.rng.choice(origins)
        ends = [c for c in calls if c.eta > load.etd and c.port[:2] != load.port[:2]]
        return [(load, self.rng.choice(ends))]

    def shipment(self, hand, customer: Customer, legs, quote: Quote | None = None):
        rng = self.rng
        actor = self.actor_for(customer)
        load = legs[0][0]
        booked_at = load.etd - timedelta(days=rng.randint(8, 24), hours=rng.randint(0, 8))
        if booked_at >= self.now:
            return None
        hand.move_to(booked_at)
        qty = rng.choices((1, 2, 3, 4), weights=(50, 30, 14, 6))[0]
        container_type = rng.choice(CONTAINER_TYPES)
        if quote is not None:
            shipment = rules.book_from_quote(actor, quote)
        else:
            contact = customer.contacts[0] if customer.contacts else None
            shipment = rules.create_shipment(actor, {
                "customer_id": customer.id, "contact_id": contact.id if contact else None, "carrier": load.carrier,
                "mode": "fcl", "pol": load.port, "pod": legs[-1][1].port, "container_type": container_type,
                "container_qty": qty, "commodity": rng.choice(COMMODITIES),
                "gross_weight_kg": Decimal(rng.randint(8, 24) * 1000 * qty),
                "shipper": customer.name_en or customer.name_zh or "", "consignee": rng.choice(
                    ("Pacific Tools Inc., Los Angeles", "Nordic Home AB, Gothenburg", "Rhein Industrie GmbH, Hamburg",
                     "Osaka Trading Co., Ltd.", "Siam Parts Co., Ltd.", "Holland Fresh B.V., Rotterdam")),
                "notify_party": "Same as consignee", "remarks": "",
                "internal_notes": rng.choice(("", "", "Buy rate from the route department", "Peer rebate 2%"))})
        if shipment.pol != load.port or shipment.pod != legs[-1][1].port:
            return shipment                    # a quote's lane the demo sails do not serve: left requested
        for load_call, discharge_call in legs:
            rules.add_leg(actor, shipment, load_call.port, discharge_call.port, load_call, discharge_call)
        if rng.random() < 0.04:
            hand.move_to(booked_at + timedelta(days=1))
            rules.cancel_shipment(actor, shipment, shipment.version, "The customer's order was postponed.")
            return shipment
        confirm_at = booked_at + timedelta(hours=rng.randint(2, 30))
        if confirm_at >= self.now or rng.random() < 0.03:
            return shipment                    # still waiting for the carrier
        hand.move_to(confirm_at)
        shipment.booking_no = f"{load.carrier[:2]}{rng.randint(10**8, 10**9 - 1)}"
        rules.confirm_booking(actor, shipment, shipment.version)
        self.follow(hand, actor, shipment, legs, qty, container_type)
        return shipment

    def follow(self, hand, actor, shipment, legs, qty, container_type) -> None:
        """The shipment's life up to now: containers, documents, milestones, B/L, release."""
        rng = self.rng
        load = legs[0][0]
        steps = []
        containers_at = load.etd - timedelta(days=6)
        if containers_at < self.now:
            hand.move_to(containers_at)
            for _ in range(shipment.container_qty or qty):
                rules.add_container(actor, shipment, {"number": _container(rng, self.used),
                                                      "container_type": shipment.container_type or container_type,
                                                      "seal_no": f"{shipment.carrier[:2]}{rng.randint(10**6, 10**7)}",
                                                      "vgm_kg": Decimal(rng.randint(12000, 28000))})
        steps.append((load.etd - timedelta(days=5), MilestoneKind.PRE_STOWED, None, None))
        for container in shipment.containers:
            steps.append((load.etd - timedelta(days=4, hours=rng.randint(0, 20)), MilestoneKind.STUFFED, None,
                          container))
            steps.append((load.etd - timedelta(days=2, hours=rng.randint(0, 20)), MilestoneKind.GATED_IN, None,
                          container))
            steps.append((load.etd - timedelta(hours=rng.randint(4, 10)), MilestoneKind.LOADED, load.port, container))
        for number, (load_call, discharge_call) in enumerate(legs):
            departed = load_call.atd or load_call.etd
            if number:
                for container in shipment.containers:
                    steps.append((departed - timedelta(hours=rng.randint(2, 6)), MilestoneKind.TRANSSHIPPED,
                                  load_call.port, container))
            steps.append((departed, MilestoneKind.DEPARTED, load_call.port, None))
            arrived = discharge_call.ata or discharge_call.eta
            steps.append((arrived, MilestoneKind.ARRIVED, discharge_call.port, None))
            for container in shipment.containers:
                steps.append((arrived + timedelta(hours=rng.randint(4, 10)), MilestoneKind.DISCHARGED,
                              discharge_call.port, container))
        final = legs[-1][1].ata or legs[-1][1].eta
        steps.append((final + timedelta(days=1, hours=rng.randint(0, 12)), MilestoneKind.BL_RELEASED, None, None))
        steps.append((final + timedelta(days=2, hours=rng.randint(0, 20)), MilestoneKind.RELEASED, None, None))
        for container in shipment.containers:
            steps.append((final + timedelta(days=3, hours=rng.randint(0, 60)), MilestoneKind.DELIVERED,
                          legs[-1][1].port, container))
        source = Source.API if rng.random() < 0.5 else Source.HAND
        # Some stop short of now: cargo waiting at the terminal for the consignee, a feed that lags.
        stop = rng.choice((MilestoneKind.PRE_STOWED, MilestoneKind.STUFFED, MilestoneKind.GATED_IN,
                           MilestoneKind.LOADED, MilestoneKind.TRANSSHIPPED, MilestoneKind.ARRIVED,
                           MilestoneKind.DISCHARGED, MilestoneKind.BL_RELEASED, MilestoneKind.RELEASED)) \
            if rng.random() < 0.14 else None
        documents_in = load.doc_cutoff - timedelta(hours=rng.randint(2, 40)) if load.doc_cutoff else None
        for at, kind, port, container in sorted(steps, key=lambda s: s[0]):
            if at >= self.now:
                break
            if documents_in and at > documents_in:
                self.documents(hand, actor, shipment, documents_in)
                documents_in = None
            hand.move_to(at + timedelta(minutes=rng.randint(5, 90)))
            rules.record_milestone(None if source == Source.API else actor, shipment, kind, at, port=port,
                                   container=container, source=source)
            if kind == stop:
                break
            if kind == MilestoneKind.DEPARTED and port == load.port and shipment.bl_no is None:
                shipment.bl_no = f"{shipment.carrier}{rng.randint(10**8, 10**9 - 1)}"
                rules.add_bl_revision(actor, shipment, "draft", "B/L draft sent to the shipper for checking.", None, None)
                if rng.random() < 0.25:
                    rules.add_bl_revision(actor, shipment, "amendment", rng.choice((
                        "Consignee address corrected.", "Notify party added.", "Gross weight corrected.")),
                        Decimal(rng.choice((25, 40, 50))), "USD")
                if rng.random() < 0.2:
                    rules.dispatch_originals(actor, shipment, rng.choice(("DHL", "FedEx", "SF Express")),
                                             str(rng.randint(10**9, 10**10 - 1)), 3, shipment.consignee[:60])

    def documents(self, hand, actor, shipment, moment) -> None:
        hand.move_to(moment)
        for document in queries.documents_of(shipment.id):
            if document.received_at is None and self.rng.random() < 0.92:
                rules.receive_document(actor, shipment, document)

    def extras(self, hand, shipments: list) -> None:
        """Status links, rolled containers, free time and urgent space on some of the shipments."""
        rng = self.rng
        live = [s for s in shipments if s.confirmed_at and not s.is_cancelled]
        for shipment in rng.sample(live, min(len(live), len(live) // 3)):
            actor = self.actor_for(shipment.customer)
            hand.move_to(min(shipment.confirmed_at + timedelta(hours=rng.randint(1, 30)), self.now))
            rules.create_link(actor, shipment, self.secret, note=rng.choice(("", "e-mailed to the shipper",
                                                                             "sent on LINE", "sent on WeChat")))
        revoked = next((s for s in live if rules.live_link(s, self.secret)), None)
        if revoked:
            link, _token = rules.live_link(revoked, self.secret)
            hand.move_to(self.now - timedelta(days=1))
            rules.revoke_link(self.users["lead"], revoked, link)
        # Rolled or shut out at the first port: re-booked on the next week's vessel, customer told.
        rolled = [s for s in live if s.containers and s.legs and s.etd and s.etd < self.now - timedelta(days=2)
                  and len(s.legs) == 1][:6]
        for k, shipment in enumerate(rolled):
            actor = self.actor_for(shipment.customer)
            call = shipment.legs[0].load_call
            next_week = [c for calls in self.calls.values() for c in calls
                         if c.port == call.port and c.service == call.service and c.etd > call.etd]
            hand.move_to(call.etd - timedelta(hours=3))
            exception = rules.record_exception(actor, shipment, {
                "kind": "rolled" if k % 3 else "shut_out", "container_id": shipment.containers[-1].id,
                "missed_call_id": call.id, "reason": rng.choice(("Vessel overbooked; the carrier rolled the cargo.",
                                                                 "Container gated in after the port cut-off.")),
                "rebooked_call_id": min(next_week, key=lambda c: c.etd).id if next_week else None,
                "fee": Decimal(rng.choice((0, 80, 150))), "fee_currency": "USD", "documents_cancelled": True,
                "redeclared": k % 2 == 0})
            hand.move_to(call.etd - timedelta(hours=1))
            found = rules.live_link(shipment, self.secret)
            draft = documents.exception_notice(shipment, exception, None if found is None else
                                               f"{current_app.config.get('PORTAL_BASE_URL', '')}/s/{found[1]}",
                                               company())
            notice = rules.tell_customer(actor, shipment, exception, draft, email_ready=False)
            rules.mark_sent_by_hand(actor, notice, notice.version, rng.choice(("line", "wechat", "phone")))
            if k % 2:
                hand.move_to(call.etd + timedelta(days=1))
                rules.resolve_exception(actor, shipment, exception, exception.version)
        for shipment in rng.sample(live, min(len(live), 25)):
            actor = self.actor_for(shipment.customer)
            hand.move_to(min(shipment.confirmed_at + timedelta(days=1), self.now))
            request = rules.request_free_time(actor, shipment, rng.choice(("detention", "demurrage", "combined")),
                                              rng.choice((14, 21, 28)), f"FT-{rng.randint(1000, 9999)}")
            if rng.random() < 0.7:
                hand.move_to(min(shipment.confirmed_at + timedelta(days=2), self.now))
                rules.decide_free_time(actor, shipment, request, request.version,
                                       rng.choice((0, 7, 14, request.requested_days)))
        waiting = [s for s in live if s.etd and s.etd > self.now]
        for shipment in rng.sample(waiting, min(len(waiting), 8)):
            actor = self.actor_for(shipment.customer)
            hand.move_to(self.now - timedelta(hours=rng.randint(1, 30)))
            request = rules.request_space(actor, shipment, "The customer's production line waits for these parts.")
            if rng.random() < 0.5:
                rules.decide_space(actor, shipment, request, request.version, rng.random() < 0.7,
                                   "Two slots released by the carrier.")

    def notify(self, hand, changes: list) -> None:
        """Customers on the changed calls were told by hand; the latest change still waits."""
        for change in changes[:-1]:
            shipments = [s for s in queries.shipments_on(change.call, active_only=False) if not s.is_cancelled]
            if not shipments:
                continue
            hand.move_to(min(change.changed_at + timedelta(hours=1), self.now))
            tokens = rules.ensure_links(change.changed_by, shipments, self.secret)
            base = current_app.config.get("PORTAL_BASE_URL", "")
            drafts = documents.schedule_notices(change, shipments, {k: f"{base}/s/{v}" for k, v in tokens.items()},
                                                company())
            notices = rules.notify_schedule_change(change.changed_by, change, drafts, email_ready=False)
            for notice in notices:
                if self.rng.random() < 0.85:
                    rules.mark_sent_by_hand(change.changed_by, notice, notice.version,
                                            "wechat" if notice.locale == "zh_Hans" else "line")


def load_shipments(seed: int, users: dict[str, User], customers: list[Customer]) -> None:
    """Create the sailings and shipments through portal.shipments.rules; flushes, never commits."""
    demo = Demo(seed, users, customers)
    if not demo.customers:
        return
    with portal_clock.set_to(demo.now) as hand:
        demo.sailings(hand)
        changes = demo.changes(hand)
        demo.actuals(hand)
        made = []
        won = [q for q in db.session.query(Quote).filter(Quote.status == QuoteStatus.WON, Quote.is_current.is_(True),
                                                         Quote.carrier.is_not(None), Quote.mode == "fcl")
               .order_by(Quote.id).limit(8)]
        plan = [(demo.rng.choice(demo.customers), None) for _ in range(TOTAL - len(won))]
        plan += [(db.session.get(Customer, q.customer_id), q) for q in won]
        for n, (customer, quote) in enumerate(plan):
            shipment = demo.shipment(hand, customer, demo.routes(), quote)
            if shipment is not None:
                made.append(shipment)
            if n % 25 == 0:
                db.session.flush()
        demo.extras(hand, made)
        demo.notify(hand, changes)
        hand.move_to(demo.now)
    db.session.flush()
