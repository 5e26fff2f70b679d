"""The later screens' tables for `flask bench generate`: three years of shipments on weekly vessel
calls, the rate cards of the quoted lanes, and the contact log with its cadence, visits and
complaint cases. Rows are written in bulk (bench.bulk_insert); values follow the features' rules
(states, numbering, check digits, UTC times, Decimal money). Everything comes from the rng given.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from stdnum import iso6346

from portal.auth.models import User
from portal.core.sequence import Counter
from portal.customers.models import Contact, Customer
from portal.demo import data as words
from portal.demo.quotes import GOODS, TRADES
from portal.demo.visits import NEXT, NOTES, OUTCOMES
from portal.extensions import db
from portal.rates.models import Rate
from portal.rates.rules import sort_key
from portal.shipments import rules as shipment_rules
from portal.shipments.models import (Container, DocumentKind, Leg, Milestone, RequiredDocument, ScheduleChange,
                                     Shipment, StatusLink, VesselCall)
from portal.visits import rules as visit_rules, workdays
from portal.visits.models import (CaseEvent, ComplaintCase, ContactEntry, CustomerCadence, PlannedVisit,
                                  REVISIT_CHANNELS, REVISIT_PURPOSES, Severity)

BATCH = 20_000
ORIGIN_PORTS = ("TWKHH", "TWKEL", "TWTXG", "CNSHA", "CNNGB", "CNYTN", "CNSHK", "HKHKG", "CNXMN", "CNTAO")
SHORT_HAUL = ("NEASIA", "SEASIA", "CHINA", "TAIWAN")
VESSEL_PREFIX = {"EGLV": "EVER", "YMLU": "YM", "WHLC": "WAN HAI", "COSU": "COSCO SHIPPING", "OOLU": "OOCL",
                 "MAEU": "MAERSK", "MSCU": "MSC", "CMDU": "CMA CGM", "HLCU": "HAPAG", "ONEY": "ONE",
                 "HDMU": "HMM", "ZIMU": "ZIM", "PCIU": "KOTA", "SITC": "SITC", "KMTU": "KMTC", "TSLU": "TS",
                 "MATS": "MATSON", "APLU": "APL"}
VESSEL_WORDS = ("LOTUS", "LYRIC", "LEGEND", "ARIES", "TAURUS", "GEMINI", "HARMONY", "PROSPER", "GLORY", "UNITY",
                "PIONEER", "HORIZON", "PEARL", "ORCHID", "JADE", "SUMMIT", "TRIUMPH", "VICTORY", "MERIDIAN",
                "AURORA", "BRAVE", "CREST", "DAWN", "EMBLEM", "FORTUNE", "GRACE", "HAVEN", "IRIS")
OWNER_CODES = ("EGHU", "EITU", "TGHU", "CSNU", "TCNU", "WHSU", "YMLU", "FCIU", "BEAU", "TRHU", "MSKU", "CMAU")
CONTAINER_TYPES = ("40HQ", "40HQ", "40HQ", "20GP", "40GP", "20GP", "40RF")
CONSIGNEES = ("Pacific Tools Inc., Los Angeles", "Nordic Home AB, Gothenburg", "Rhein Industrie GmbH, Hamburg",
              "Osaka Trading Co., Ltd.", "Siam Parts Co., Ltd.", "Holland Fresh B.V., Rotterdam",
              "Gulf Star Trading LLC, Jebel Ali", "Santos Importadora Ltda.", "Lagos Allied Ventures Ltd.")
CASES = (  # (category, summary, root cause, solution, prevention)
    ("damage", "到港貨物外箱受潮", "櫃頂破損未於進港時檢出", "受損貨物由我司賠償重送", "進港驗櫃增加櫃頂檢查"),
    ("delay", "船舶跳港延誤交期 5 天", "碼頭擁塞，船公司臨時跳港", "協調改裝次班船並每日通報", "擁塞期間提前通知客戶替代航次"),
    ("documents", "提單收貨人抬頭打錯", "提單製作未與托運單核對", "免費修改提單並加急寄出", "提單寄出前由第二人覆核"),
    ("billing", "发票重复收取 THC", "系统导入时重复建立费用", "开立折让单", "月结前比对重复费用"),
    ("service_attitude", "Night shift did not answer e-mails", "Open e-mails were not on the handover",
     "The supervisor called to apologise", "The handover lists e-mails awaiting an answer"),
)


def _utc(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _imo(rng: random.Random, used: set) -> str:
    while True:
        body = f"9{rng.randint(10000, 99999)}"
        imo = body + str(sum(int(d) * w for d, w in zip(body, range(7, 1, -1))) % 10)
        if imo not in used:
            used.add(imo)
            return imo


def _counters(prefix: str) -> dict[str, int]:
    return {name.split(":", 1)[1]: value for name, value in db.session.execute(
        sa.select(Counter.name, Counter.value).where(Counter.name.like(f"{prefix}:%")))}


def _save_counters(prefix: str, values: dict[str, int]) -> None:
    for key, last in values.items():
        current = db.session.get(Counter, f"{prefix}:{key}")
        if current is None:
            db.session.add(Counter(name=f"{prefix}:{key}", value=last))
        else:
            current.value = max(current.value, last)
    db.session.flush()


# --- vessel calls and shipments ---------------------------------------------------------------------------


def _services(rng: random.Random) -> list[dict]:
    """Weekly services on the quoted trades: origins in Taiwan, China and Hong Kong, then the trade's ports."""
    services, imos = [], set()
    for trade, spec in TRADES.items():
        pods, carriers = spec[0], spec[4]
        for n in range(3 if trade not in ("MIDEAST", "ISC") else 2):
            carrier = carriers[n % len(carriers)] if n else rng.choice(carriers)
            countries = {p[:2] for p in pods}
            origins = rng.sample([p for p in ORIGIN_PORTS if p[:2] not in countries], 3)
            ends = rng.sample(pods, min(len(pods), rng.choice((2, 3))))
            short = trade in SHORT_HAUL
            rotation, day = [], 0
            for port in origins:
                rotation.append((port, day, rng.randint(14, 24)))
                day += rng.randint(1, 2)
            day += rng.randint(2, 6) if short else rng.randint(13, 28)
            for port in ends:
                rotation.append((port, day, rng.randint(16, 36)))
                day += rng.randint(1, 3)
            prefix = VESSEL_PREFIX.get(carrier, carrier)
            vessels = [(f"{prefix} {word}", _imo(rng, imos)) for word in rng.sample(VESSEL_WORDS, 4 if short else 6)]
            services.append({"code": f"{trade[:3]}{n + 1}", "carrier": carrier, "rotation": rotation,
                             "origins": len(origins), "vessels": vessels, "weekday": rng.randint(0, 6),
                             "hour": rng.choice((6, 12, 18, 22)), "bound": "W" if trade in ("NEUR", "MED", "ISC",
                             "MIDEAST", "AFRICA") else "E"})
    return services


def vessel_calls(rng, now, years, say, lead_id: int) -> tuple[list[dict], dict]:
    """Every service's calls, a week apart, from three years back to five weeks ahead; the past ones
    with their actual times; one call in eighty moved (typhoon, congestion...), with its change."""
    services = _services(rng)
    first = (now - timedelta(days=365 * years + 40)).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = (now + timedelta(weeks=5) - first).days // 7
    call_id, change_id = _next_id(VesselCall), _next_id(ScheduleChange)
    calls, changes, sailings = [], [], {}
    cols = ("id", "carrier", "service", "vessel_name", "imo", "voyage", "port", "terminal", "eta", "etb", "etd", "ata",
            "atb", "atd", "doc_cutoff", "port_cutoff", "vgm_cutoff", "created_at", "updated_at", "version")
    change_cols = ("id", "vessel_call_id", "reason", "explanation", "old_eta", "new_eta", "old_etb", "new_etb",
                   "old_etd", "new_etd", "changed_by_id", "changed_at", "notified_at", "notified_by_id")
    for s in services:
        for week in range(weeks):
            start = first + timedelta(weeks=week, days=(s["weekday"] - first.weekday()) % 7, hours=s["hour"])
            name, imo = s["vessels"][week % len(s["vessels"])]
            voyage = f"{week % 1000:03d}{s['bound']}"
            rotation = []
            delay = timedelta(0)
            for n, (port, days, hours) in enumerate(s["rotation"]):
                etd = start + timedelta(days=days) + delay
                eta = etd - timedelta(hours=hours)
                etb = eta + timedelta(hours=2)
                created = min(start - timedelta(days=60), now)
                row = [call_id, s["carrier"], s["code"], name, imo, voyage, port,
                       rng.choice(("Terminal 1", "Terminal 5", "Berth 70", "CT3", "Pier J", "Yangshan 4")),
                       eta, etb, etd, None, None, None, None, None, None, created, created, 1]
                if n < s["origins"]:
                    row[14:17] = [etd - timedelta(days=3), etd - timedelta(days=1, hours=6), etd - timedelta(days=2)]
                if rng.random() < 1 / 80 and eta - timedelta(days=3) < now:
                    moved = timedelta(hours=rng.choice((-10, 18, 26, 30, 40, 52)))
                    reason = "advance" if moved < timedelta(0) else rng.choice(("delay", "typhoon", "congestion",
                                                                                  "strike"))
                    changed_at = eta - timedelta(days=rng.randint(2, 4))
                    told = changed_at + timedelta(hours=1) if changed_at < now - timedelta(days=3) else None
                    changes.append((change_id, call_id, reason, "", eta, eta + moved, etb, etb + moved, etd,
                                    etd + moved, lead_id, changed_at, told, lead_id if told else None))
                    change_id += 1
                    row[8:11] = [eta + moved, etb + moved, etd + moved]
                    delay += moved
                    row[18] = changed_at
                eta, etd = row[8], row[10]
                ata = eta + timedelta(minutes=rng.randint(-90, 240))
                if ata < now:
                    atd = etd + timedelta(minutes=rng.randint(-60, 300))
                    row[11] = ata
                    row[12] = ata + timedelta(hours=2) if ata + timedelta(hours=2) < now else None
                    row[13] = atd if ata < atd < now else None
                calls.append(tuple(row))
                rotation.append({"id": call_id, "port": port, "eta": eta, "etd": etd, "ata": row[11],
                                 "atd": row[13], "doc_cutoff": row[14]})
                call_id += 1
            sailings[(s["code"], week)] = rotation
        if len(calls) > BATCH:
            _write(VesselCall, cols, calls)
            calls = []
            say("vessel calls", call_id - 1)
    _write(VesselCall, cols, calls)
    _write(ScheduleChange, change_cols, changes)
    db.session.commit()
    return services, {"first": first, "weeks": weeks, "sailings": sailings}


def _write(model, cols, rows) -> None:
    from portal.demo.bench import bulk_insert
    bulk_insert(model.__table__, cols, rows)


def shipments(rng, n, customers, now, years, services, calls, say) -> dict:
    """n bookings over the years, a week to three before their vessel leaves, each on one leg of a
    service, followed through the milestones up to now; some cancelled, some still requested."""
    if not n:
        return {}
    start = now - timedelta(days=365 * years)
    span = (now - start).total_seconds()
    moments = sorted(start + timedelta(seconds=span * (rng.random() ** 0.9)) for _ in range(n))
    sequence = _counters("shipment")
    goods = list(GOODS.values())
    weights = [len(s["rotation"]) for s in services]
    first, weeks = calls["first"], calls["weeks"]
    sid, cid, mid, did, lid = (_next_id(m) for m in (Shipment, Container, Milestone, RequiredDocument, Leg))
    serial = rng.randint(100000, 200000)
    counts = dict.fromkeys(("shipments", "containers", "milestones", "legs", "documents"), 0)
    ship_cols = ("id", "number", "customer_id", "contact_id", "quote_id", "booked_by_id", "customer_owner_id", "carrier",
                 "booking_no", "bl_no", "mode", "pol", "pod", "container_type", "container_qty", "commodity", "gross_weight_kg",
                 "shipper", "consignee", "notify_party", "status", "booked_at", "confirmed_at", "cancelled_at", "etd",
                 "eta", "open_exceptions", "internal_notes", "remarks", "created_at", "updated_at", "version")
    leg_cols = ("id", "shipment_id", "sequence", "load_port", "discharge_port", "load_call_id", "discharge_call_id")
    box_cols = ("id", "shipment_id", "number", "container_type", "seal_no", "vgm_kg", "version")
    mile_cols = ("id", "shipment_id", "container_id", "kind", "at", "port", "leg", "source", "recorded_by_id",
                 "integration_id", "external_id", "recorded_at")
    doc_cols = ("id", "shipment_id", "kind", "received_at", "received_by_id")
    live = []
    rows = {k: [] for k in ("ship", "leg", "box", "mile", "doc")}

    def flush():
        _write(Shipment, ship_cols, rows["ship"])
        _write(Leg, leg_cols, rows["leg"])
        _write(Container, box_cols, rows["box"])
        _write(Milestone, mile_cols, rows["mile"])
        _write(RequiredDocument, doc_cols, rows["doc"])
        db.session.commit()
        for k in rows:
            rows[k] = []

    for k, booked in enumerate(moments):
        customer_id, owner_id, name_zh, name_en, _grade = rng.choice(customers)
        service = rng.choices(services, weights)[0]
        week = min(max((booked + timedelta(days=rng.randint(8, 24)) - first).days // 7, 0), weeks - 1)
        rotation = calls["sailings"][(service["code"], week)]
        load = rotation[rng.randrange(service["origins"])]
        discharge = rotation[rng.randrange(service["origins"], len(rotation))]
        booked = min(booked, load["etd"] - timedelta(days=2))
        month = f"{booked:%y%m}"
        sequence[month] = sequence.get(month, 0) + 1
        carrier = service["carrier"]
        qty = rng.choices((1, 2, 3, 4), (50, 30, 14, 6))[0]
        ctype = rng.choice(CONTAINER_TYPES)
        zh, _hans, en, _density = rng.choice(goods)
        fate = rng.random()
        cancelled = fate < 0.04
        confirmed = None if cancelled or fate < 0.06 else booked + timedelta(hours=rng.randint(2, 30))
        if confirmed is not None and confirmed >= now:
            confirmed = None
        status, updated, bl_no = "requested", booked, None
        ship = [sid, f"S{month}-{sequence[month]:05d}", customer_id, None, None, owner_id, owner_id, carrier,
                f"{carrier[:2]}{(sid * 7919) % 10**10:010d}" if confirmed else None, None, "fcl", load["port"],
                discharge["port"], ctype, qty, rng.choice((zh, en)), Decimal(rng.randint(8, 24) * 1000 * qty),
                name_en or name_zh, rng.choice(CONSIGNEES), "Same as consignee", status, booked, confirmed,
                booked + timedelta(days=1) if cancelled else None, load["etd"], discharge["eta"], 0,
                rng.choice(("", "", "", "Buy rate from the route department", "Peer rebate 2%")), "", booked, booked, 1]
        rows["leg"].append((lid, sid, 1, load["port"], discharge["port"], load["id"], discharge["id"]))
        lid += 1
        counts["legs"] += 1
        docs_in = load["doc_cutoff"] - timedelta(hours=rng.randint(2, 40))
        for kind in (DocumentKind.SI.value, DocumentKind.VGM.value):
            got = confirmed is not None and docs_in < now and rng.random() < 0.92
            rows["doc"].append((did, sid, kind, docs_in if got else None, owner_id if got else None))
            did += 1
            counts["documents"] += 1
        if confirmed is not None:
            source = "api" if rng.random() < 0.5 else "hand"
            by = None if source == "api" else owner_id
            boxes = []
            if load["etd"] - timedelta(days=6) < now:
                for _b in range(qty):
                    body = f"{OWNER_CODES[serial % len(OWNER_CODES)]}{serial // len(OWNER_CODES) % 1000000:06d}"
                    serial += 1
                    boxes.append(cid)
                    rows["box"].append((cid, sid, body + str(iso6346.calc_check_digit(body)), ctype,
                                        f"{carrier[:2]}{rng.randint(10**6, 10**7)}", Decimal(rng.randint(12000, 28000)), 1))
                    cid += 1
            counts["containers"] += len(boxes)
            departed = load["atd"] or load["etd"]
            arrived = discharge["ata"] or discharge["eta"]
            steps = [(confirmed, "booked", load["port"], None, None),
                     (load["etd"] - timedelta(days=5), "pre_stowed", load["port"], None, None)]
            for box in boxes:
                steps += [(load["etd"] - timedelta(days=4, hours=rng.randint(0, 20)), "stuffed", load["port"], None, box),
                          (load["etd"] - timedelta(days=2, hours=rng.randint(0, 20)), "gated_in", load["port"], None, box),
                          (departed - timedelta(hours=rng.randint(4, 10)), "loaded", load["port"], 1, box)]
            steps.append((departed, "departed", load["port"], 1, None))
            steps.append((arrived, "arrived", discharge["port"], 1, None))
            for box in boxes:
                steps.append((arrived + timedelta(hours=rng.randint(4, 10)), "discharged", discharge["port"], 1, box))
            steps += [(arrived + timedelta(days=1, hours=rng.randint(0, 12)), "bl_released", discharge["port"], None, None),
                      (arrived + timedelta(days=2, hours=rng.randint(0, 20)), "released", discharge["port"], None, None)]
            for box in boxes:
                steps.append((arrived + timedelta(days=3, hours=rng.randint(0, 60)), "delivered", discharge["port"],
                              None, box))
            stop = rng.choice(("gated_in", "loaded", "arrived", "discharged", "bl_released", "released")) \
                if rng.random() < 0.1 else None
            steps.sort(key=lambda s: s[0])
            order = _ORDER
            reached = -1
            for at, kind, port, leg, box in steps:
                if at >= now:
                    break
                recorded = min(at + timedelta(minutes=rng.randint(5, 90)), now)
                rows["mile"].append((mid, sid, box, kind, at, port, leg, source, by, None, None, recorded))
                mid += 1
                counts["milestones"] += 1
                reached = max(reached, order[kind])
                updated = recorded
                if kind == "departed" and bl_no is None:
                    bl_no = f"{carrier}{(sid * 104729) % 10**10:010d}"
                if kind == stop:
                    break
            status = _KINDS[reached] if reached >= 0 else "requested"
            if status not in ("requested", "delivered"):
                live.append(sid)
        if cancelled:
            status, updated = "cancelled", booked + timedelta(days=1)
        ship[9], ship[20], ship[30] = bl_no, status, updated
        rows["ship"].append(tuple(ship))
        sid += 1
        counts["shipments"] += 1
        if len(rows["ship"]) >= BATCH // 4:
            flush()
            say("shipments", counts["shipments"])
    flush()
    _save_counters("shipment", sequence)
    db.session.commit()
    counts["status links"] = _status_links(rng, live, now)
    return counts


_KINDS = ("booked", "pre_stowed", "stuffed", "gated_in", "loaded", "departed", "transshipped", "arrived", "discharged",
          "bl_released", "released", "delivered")
_ORDER = {kind: n for n, kind in enumerate(_KINDS)}


def _status_links(rng, live: list[int], now) -> int:
    """Links shared for one live shipment in fifty (the token derived as the app derives it), and one
    made through the app's rule whose token the bench learns from the instance folder."""
    if not live:
        return 0
    secret = current_app.config["SECRET_KEY"]
    first = _next_id(StatusLink)
    chosen = sorted(rng.sample(live, max(1, len(live) // 50)))
    owners = dict(db.session.execute(sa.select(Shipment.id, Shipment.booked_by_id).where(Shipment.id.in_(chosen[:1]))).all())
    rows = []
    for n, shipment_id in enumerate(chosen[1:]):
        nonce = f"{rng.getrandbits(128):032x}"
        token = shipment_rules.link_token(SimpleNamespace(nonce=nonce), secret)
        rows.append((first + n, shipment_id, nonce, shipment_rules.token_digest(token),
                     rng.choice(("", "e-mailed to the shipper", "sent on LINE", "sent on WeChat")), None,
                     now - timedelta(days=rng.randint(0, 20)), None, None, None, None, 0))
    _write(StatusLink, ("id", "shipment_id", "nonce", "digest", "note", "created_by_id", "created_at", "expires_at",
                        "revoked_at", "revoked_by_id", "last_seen_at", "views"), rows)
    db.session.commit()
    shipment = db.session.get(Shipment, chosen[0])
    actor = db.session.get(User, owners[chosen[0]])
    _link, token = shipment_rules.create_link(actor, shipment, secret, note="bench")
    db.session.commit()
    path = Path(current_app.instance_path) / "bench-status-link.txt"
    path.write_text(token + "\n")
    return len(rows) + 1


# --- rate cards -----------------------------------------------------------------------------------------------


def rates(rng, n, now, years, route_id: int, say) -> int:
    """Rate cards of the quoted lanes: per carrier, lane and container type, ocean freight (and bunker on
    long hauls) in periods of about a month back three years; the current period ends on a day of its
    own, and one key in sixteen was not renewed (its last period lapsed)."""
    if not n:
        return 0
    taken = {tuple(r) for r in db.session.execute(sa.select(Rate.carrier, Rate.pol, Rate.pod, Rate.via, Rate.equipment,
                                                            Rate.charge_code))}
    today = now.date()
    periods_per_key = (365 * years) // 30
    keys, seen = [], set()
    lanes = [(pol, pod, trade) for trade, spec in TRADES.items() for pod in spec[0] for pol in ORIGIN_PORTS
             if pod[:2] != pol[:2]]
    while len(keys) * periods_per_key < n:
        pol, pod, trade = rng.choice(lanes)
        carrier = rng.choice(TRADES[trade][4])
        for equipment in ("20GP", "40GP", "40HQ"):
            for charge in (("OFR", "BAF") if TRADES[trade][5] else ("OFR",)):
                key = (carrier, pol, pod, "", equipment, charge)
                if key not in taken and key not in seen:
                    seen.add(key)
                    keys.append((key, trade))
    first = _next_id(Rate)
    cols = ("id", "carrier", "pol", "pod", "via", "equipment", "charge_code", "buy_rate", "sell_rate", "min_sell_rate",
            "currency", "valid_from", "valid_to", "free_time_days", "transit_days", "cutoff_weekday", "remarks",
            "source", "source_agent_id", "changed_by_id", "import_id", "sort_key", "created_at", "updated_at",
            "version")
    rows, made = [], 0
    for key, trade in keys:
        carrier, pol, pod, via, equipment, charge = key
        (low, high), baf = TRADES[trade][1], TRADES[trade][2]
        lapsed = rng.random() < 1 / 16
        end = today - timedelta(days=rng.randint(3, 40)) if lapsed else today + timedelta(days=rng.randint(2, 28))
        factor = {"20GP": 0.62, "40GP": 1.0, "40HQ": 1.04}[equipment]
        base = rng.uniform(low, high) * factor if charge == "OFR" else rng.uniform(*baf) * 4 * factor
        step = 5 if base > 200 else 1
        terms = (rng.choice((7, 10, 14, 14, 21)), rng.randint(14, 35) if TRADES[trade][5] else rng.randint(2, 7),
                 rng.randint(0, 4))
        for p in range(periods_per_key):
            if made >= n:
                break
            valid_to = end - timedelta(days=30 * p)
            valid_from = valid_to - timedelta(days=29)
            sell = round(base * (1 + rng.uniform(-0.08, 0.08)) / step) * step
            buy = round(sell * rng.uniform(0.82, 0.92) / step) * step
            minimum = min(max(round((sell + buy) / 2 / step) * step, buy), sell)
            moment = datetime.combine(valid_from, time(1, 0))
            values = {"pol": pol, "pod": pod, "carrier": carrier, "via": via, "equipment": equipment,
                      "charge_code": charge}
            rows.append((first + made, carrier, pol, pod, via, equipment, charge, Decimal(buy), Decimal(sell),
                         Decimal(minimum), "USD", valid_from, valid_to, terms[0], terms[1], terms[2], "",
                         "carrier" if rng.random() < 0.2 else "route", None, route_id, None, sort_key(values),
                         moment, moment, 1))
            made += 1
        if len(rows) >= BATCH:
            _write(Rate, cols, rows)
            rows = []
            say("rates", made)
    _write(Rate, cols, rows)
    db.session.commit()
    return made


# --- the contact log, cadence, visits and complaints ---------------------------------------------------------------


def visits(rng, n, customers, agents, now, years, say) -> dict:
    """n contacts over the years, each customer on roughly its grade's rhythm, by its owner; a fifth
    with a next action (most ticked off); visits in person planned and recorded, the next two weeks
    planned; every customer's cadence from its last contact and revisit; complaint cases in every state."""
    if not n:
        return {}
    zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    country = workdays.country_for(current_app.config)
    start = (now - timedelta(days=365 * years)).date()
    days = [d for d in (start + timedelta(days=k) for k in range((now.date() - start).days + 1))
            if workdays.is_working_day(d, country)]
    weight = {"A": 8, "B": 4, "C": 2, "D": 1}
    pool = [c for c in customers for _ in range(weight.get(c[4], 1))]
    contacts = {}
    for customer_id, contact_id, name in db.session.execute(
            sa.select(Contact.customer_id, Contact.id, Contact.name).where(Contact.is_primary.is_(True))):
        contacts[customer_id] = (contact_id, name)
    language = {u: loc for u, loc in db.session.execute(sa.select(User.id, User.locale))}
    first = _next_id(ContactEntry)
    visit_id = _next_id(PlannedVisit)
    cols = ("id", "customer_id", "agent_id", "at", "channel", "purpose", "contact_id", "contact_name", "notes",
            "outcome", "satisfaction", "next_action", "next_due_on", "next_owner_id", "next_done_at",
            "next_done_by_id", "source_type", "source_id", "occasion", "created_at", "version")
    visit_cols = ("id", "customer_id", "agent_id", "starts_at", "ends_at", "place", "purpose", "contact_id", "agenda",
                  "state", "contact_entry_id", "cancel_reason", "created_by_id", "created_at", "version")
    last_contact, last_revisit, busy = {}, {}, set()
    entries, planned, counts = [], [], {"contact log entries": 0, "planned visits": 0}
    slots = sorted(rng.randrange(len(days)) for _ in range(n))
    for k, slot in enumerate(slots):
        day = days[slot]
        customer_id, owner_id, _zh, _en, _grade = rng.choice(pool)
        at = _utc(day, rng.randint(9, 17), rng.choice((0, 10, 20, 30, 40, 50)), zone)
        if at >= now:
            at = now - timedelta(minutes=rng.randint(5, 600))
        lang = {"zh_Hans": "zh_Hans", "en": "en"}.get(language.get(owner_id), "zh_Hant")
        channel = rng.choices(("phone", "chat", "email", "visit", "meeting"), (46, 30, 14, 8, 2))[0]
        purpose = rng.choices(("regular_revisit", "rate_review", "care_message", "reactivation"), (55, 36, 5, 4))[0]
        contact_id, contact_name = contacts.get(customer_id, (None, ""))
        next_action, next_due, done_at, done_by = "", None, None, None
        if rng.random() < 0.2:
            next_action = rng.choice(NEXT[lang])
            next_due = day + timedelta(days=rng.randint(1, 6))
            if next_due < now.date() - timedelta(days=1) and rng.random() < 0.93:
                done_at = min(_utc(next_due, rng.randint(9, 17), 0, zone), now)
                done_by = owner_id
        entry_id = first + k
        entries.append((entry_id, customer_id, owner_id, at, channel, purpose, contact_id, contact_name,
                        rng.choice(NOTES[lang][purpose]), rng.choice(OUTCOMES[lang]) if rng.random() < 0.6 else "",
                        rng.choices((None, 3, 4, 5, 2), (60, 10, 15, 12, 3))[0], next_action, next_due,
                        owner_id if next_action else None, done_at, done_by, None, None, None, at, 1))
        last_contact[customer_id] = max(last_contact.get(customer_id, at), at)
        if channel in REVISIT_CHANNELS or purpose in REVISIT_PURPOSES:
            last_revisit[customer_id] = max(last_revisit.get(customer_id, at), at)
        if channel == "visit" and (owner_id, day) not in busy:
            busy.add((owner_id, day))
            begins = at - timedelta(hours=1)
            planned.append((visit_id, customer_id, owner_id, begins, at - timedelta(minutes=5), "", purpose,
                            contact_id, "", "done", entry_id, "", owner_id, begins - timedelta(days=rng.randint(2, 7)), 1))
            visit_id += 1
        if len(entries) >= BATCH:
            _write(ContactEntry, cols, entries)
            _write(PlannedVisit, visit_cols, planned)
            db.session.commit()
            counts["contact log entries"] += len(entries)
            counts["planned visits"] += len(planned)
            entries, planned = [], []
            say("contact log entries", counts["contact log entries"])
    # The next two weeks: a visit a working day or so for each book holder.
    for agent_id in agents:
        mine = [c for c in customers if c[1] == agent_id and c[4] in ("A", "B")]
        for offset in range(1, 15):
            day = now.date() + timedelta(days=offset)
            if not mine or not workdays.is_working_day(day, country) or rng.random() < 0.4:
                continue
            customer = rng.choice(mine)
            begins = _utc(day, rng.choice((10, 14, 15)), 0, zone)
            cancelled = rng.random() < 0.05
            planned.append((visit_id, customer[0], agent_id, begins, begins + timedelta(hours=rng.choice((1, 2))), "",
                            "regular_revisit", contacts.get(customer[0], (None, ""))[0], "",
                            "cancelled" if cancelled else "planned", None,
                            "The customer is travelling" if cancelled else "", agent_id,
                            now - timedelta(days=rng.randint(1, 6)), 1))
            visit_id += 1
    _write(ContactEntry, cols, entries)
    _write(PlannedVisit, visit_cols, planned)
    db.session.commit()
    counts["contact log entries"] += len(entries)
    counts["planned visits"] += len(planned)
    counts["cadence rows"] = _cadence(customers, last_contact, last_revisit, country, now)
    counts["complaint cases"] = _cases(rng, max(n // 400, 10), customers, contacts, now, years, zone)
    return counts


def _cadence(customers, last_contact, last_revisit, country, now) -> int:
    """R-V2 for the bench's customers, by the visits rules' own functions (no grade changes yet)."""
    cadence = visit_rules.cadence_rules()
    contact_days = {g: r.contact_days for g, r in cadence.items()}
    revisit_days = {g: r.revisit_days for g, r in cadence.items()}
    created = dict(db.session.execute(sa.select(Customer.id, Customer.created_at).where(
        Customer.id >= min(c[0] for c in customers))).all())
    rows = []
    for customer_id, owner_id, _zh, _en, grade in customers:
        since = visit_rules.local_date(created[customer_id])
        periods = visit_rules.grade_periods(since, grade, [])
        contacted, revisited = last_contact.get(customer_id), last_revisit.get(customer_id)
        contact_due = visit_rules.next_due(visit_rules.local_date(contacted) if contacted else since, periods,
                                           contact_days, country)
        revisit_due = visit_rules.next_due(visit_rules.local_date(revisited) if revisited else since, periods,
                                           revisit_days, country)
        rows.append((customer_id, owner_id, grade, contacted, revisited, contact_due, revisit_due,
                     min(contact_due, revisit_due), now))
    _write(CustomerCadence, ("customer_id", "owner_id", "grade", "last_contact_at", "last_revisit_at",
                             "contact_due_on", "revisit_due_on", "due_on", "updated_at"), rows)
    db.session.commit()
    return len(rows)


def _cases(rng, n, customers, contacts, now, years, zone) -> int:
    """Complaint cases over the years: closed after the call-back, the newest resolved, responded or
    still waiting for the first response; each with its steps."""
    start = now - timedelta(days=365 * years)
    span = (now - start).total_seconds()
    moments = sorted(start + timedelta(seconds=span * rng.random()) for _ in range(n))
    sequence = {int(k): v for k, v in _counters_dash("complaint").items()}
    case_id, event_id = _next_id(ComplaintCase), _next_id(CaseEvent)
    cases, events = [], []
    for received in moments:
        customer_id, owner_id, *_ = rng.choice(customers)
        year = received.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).year
        sequence[year] = sequence.get(year, 0) + 1
        category, summary, cause, solution, prevention = rng.choice(CASES)
        severity = rng.choices(("urgent", "normal", "low"), (15, 60, 25))[0]
        age = now - received
        due = received + visit_rules.RESPONSE_TIME[Severity(severity)]
        responded = received + timedelta(minutes=rng.randint(10, 50)) if age > timedelta(hours=1) else None
        resolved = received + timedelta(days=1) if age > timedelta(days=3) else None
        closed = received + timedelta(days=5) if age > timedelta(days=10) else None
        state = "closed" if closed else "resolved" if resolved else "responded" if responded else "received"
        contact_id, contact_name = contacts.get(customer_id, (None, ""))
        satisfaction = rng.choice((3, 4, 4, 5)) if closed else None
        updated = closed or resolved or responded or received
        cases.append((case_id, f"CC{year}-{sequence[year]:04d}", customer_id, owner_id,
                      rng.choice(("phone", "email", "chat")), received, contact_name, contact_id, None, None, category,
                      severity, summary, summary, state, due, responded, owner_id if responded else None, None,
                      cause if resolved else "", solution if resolved else "", prevention if resolved else "", "none",
                      None, None, satisfaction, closed, closed, owner_id, received, updated, 1))
        for at, step, note in ((received, "received", summary), (responded, "responded", "已致電致歉並說明處理方式"),
                               (resolved, "resolved", ""), (closed, "callback", f"{satisfaction}/5 · 客戶表示滿意處理結果"),
                               (closed, "closed", "")):
            if at is not None:
                events.append((event_id, case_id, customer_id, at, step, owner_id, note))
                event_id += 1
        case_id += 1
    _write(ComplaintCase, (
        "id", "number", "customer_id", "owner_id", "channel", "received_at", "reported_by", "contact_id", "shipment_id",
        "quote_id", "category", "severity", "summary", "description", "state", "response_due_at", "first_response_at",
        "first_response_by_id", "escalated_at", "root_cause", "solution", "prevention", "claim_state", "claim_amount",
        "claim_currency", "satisfaction", "callback_at", "closed_at", "created_by_id", "created_at", "updated_at",
        "version"), cases)
    _write(CaseEvent, ("id", "case_id", "customer_id", "at", "step", "by_id", "note"), events)
    for year, last in sequence.items():
        current = db.session.get(Counter, f"complaint-{year}")
        if current is None:
            db.session.add(Counter(name=f"complaint-{year}", value=last))
        else:
            current.value = max(current.value, last)
    db.session.commit()
    return len(cases)


def _counters_dash(prefix: str) -> dict[str, int]:
    return {name.split("-", 1)[1]: value for name, value in db.session.execute(
        sa.select(Counter.name, Counter.value).where(Counter.name.like(f"{prefix}-%")))}
