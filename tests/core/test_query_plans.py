"""Every list reads through an index that matches its filter and order: no full scan of a table,
no sort of the rows in a temporary B-tree, whatever the size of the history.

On SQLite the planner is given the statistics of a large bench database (tests/data/planner-stats.json,
sqlite_stat1 from `make bench`, regenerated with `flask bench stats`) and each list's real statements
are explained. On PostgreSQL, sequential scans and sorts are priced out and the plan must then do
without them, which only an index serving the filter and the order allows.
"""
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from portal.auth.models import User
from portal.core.clock import now
from portal.extensions import db

# The plans do not depend on the moment: any recent one serves, taken from the portal's clock.
MONTH_START = (now() - timedelta(days=60)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
NEXT_MONTH = (MONTH_START + timedelta(days=32)).replace(day=1)
DAY = MONTH_START.date() + timedelta(days=6)
STATS = Path(__file__).resolve().parents[1] / "data" / "planner-stats.json"
TABLES = {"customer", "contact", "quote", "charge_line", "handover_note", "handover_item", "handover_entry",
          "quote_follow_up", "approval_decision", "user", "audit_entry", "search_document",
          "contact_log", "customer_cadence", "planned_visit", "reactivation", "reactivation_attempt",
          "complaint_case", "complaint_event", "review_action", "review_meeting",
          "shipment", "shipment_leg", "shipment_container", "vessel_call", "schedule_change", "milestone",
          "notice", "notice_shipment", "outbox_message", "rate", "rate_import"}


class Recorder:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def planner(app, make_user):
    """A request context whose database plans as a large one would, and a user to ask as."""
    user_id = make_user("supervisor").id
    with app.app_context():
        engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    if not postgres:
        rows = json.loads(STATS.read_text())["sqlite_stat1"]
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")
            connection.execute(sa.text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:t, :i, :s)"),
                               [{"t": t, "i": i, "s": s} for t, i, s in rows])
        engine.dispose()   # connections read the statistics when they open
    with app.test_request_context():
        yield db.session.get(User, user_id), postgres
        db.session.rollback()
    if not postgres:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        engine.dispose()


def _explain(statement, parameters, postgres) -> list[str]:
    connection = db.session.connection()
    if postgres:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [r[0] for r in rows]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [r[-1] for r in rows]


def _newest_by_key(statement: str, table: str) -> bool:
    """The newest rows of a whole table by primary key, a few: SQLite walks its rowid backwards from
    the end and stops at the limit, which its plan also writes SCAN."""
    flat = " ".join(statement.split())
    return " WHERE " not in flat and re.search(rf"ORDER BY {table}\.id DESC LIMIT \?", flat) is not None


def _problems(plan: list[str], postgres: bool, sorting_allowed: bool, statement: str = "") -> list[str]:
    found = []
    for line in plan:
        if postgres:
            if "Seq Scan on" in line and any(f" {t} " in f" {line} " for t in TABLES):
                found.append(line.strip())
            if not sorting_allowed and re.search(r"\bSort\b", line) and "Sort Key" not in line:
                found.append(line.strip())
        else:
            scan = re.fullmatch(r"SCAN (\w+)", line.strip())
            if scan and scan.group(1) in TABLES and not _newest_by_key(statement, scan.group(1)):
                found.append(line)
            if not sorting_allowed and "USE TEMP B-TREE FOR ORDER BY" in line:
                found.append(line)
    return found


def _check(label, call, postgres, sorting_allowed=False):
    with Recorder(db.engine) as recorder:
        call()
    assert recorder.statements, label
    problems = []
    for statement, parameters in recorder.statements:
        plan = _explain(statement, parameters, postgres)
        bad = _problems(plan, postgres, sorting_allowed, statement)
        if bad:
            problems.append(f"{label}: {bad} in\n  {statement[:300]}")
    return problems


def test_every_list_reads_through_an_index_in_its_order(planner):
    from portal.customers import queries as customers
    from portal.handover import queries as handover
    from portal.quotes import queries as quotes
    user, postgres = planner
    agent = User(id=10_000, role="agent", team="direct", active=True)   # what an agent may read
    cursor_date = MONTH_START.date().isoformat()
    lists = {
        "customers by name": lambda: customers.list_customers(customers.CustomerFilters()),
        "customers by code": lambda: customers.list_customers(customers.CustomerFilters(), "code"),
        "customers by grade": lambda: customers.list_customers(customers.CustomerFilters(), "grade"),
        "customers by last change": lambda: customers.list_customers(customers.CustomerFilters(), "updated", True),
        "customers of an owner": lambda: customers.list_customers(customers.CustomerFilters(owner_id=user.id)),
        "customers of a kind": lambda: customers.list_customers(customers.CustomerFilters(kind="peer")),
        "customers of a grade": lambda: customers.list_customers(customers.CustomerFilters(grade="A")),
        "customers, next page": lambda: customers.list_customers(
            customers.CustomerFilters(), after='WyJtIiwxMDAwXQ'),
        "quotes": lambda: quotes.history(quotes.QuoteFilters()),
        "quotes of a status": lambda: quotes.history(quotes.QuoteFilters(status="won")),
        "quotes of an agent": lambda: quotes.history(quotes.QuoteFilters(agent_id=user.id)),
        "quotes of a customer": lambda: quotes.history(quotes.QuoteFilters(customer_code="TW-0001")),
        "quotes on a lane": lambda: quotes.history(quotes.QuoteFilters(pol="TWKHH", pod="USLAX")),
        "quotes with a carrier": lambda: quotes.history(quotes.QuoteFilters(carrier="EGLV")),
        "quotes of a container type": lambda: quotes.history(quotes.QuoteFilters(container_type="40HQ")),
        "quotes of a month": lambda: quotes.history(quotes.QuoteFilters(
            date_from=MONTH_START.date(), date_to=(NEXT_MONTH - timedelta(days=1)).date())),
        "quotes, next page": lambda: quotes.history(quotes.QuoteFilters(),
                                                    after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "the approval queue": lambda: quotes.pending_approvals(),
        "a lane's prices": lambda: quotes.lane_prices("TWKHH", "USLAX", "40HQ"),
        "follow-ups due": lambda: quotes.follow_ups_due(user, MONTH_START),
        "an agent's decisions": lambda: quotes.my_recent_decisions(user),
        "the board, waiting": lambda: handover.board_waiting(),
        "the board, taken over": lambda: handover.board_recent(MONTH_START.date()),
        "handover history": lambda: handover.history(user, handover.NoteFilters()),
        "handover history, an agent's": lambda: handover.history(agent, handover.NoteFilters()),
        "handover history of a month": lambda: handover.history(user, handover.NoteFilters(
            date_from=MONTH_START.date(), date_to=(NEXT_MONTH - timedelta(days=1)).date())),
        "handover history, next page": lambda: handover.history(user, handover.NoteFilters(),
                                                                after=_cursor([cursor_date, 1000])),
        "navigation counts": lambda: (quotes.pending_count(), quotes.reminders_count(user),
                                      handover.waiting_for(user)),
    }
    lists.update(_visits_lists(user, cursor_date))
    lists.update(_shipments_lists(user, cursor_date))
    lists.update(_rates_lists(cursor_date))
    problems = []
    for label, call in lists.items():
        problems += _check(label, call, postgres)
    # A search reads its matches from the search index (their order is then sorted, at most
    # search.NEWEST_MATCHES rows): never a scan of the records.
    searches = {
        "customer search": lambda: customers.list_customers(customers.CustomerFilters(q="華益")),
        "quote search": lambda: quotes.history(quotes.QuoteFilters(q="高雄 machine")),
        "handover search": lambda: handover.history(user, handover.NoteFilters(q="VGM")),
        "contact log search": lambda: _visit_queries().contact_log(_visit_queries().LogFilters(q="報價")),
        "complaint search": lambda: _visit_queries().cases(_visit_queries().CaseFilters(q="濕損", state="open")),
        **_shipment_searches(user),
    }
    for label, call in searches.items():
        problems += _check(label, call, postgres, sorting_allowed=True)
    # One customer's open complaints: found through the customer's index; a customer has a handful
    # (about one in thirty customers has any at the L tier), so the planner rightly sorts them in memory.
    problems += _check("a customer's open complaints", lambda: _visit_queries().open_cases_of(1000), postgres,
                       sorting_allowed=True)
    assert not problems, "\n".join(problems)


def _visit_queries():
    from portal.visits import queries
    return queries


def _visits_lists(user, cursor_date) -> dict:
    """The visits lists (R-V1 to R-V7): cadence lists, the contact log and its filters, next actions,
    the calendar, the reactivation queue, complaints, action items, care and agreements, the
    customer's timeline entries and the navigation counts."""
    from portal.visits import queries as visits
    day = DAY
    start, end = MONTH_START, NEXT_MONTH
    return {
        "visits: overdue": lambda: visits.due_list(user.id, "overdue", day),
        "visits: due today": lambda: visits.due_list(user.id, "today", day),
        "visits: next 7 days": lambda: visits.due_list(user.id, "week", day),
        "visits: overdue, everyone's": lambda: visits.due_list(None, "overdue", day),
        "visits: overdue, next page": lambda: visits.due_list(user.id, "overdue", day,
                                                               after=_cursor([cursor_date, 1000])),
        "visits: the desk's counts": lambda: (visits.due_counts(user.id, day), visits.overdue_count(user.id, day),
                                              visits.late_responses(MONTH_START + timedelta(days=6))),
        "contact log": lambda: visits.contact_log(visits.LogFilters()),
        "contact log of an agent": lambda: visits.contact_log(visits.LogFilters(agent_id=user.id)),
        "contact log of a customer": lambda: visits.contact_log(visits.LogFilters(customer_id=1000)),
        "contact log by channel": lambda: visits.contact_log(visits.LogFilters(channel="visit")),
        "contact log by purpose": lambda: visits.contact_log(visits.LogFilters(purpose="reactivation")),
        "contact log, next page": lambda: visits.contact_log(visits.LogFilters(),
                                                             after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "next actions": lambda: visits.next_actions(user.id),
        "calendar of an agent": lambda: visits.calendar(user.id, start, end),
        "calendar of the team": lambda: visits.calendar(None, start, end),
        "calendar feed": lambda: visits.agent_visits(user.id, start, end),
        "reactivation queue": lambda: visits.reactivation_queue(user.id),
        "reactivation queue, everyone's": lambda: visits.reactivation_queue(None),
        "reactivation results": lambda: visits.reactivation_results(start, user.id),
        "complaints": lambda: visits.cases(visits.CaseFilters(state="open")),
        "complaints of a handler": lambda: visits.cases(visits.CaseFilters(owner_id=user.id)),
        "complaints, closed": lambda: visits.cases(visits.CaseFilters(state="closed")),
        "complaints, next page": lambda: visits.cases(visits.CaseFilters(),
                                                      after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "complaints waiting for a first response": lambda: visits.waiting_for_response(user.id),
        "action items on the handover desk": lambda: visits.open_action_items(user.id),
        "birthdays of an agent's customers": lambda: visits.birthdays(user.id, day, day + timedelta(days=6)),
        "festival greetings": lambda: visits.festival_page(user.id),
        "agreements ending": lambda: visits.agreements_ending(user.id, day),
        "a customer's upcoming visits": lambda: visits.upcoming_visits(1000, start),
        "a customer's timeline: contacts, visits, complaints": lambda: (
            visits.timeline_contacts(1000, 21, user, before=end), visits.timeline_visits(1000, 21, user, before=end),
            visits.timeline_cases(1000, 21, user, before=end)),
    }


def _shipments_lists(user, cursor_date) -> dict:
    """The shipment list with every filter its screen offers (alone, and the lane, an agent's own
    and departing combinations), its next page, the vessel calls and their filters, a leg's choice
    of calls, the shipments on a call, schedule changes, the outbox, the customer's timeline and a
    quote's bookings."""
    from portal.shipments import queries as shipments
    from portal.shipments.models import VesselCall
    Filters, CallFilters = shipments.ShipmentFilters, shipments.CallFilters
    moment = MONTH_START + timedelta(days=6, hours=8)
    call = VesselCall(id=1000)
    return {
        "shipments": lambda: shipments.list_shipments(Filters()),
        "shipments of a status": lambda: shipments.list_shipments(Filters(status="booked")),
        "shipments of a customer": lambda: shipments.list_shipments(Filters(customer_code="TW-0001")),
        "shipments with a carrier": lambda: shipments.list_shipments(Filters(carrier="EGLV")),
        "shipments from a port": lambda: shipments.list_shipments(Filters(pol="TWKHH")),
        "shipments to a port": lambda: shipments.list_shipments(Filters(pod="USLAX")),
        "shipments on a lane": lambda: shipments.list_shipments(Filters(pol="TWKHH", pod="USLAX")),
        "shipments of my customers": lambda: shipments.list_shipments(Filters(mine_for=user.id)),
        "shipments of my customers in a status": lambda: shipments.list_shipments(
            Filters(mine_for=user.id, status="booked")),
        "shipments with open exceptions": lambda: shipments.list_shipments(Filters(exceptions=True)),
        "shipments of my customers with open exceptions": lambda: shipments.list_shipments(
            Filters(mine_for=user.id, exceptions=True)),
        "shipments departing within 3 days": lambda: shipments.list_shipments(Filters(departing_days=3)),
        "shipments departing within 14 days": lambda: shipments.list_shipments(Filters(departing_days=14)),
        "shipments of my customers departing within 7 days": lambda: shipments.list_shipments(
            Filters(mine_for=user.id, departing_days=7)),
        "shipments, next page": lambda: shipments.list_shipments(
            Filters(), after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "shipments of a status, next page": lambda: shipments.list_shipments(
            Filters(status="booked"), after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "vessel calls": lambda: shipments.list_calls(CallFilters()),
        "vessel calls at a port": lambda: shipments.list_calls(CallFilters(port="TWKHH")),
        "vessel calls of a carrier": lambda: shipments.list_calls(CallFilters(carrier="EGLV")),
        "vessel calls of a carrier at a port": lambda: shipments.list_calls(CallFilters(port="TWKHH", carrier="EGLV")),
        "vessel calls of a week": lambda: shipments.list_calls(CallFilters(date_from=MONTH_START.date(),
                                                                           date_to=DAY)),
        "vessel calls, schedule changed": lambda: shipments.list_calls(CallFilters(changed=True)),
        "vessel calls, next page": lambda: shipments.list_calls(CallFilters(),
                                                                after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "a leg's choice of calls": lambda: shipments.calls_at("TWKHH", moment),
        "the shipments on a call": lambda: (shipments.shipments_on(call), shipments.shipments_on(call, False)),
        "recent schedule changes": lambda: shipments.recent_changes(8),
        "a shipment's schedule changes": lambda: shipments.changes_on([1000, 1001, 1002]),
        "the outbox's due messages": lambda: shipments.due_messages(moment),
        "a customer's timeline: shipments": lambda: shipments.timeline_entries(1000, 21, user, before=moment),
        "a quote's bookings": lambda: shipments.bookings_of_quote(1000),
        "navigation count: schedule changes to tell": lambda: shipments.changes_to_tell(moment - timedelta(days=14)),
    }


def _shipment_searches(user) -> dict:
    from portal.shipments import queries as shipments
    return {
        "shipment search": lambda: shipments.list_shipments(shipments.ShipmentFilters(q="EGLV 高雄")),
        "shipment search of my customers": lambda: shipments.list_shipments(
            shipments.ShipmentFilters(q="CSQU", mine_for=user.id)),
        "vessel call search": lambda: shipments.list_calls(shipments.CallFilters(q="EVER GIVEN")),
    }


def _rates_lists(cursor_date) -> dict:
    """The rate list with every filter its screen offers (alone and on a lane), each validity it
    shows, its next page, and the rates a quote is priced from."""
    from portal.rates import queries as rates
    Filters, on = rates.RateFilters, DAY
    lists = {
        "rates valid today": lambda: rates.rate_list(Filters(state="current"), on),
        "rates, next page": lambda: rates.rate_list(Filters(state="current"), on,
                                                    after=_cursor(["TWKHH|USLAX|EGLV||40HQ|OFR", 1000])),
        "rates with a carrier": lambda: rates.rate_list(Filters(carrier="EGLV", state="current"), on),
        "rates from a port": lambda: rates.rate_list(Filters(pol="TWKHH", state="current"), on),
        "rates to a port": lambda: rates.rate_list(Filters(pod="USLAX", state="current"), on),
        "rates on a lane": lambda: rates.rate_list(Filters(pol="TWKHH", pod="USLAX", state="current"), on),
        "rates of a carrier on a lane": lambda: rates.rate_list(
            Filters(carrier="EGLV", pol="TWKHH", pod="USLAX", state="current"), on),
        "rates of a container type": lambda: rates.rate_list(Filters(equipment="40HQ", state="current"), on),
        "rates of a charge": lambda: rates.rate_list(Filters(charge_code="THC", state="current"), on),
        "rates of a source": lambda: rates.rate_list(Filters(source="agent", state="current"), on),
        "rates on a lane, next page": lambda: rates.rate_list(
            Filters(pol="TWKHH", pod="USLAX", state="current"), on,
            after=_cursor(["TWKHH|USLAX|EGLV||40HQ|OFR", 1000])),
        "a quote's rates valid on the day": lambda: rates.valid_rates("EGLV", "TWKHH", "USLAX", ["40HQ", "bl"], on),
        "a quote's lapsed rates": lambda: rates.lapsed_rates("EGLV", "TWKHH", "USLAX", ["40HQ", "bl"], on),
        "carriers on a lane": lambda: (rates.carriers_on_lane("TWKHH", "USLAX", "40HQ", on),
                                       rates.carriers_on_lane("TWKHH", "USLAX", None, on)),
        "a lane's cards": lambda: (rates.lane_cards("TWKHH", "USLAX", "40HQ", on),
                                   rates.lane_cards("TWKHH", "USLAX", None, on)),
        "recent rate imports": lambda: rates.recent_imports(),
    }
    for state in ("expiring", "future", "expired", "all"):
        lists[f"rates, {state}"] = lambda state=state: rates.rate_list(Filters(state=state), on)
        lists[f"rates on a lane, {state}"] = lambda state=state: rates.rate_list(
            Filters(pol="TWKHH", pod="USLAX", state=state), on)
    return lists


def _cursor(values) -> str:
    from portal.core.pagination import _encode
    return _encode(values)


def test_the_statistics_are_those_of_a_large_database():
    stats = {(t, i): s for t, i, s in json.loads(STATS.read_text())["sqlite_stat1"]}
    assert int(stats[("quote", "ix_quote_current_inquiry")].split()[0]) >= 200_000
    assert int(stats[("customer", "ix_customer_sort_name_id")].split()[0]) >= 50_000
