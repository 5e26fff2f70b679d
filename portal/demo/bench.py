"""`flask --app wsgi bench generate --tier M`: three years of a busy department, written straight
into the database in bulk, for `make bench`.

Tiers (customers / quotes / handover items / shipments / rates / contact log entries): demo (the
demo data alone), M (50,000 / 200,000 / 100,000 / 60,000 / 10,000 / 150,000), L (50,000 / 1,000,000 /
500,000 / 300,000 / 20,000 / 600,000). It adds to what is there (the demo data, whose logins keep
working): a department of agents, customers with contacts, quotes with their charge lines,
follow-ups and approvals over three years, shift handover notes with their items, and the later
screens' tables (bench_screens: vessel calls and shipments with their milestones, documents and a
few status links; rate cards; the contact log with cadence, visits and complaint cases); then it
numbers the months in the counters, writes the search index and updates the planner's statistics.
Everything comes from random.Random(seed). Each phase's seconds are reported as it ends.
"""
import functools
import multiprocessing
import os
import random
import secrets
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.auth.rules import hash_password
from portal.core import clock, search
from portal.core.database import READ_ONLY
from portal.core.sequence import Counter
from portal.customers.models import Contact, Customer
from portal.demo import bench_screens as screens, data as words
from portal.demo.quotes import GOODS, TRADES
from portal.extensions import db
from portal.handover.models import HandoverItem, HandoverNote, NoteEntry, Shift
from portal.quotes.models import ChargeLine, FollowUp, Quote

# customers, quotes, handover items, shipments, rates, contact log entries
TIERS = {"demo": (0, 0, 0, 0, 0, 0), "M": (50_000, 200_000, 100_000, 60_000, 10_000, 150_000),
         "L": (50_000, 1_000_000, 500_000, 300_000, 20_000, 600_000)}
AGENTS = 45                   # a department that writes ~22,000 quotes each over three years at L
YEARS = 3
BATCH = 5000
ORIGINS = ("TWKHH", "TWKEL", "TWTXG", "CNSHA", "CNNGB", "CNYTN", "CNSHK", "HKHKG", "CNXMN", "CNTAO")
CONTAINERS = ("40HQ", "40HQ", "40HQ", "20GP", "20GP", "40GP", "45HQ", "40RF")
# Where quotes end up: mostly history, a few still open (the newest).
OUTCOMES = (("won", 28), ("lost", 22), ("expired", 40), ("sent", 6), ("draft", 2), ("pending", 1), ("approved", 1))

bench = AppGroup("bench", help="Large realistic data for `make bench`.")


@bench.command("generate", help="Add a tier of data (demo, M, L) to the database DATABASE_URL names.")
@click.option("--tier", type=click.Choice(list(TIERS)), default="M", show_default=True)
@click.option("--seed", type=int, default=11, show_default=True)
def generate_command(tier, seed):
    started = time.monotonic()
    counts = generate(tier, seed, progress=lambda what, n: click.echo(f"  {what}: {n:,}", err=True))
    click.echo(f"Tier {tier}: " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
               + f" in {time.monotonic() - started:.0f} s")


def generate(tier: str, seed: int = 11, progress=None) -> dict[str, int]:
    """Add the tier's data; the demo data (its users, shifts) must be there. Returns row counts;
    progress(what, n) hears of each batch, and of each phase's seconds ("seconds: <phase>")."""
    customers_n, quotes_n, items_n, shipments_n, rates_n, contacts_n = TIERS[tier]
    rng = random.Random(seed)
    now = clock.now()
    say = progress or (lambda what, n: None)
    counts = {}
    timer = _Phases(say)
    _fast_writes()
    set_aside = _drop_indexes(BULK_TABLES) if customers_n else []
    if customers_n:
        with timer("agents and customers"):
            agents = _agents(rng)
            owners = [a for a in agents]
            customer_ids = _customers(rng, customers_n, owners, now, say)
        counts["customers"] = len(customer_ids)
        with timer("quotes"):
            counts["quotes"] = _quotes(rng, quotes_n, customer_ids, now, say)
        with timer("handover"):
            counts["handover items"] = _handover(rng, items_n, agents, customer_ids, now, say)
        customers = db.session.execute(sa.select(Customer.id, Customer.owner_id, Customer.name_zh, Customer.name_en,
                                                 Customer.grade).where(Customer.id.in_(customer_ids))).all()
        customers = [tuple(c) for c in customers]
        lead = db.session.scalar(sa.select(User.id).where(User.role == "supervisor").order_by(User.id).limit(1))
        route = db.session.scalar(sa.select(User.id).where(User.username == "route")) or lead
        with timer("vessel calls"):
            services, calls = screens.vessel_calls(rng, now, YEARS, say, lead)
        with timer("shipments"):
            counts |= screens.shipments(rng, shipments_n, customers, now, YEARS, services, calls, say)
        with timer("rates"):
            counts["rates"] = screens.rates(rng, rates_n, now, YEARS, route, say)
        with timer("visits"):
            counts |= screens.visits(rng, contacts_n, customers, agents, now, YEARS, say)
    with timer("indexes"):
        _create_indexes(set_aside)
        _advance_sequences()
    with timer("search index"):
        counts |= {f"{kind} documents": n for kind, n in _search_index(say).items()}
    with timer("statistics"):
        _analyze()
    return counts


# The tables that take most rows: their secondary indexes are dropped while they fill and made again
# at the end, in one sorted pass each, rather than kept in step row by row.
BULK_TABLES = ("quote", "charge_line", "quote_follow_up", "handover_item", "handover_note", "handover_entry",
               "shipment", "shipment_leg", "shipment_container", "milestone", "required_document", "contact_log",
               "planned_visit", "rate")


def _drop_indexes(tables) -> list[str]:
    """Drop the tables' secondary indexes (not the primary keys, nor those behind unique constraints);
    returns the statements that make them again, as the database itself describes them."""
    connection = db.session.connection()
    known = set(sa.inspect(connection).get_table_names())
    tables = [t for t in tables if t in known]
    if connection.dialect.name == "postgresql":
        found = connection.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN :tables "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)").bindparams(
            sa.bindparam("tables", expanding=True)), {"tables": tables}).all()
    else:
        found = connection.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN :tables"
        ).bindparams(sa.bindparam("tables", expanding=True)), {"tables": tables}).all()
    for name, _definition in found:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    db.session.commit()
    return [definition for _name, definition in found]


def _create_indexes(definitions: list[str]) -> None:
    connection = db.session.connection()
    for definition in definitions:
        connection.exec_driver_sql(definition)
    db.session.commit()


def _advance_sequences() -> None:
    """PostgreSQL: rows were written with their ids, so each id sequence moves past the largest one
    (the app's next insert must not collide). SQLite numbers from the largest id by itself."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, sa.Integer):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM \"{table.name}\"), false) "
                f"WHERE pg_get_serial_sequence('\"{table.name}\"', 'id') IS NOT NULL")
    db.session.commit()


def _fast_writes() -> None:
    """For this connection and this load only. SQLite: no fsync per commit (a crash means generating
    again) and a larger page cache; the database's own settings (WAL, foreign keys) are untouched.
    PostgreSQL: index builds get 1 GB of memory (a GIN index over millions of token arrays otherwise
    spills to disk in 64 MB runs)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET maintenance_work_mem = '1GB'"))
        db.session.commit()
        return
    db.session.commit()
    db.session.close()
    with db.engine.connect() as connection:   # outside a transaction: the safety level cannot change inside one
        raw = connection.connection.dbapi_connection
        for pragma in ("synchronous = OFF", "cache_size = -262144", "temp_store = MEMORY"):
            raw.execute(f"PRAGMA {pragma}")


class _Phases:
    """Times each phase of the generation and tells progress ("seconds: <phase>", seconds)."""

    def __init__(self, say):
        self.say = say

    def __call__(self, phase):
        import contextlib

        @contextlib.contextmanager
        def timed():
            started = time.monotonic()
            yield
            self.say(f"seconds: {phase}", round(time.monotonic() - started))
        return timed()


def _insert(table, rows: list[dict]) -> None:
    if rows:
        columns = tuple(rows[0])
        bulk_insert(table, columns, [tuple(row[c] for c in columns) for row in rows])


def bulk_insert(table: sa.Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows as tuples in the order of columns, written through the driver's fast path: COPY on
    PostgreSQL, one prepared executemany on SQLite (values in the forms SQLAlchemy itself stores:
    datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff', dates ISO, Decimals as text, choices as their value)."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        if "id" in columns:   # rows came with their ids: the app's next insert (a status link) must not collide
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), (SELECT max(id) FROM \"{table.name}\")) "
                f"WHERE pg_get_serial_sequence('\"{table.name}\"', 'id') IS NOT NULL")
        return
    convert = [n for n, c in enumerate(columns) if isinstance(table.c[c].type, (sa.DateTime, sa.Date, sa.Numeric))]
    if convert:
        rows = [list(row) for row in rows]
        for row in rows:
            for n in convert:
                value = row[n]
                if value is not None:
                    row[n] = value.isoformat(" ", "microseconds") if isinstance(value, datetime) else \
                        value.isoformat() if isinstance(value, date) else str(value)
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _agents(rng: random.Random) -> list[int]:
    """The demo's agents and supervisor, and a department of agents around them (no login)."""
    demo = db.session.scalars(sa.select(User.id).where(User.role.in_(("agent", "supervisor")))).all()
    unusable = hash_password(secrets.token_urlsafe(24))
    first = _next_id(User)
    rows = []
    for n in range(AGENTS - len(demo)):
        surname, surname_en = rng.choice(words.TW_SURNAMES)
        given, given_en, _sex = rng.choice(words.TW_GIVEN)
        rows.append({"id": first + n, "username": f"cs{first + n:03d}", "display_name": f"{surname}{given} {given_en} {surname_en}",
                     "email": None, "password_hash": unusable, "role": "agent", "is_new_hire": False,
                     "team": rng.choice(("direct", "peer")), "locale": rng.choice(("zh_Hant", "zh_Hans", "en")),
                     "timezone": "Asia/Taipei", "active": True, "created_at": clock.now(), "session_epoch": 1,
                     "version": 1})
    _insert(User.__table__, rows)
    db.session.commit()
    return list(demo) + [r["id"] for r in rows]


def _customer_name(rng: random.Random, n: int) -> tuple[str, str, str]:
    region = rng.random()
    if region < 0.45:
        (brand, brand_en), (kind, kind_en, _w) = rng.choice(words.TW_BRANDS), rng.choice(words.TW_DIRECT)
        return f"{brand}{kind}股份有限公司", f"{brand_en} {kind_en} Co., Ltd.", "TW"
    if region < 0.8:
        (brand, brand_en), (kind, kind_en, _w) = rng.choice(words.CN_BRANDS), rng.choice(words.CN_DIRECT)
        place, _street = rng.choice(words.CN_PLACES)[:2]
        return f"{place[:2]}{brand}{kind}有限公司", f"{brand_en} {kind_en} Co., Ltd.", "CN"
    (brand, brand_en), (kind, kind_en, _w) = rng.choice(words.HK_BRANDS), rng.choice(words.HK_DIRECT)
    return f"{brand}{kind}有限公司", f"{brand_en} {kind_en} Limited", "HK"


def _customers(rng, n, owners, now, say) -> list[int]:
    first = _next_id(Customer)
    contact_id = _next_id(Contact)
    ids = []
    start = now - timedelta(days=365 * YEARS)
    for base in range(0, n, BATCH):
        customers, contacts = [], []
        for k in range(base, min(base + BATCH, n)):
            cid = first + k
            zh, en, country = _customer_name(rng, k)
            created = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
            customers.append({
                "id": cid, "code": f"BX-{k:06d}", "name_zh": zh, "name_en": en, "sort_name": en.casefold()[:160],
                "kind": rng.choices(("direct", "peer", "carrier", "provider"), (60, 28, 4, 8))[0],
                "grade": rng.choices("ABCD", (12, 33, 38, 17))[0], "source": "self_sourced",
                "is_vip": rng.random() < 0.05, "is_state_owned": country == "CN" and rng.random() < 0.1,
                "preferred_locale": {"TW": "zh_Hant", "HK": "zh_Hant", "CN": "zh_Hans"}[country], "country": country,
                "owner_id": rng.choice(owners), "credit_terms_days": rng.choice((0, 30, 45, 60)),
                "credit_limit": Decimal(rng.randint(0, 50) * 10_000), "credit_currency": "USD",
                "created_at": created, "updated_at": created, "version": 1})
            for _c in range(rng.choice((1, 1, 2, 2, 3))):
                surname, surname_en = rng.choice(words.TW_SURNAMES if country != "CN" else words.CN_SURNAMES)
                given, given_en, _sex = rng.choice(words.TW_GIVEN if country != "CN" else words.CN_GIVEN)
                contacts.append({"id": contact_id, "customer_id": cid, "name": f"{surname}{given}",
                                 "phone": f"+886 {rng.randint(2, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
                                 if country == "TW" else f"+86 1{rng.randint(30, 99)} {rng.randint(1000, 9999)} "
                                 f"{rng.randint(1000, 9999)}", "email": f"{given_en.lower().replace('-', '')}.{k}@{en.split()[0].lower()}.example",
                                 "is_primary": not _c, "version": 1})
                contact_id += 1
            ids.append(cid)
        _insert(Customer.__table__, customers)
        _insert(Contact.__table__, contacts)
        db.session.commit()
        say("customers", len(ids))
    return ids


def _quotes(rng, n, customer_ids, now, say) -> int:
    if not n:
        return 0
    lanes = [(pol, pod, trade) for trade, spec in TRADES.items() for pod in spec[0] for pol in ORIGINS
             if pod[:2] != pol[:2]]
    goods = list(GOODS.values())
    owner_of = dict(db.session.execute(sa.select(Customer.id, Customer.owner_id)).all())
    first, line_id, follow_id = _next_id(Quote), _next_id(ChargeLine), _next_id(FollowUp)
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    # Inquiries spread over the three years, a little denser lately; numbered per month in order.
    moments = sorted(start + timedelta(seconds=span * (rng.random() ** 0.85)) for _ in range(n))
    # Numbers go on from where each month's counter stands (the demo's own quotes are there).
    sequence = {name.split(":", 1)[1]: value for name, value in db.session.execute(
        sa.select(Counter.name, Counter.value).where(Counter.name.like("quote:%")))}
    outcomes, weights = zip(*OUTCOMES)
    for base in range(0, n, BATCH):
        quotes, lines, follow_ups = [], [], []
        for k in range(base, min(base + BATCH, n)):
            qid = first + k
            inquiry = moments[k]
            month = f"{inquiry:%y%m}"
            sequence[month] = sequence.get(month, 0) + 1
            customer = rng.choice(customer_ids)
            pol, pod, trade = rng.choice(lanes)
            (low, high), carriers = TRADES[trade][1], TRADES[trade][4]
            container = rng.choice(CONTAINERS)
            qty = rng.choice((1, 1, 1, 2, 2, 3, 5))
            zh, _hans, en, _density = rng.choice(goods)
            age_days = (now - inquiry).days
            status = rng.choices(outcomes, weights)[0] if age_days > 30 else \
                rng.choice(("sent", "sent", "won", "lost", "draft", "pending", "approved"))
            sent = status not in ("draft", "pending", "approved")
            sent_at = inquiry + timedelta(minutes=rng.uniform(2, 240)) if sent else None
            updated = (sent_at or inquiry) + timedelta(days=rng.uniform(0, 20) if status in ("won", "lost") else 0)
            sell = Decimal(rng.randint(low, high))
            quotes.append({
                "id": qid, "number": f"Q{month}-{sequence[month]:05d}", "revision": 1, "is_current": True,
                "customer_id": customer, "contact_id": None,
                "agent_id": owner_of[customer], "inquiry_at": inquiry, "mode": "fcl",
                "pol": pol, "pod": pod, "carrier": rng.choice(carriers), "container_type": container,
                "container_qty": qty, "gross_weight_kg": Decimal(rng.randint(4, 26) * 1000), "commodity": rng.choice((zh, en)),
                "dg_fees_confirmed": False, "valid_until": (inquiry + timedelta(days=rng.choice((7, 14, 14, 30)))).date(),
                "currency": "USD", "notes": "", "remarks": "",
                "status": status, "approval_reasons": "new_hire" if status in ("pending", "approved") else "",
                "sent_at": sent_at, "response_seconds": int((sent_at - inquiry).total_seconds()) if sent_at else None,
                "lost_reason": "價格較高" if status == "lost" else None, "created_at": inquiry,
                "updated_at": updated, "version": 1})
            for position, (code, rate, buy) in enumerate((("OFR", sell, sell * Decimal("0.85")),
                                                          ("BAF", Decimal(rng.randint(40, 160)), Decimal("40")),
                                                          ("THC-O", Decimal(rng.randint(150, 190)), Decimal("150")))):
                lines.append({"id": line_id, "quote_id": qid, "position": position, "charge_code": code,
                              "basis": "container", "quantity": Decimal(qty), "buy_rate": buy.quantize(Decimal("1")),
                              "sell_rate": rate, "min_sell_rate": (rate * Decimal("0.93")).quantize(Decimal("1")),
                              "currency": "USD", "direction": "receivable", "includes": ""})
                line_id += 1
            if sent_at and age_days < 60:
                due = sent_at + timedelta(days=1)
                follow_ups.append({"id": follow_id, "quote_id": qid, "agent_id": quotes[-1]["agent_id"],
                                   "due_at": due, "reminded_at": due if due < now else None,
                                   "done_at": due + timedelta(hours=2) if status != "sent" or rng.random() < 0.7 else None,
                                   "note": ""})
                follow_id += 1
        _insert(Quote.__table__, quotes)
        _insert(ChargeLine.__table__, lines)
        _insert(FollowUp.__table__, follow_ups)
        db.session.commit()
        say("quotes", base + len(quotes))
    for month, last in sequence.items():
        current = db.session.get(Counter, f"quote:{month}")
        if current is None:
            db.session.add(Counter(name=f"quote:{month}", value=last))
        else:
            current.value = last
    db.session.commit()
    return n


def _handover(rng, n, agents, customer_ids, now, say) -> int:
    """Notes from shift to shift over three years, three items a note on average, a fifth of the
    items carried to the next note before someone closed them; the newest notes still open."""
    if not n:
        return 0
    shifts = db.session.scalars(sa.select(Shift).where(Shift.active.is_(True)).order_by(Shift.position)).all()
    note_id, item_id, entry_id = _next_id(HandoverNote), _next_id(HandoverItem), _next_id(NoteEntry)
    texts = ["請追蹤{c}的訂艙確認書", "{c} 的提單草稿待客戶確認", "Call {c} about the rolled container",
             "{c} 詢價：高雄到洛杉磯 40HQ", "{c} VGM 尚未提供，截單前要催", "跟进{c}的报关资料", "{c} complaint: damaged cartons"]
    items_made, notes, items, entries = 0, [], [], []
    notes_n = max(n // 3, 1)
    start = now - timedelta(days=365 * YEARS)
    step = (now - start) / notes_n
    carry: list[int] = []
    for k in range(notes_n):
        moment = start + step * k
        author, recipient = rng.sample(agents, 2)
        recent = now - moment < timedelta(days=2)
        state = "submitted" if recent and rng.random() < 0.5 else "acknowledged"
        notes.append({"id": note_id, "kind": "shift", "shift_id": shifts[k % len(shifts)].id,
                      "shift_date": moment.date(), "author_id": author, "recipient_id": recipient, "team": None,
                      "previous_owner_id": None, "summary": "颱風警報，高雄港可能停止作業" if k % 17 == 0 else "",
                      "state": state, "created_at": moment, "updated_at": moment, "submitted_at": moment + timedelta(hours=7),
                      "acknowledged_at": moment + timedelta(hours=8) if state == "acknowledged" else None,
                      "acknowledged_by_id": recipient if state == "acknowledged" else None, "version": 1})
        position = 0
        for carried in carry:
            entries.append({"id": entry_id, "note_id": note_id, "item_id": carried, "position": position,
                            "carried_by_id": author, "carried_at": moment})
            entry_id, position = entry_id + 1, position + 1
        carry = []
        for _i in range(rng.choice((2, 3, 3, 4))):
            if items_made >= n:
                break
            customer = rng.choice(customer_ids)
            open_ = recent
            carried = not recent and rng.random() < 0.2
            items.append({"id": item_id, "text": rng.choice(texts).format(c=f"BX-{customer % 100000:06d}"),
                          "priority": rng.choice(("urgent", "normal", "normal", "info")),
                          "category": rng.choice(("booking", "document", "customer_request", "other")),
                          "customer_id": customer, "subject_type": None, "subject_id": None, "due_at": None,
                          "state": "open" if open_ else "done", "raised_by_id": author, "raised_at": moment,
                          "done_by_id": None if open_ else recipient,
                          "done_at": None if open_ else moment + timedelta(hours=rng.uniform(8, 30)), "version": 1})
            entries.append({"id": entry_id, "note_id": note_id, "item_id": item_id, "position": position,
                            "carried_by_id": None, "carried_at": None})
            if carried:   # open at the end of the shift, closed on the next one
                carry.append(item_id)
            item_id, entry_id, position, items_made = item_id + 1, entry_id + 1, position + 1, items_made + 1
        note_id += 1
        if len(items) >= BATCH or k == notes_n - 1:
            _insert(HandoverNote.__table__, notes)
            _insert(HandoverItem.__table__, items)
            _insert(NoteEntry.__table__, entries)
            db.session.commit()
            notes, items, entries = [], [], []
            say("handover items", items_made)
    return items_made


def _search_index(say, batch: int = 5000) -> dict[str, int]:
    """Every record's search document anew, as `search.rebuild` writes them (the same documents, in the
    same order), written in bulk with the engine's index set aside and built once at the end
    (SQLite: the FTS5 triggers dropped, the FTS table rebuilt from its content table; PostgreSQL: the
    GIN indexes dropped and created again). Row by row through the triggers, FTS5 merged its small
    segments again and again: tier M crawled at some 50 documents a second."""
    db.session.commit()
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        saved = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_document' "
            "AND indexdef ILIKE '%%USING gin%%'").all()
        for name, _definition in saved:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        connection.exec_driver_sql("TRUNCATE search_document")
    else:
        saved = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_document'").all()
        for name, _definition in saved:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        connection.exec_driver_sql("DELETE FROM search_document")
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    db.session.commit()
    # The same customer names, codes, commodities and ports stand on a million records: the token
    # caches are made wide enough to hold them for this load (the app's 50,000 entries are churned by
    # the unique quote and shipment numbers), then put back.
    saved_caches = search._text_tokens, search._name_tokens
    search._text_tokens = functools.lru_cache(maxsize=400_000)(saved_caches[0].__wrapped__)
    search._name_tokens = functools.lru_cache(maxsize=200_000)(saved_caches[1].__wrapped__)
    try:
        counts = _documents(say, batch)
    finally:
        search._text_tokens, search._name_tokens = saved_caches
    connection = db.session.connection()
    if not postgres:
        # FTS5 holds up to 'hashsize' of new terms in memory before it writes a segment, and merges the
        # segments as they pile up: with its 1 MB default a rebuild of millions of documents spends
        # most of its time merging. For this one rebuild it holds 256 MB; the default then returns.
        connection.exec_driver_sql(f"INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', {256 * 2**20})")
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        connection.exec_driver_sql(f"INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', {2**20})")
        # The rebuild leaves many segments on one level: the app's next write would have to merge them
        # all at once (FTS5's crisis merge), holding the write lock for longer than writers wait.
        # Merged into one now.
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    for _name, definition in saved:
        connection.exec_driver_sql(definition)
    db.session.commit()
    return counts


def _documents(say, batch: int) -> dict[str, int]:
    """Each source's documents, by its own documents function, numbered in the order rebuild numbers them.
    The tokens are made in worker processes, one per core, while this process writes what they send back
    in order: making tokens is Python work that one core alone takes minutes over at tier L."""
    counts, next_id = {}, 1
    sources = current_app.extensions.get("search_sources", {})
    work = []
    for kind, source in sources.items():
        ids = db.session.scalars(sa.select(source.model.id).order_by(source.model.id)).all()
        counts[kind] = len(ids)
        work += [(kind, ids[start:start + batch]) for start in range(0, len(ids), batch)]
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
    _fast_writes()   # this process's connection again, with the load's settings (the workers drop it)
    done = {kind: 0 for kind in sources}
    processes = max(1, min(os.cpu_count() or 1, len(work)))
    with multiprocessing.get_context("fork").Pool(processes, initializer=_document_worker_start,
                                                  initargs=(current_app._get_current_object(),)) as pool:
        dialect = db.engine.dialect.name
        for kind, documents in pool.imap(_document_batch, work, chunksize=1):
            rows = [(next_id + n, kind, record_id, search.stored_tokens(dialect, kind, tokens))
                    for n, (record_id, tokens) in enumerate(documents)]
            next_id += len(rows)
            bulk_insert(search.SearchDocument.__table__, ("id", "kind", "record_id", "tokens"), rows)
            db.session.commit()   # batch by batch: one transaction of millions of rows swells SQLite's WAL
            done[kind] += len(rows)
            say(f"{kind} documents", done[kind])
    return counts


_worker_session: Session | None = None


def _document_worker_start(app) -> None:
    global _worker_session
    db.engine.dispose(close=False)   # the parent's pooled connections stay the parent's
    app.app_context().push()
    # Reads only: on SQLite its transactions do not queue for the write lock the parent holds.
    _worker_session = Session(bind=db.engine.execution_options(**{READ_ONLY: True}))


def _document_batch(job) -> tuple[str, list[tuple[int, str]]]:
    kind, ids = job
    documents = current_app.extensions["search_sources"][kind].documents(_worker_session, ids)
    _worker_session.rollback()   # end the read so the next batch reads afresh
    return kind, sorted(documents.items())


def _analyze() -> None:
    """The planner's statistics for the new data (the list queries' plans depend on them)."""
    db.session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


@bench.command("stats", help="Write the planner's statistics of this (SQLite) database for the query-plan test.")
@click.option("--tier", default="L", show_default=True, help="The tier the database holds (recorded in the file).")
@click.argument("path", default="tests/data/planner-stats.json")
def stats_command(tier, path):
    import json
    rows = db.session.execute(sa.text(
        "SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl NOT LIKE 'search_fts%' AND tbl != 'alembic_version' "
        "ORDER BY tbl, idx")).all()
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"tier": tier, "source": "flask bench stats (sqlite_stat1 after flask bench generate)",
                   "sqlite_stat1": [list(r) for r in rows]}, fh, ensure_ascii=False, indent=1)
    click.echo(f"{len(rows)} statistics written to {path}")
