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
from portal.extensions import db

STATS = Path(__file__).resolve().parents[1] / "data" / "planner-stats.json"
TABLES = {"customer", "contact", "quote", "charge_line", "handover_note", "handover_item", "handover_entry",
          "quote_follow_up", "approval_decision", "user", "audit_entry", "search_document"}


class Recorder:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
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


def _problems(plan: list[str], postgres: bool, sorting_allowed: bool) -> list[str]:
    found = []
    for line in plan:
        if postgres:
            if "Seq Scan on" in line and any(f" {t} " in f" {line} " for t in TABLES):
                found.append(line.strip())
            if not sorting_allowed and re.search(r"\bSort\b", line) and "Sort Key" not in line:
                found.append(line.strip())
        else:
            scan = re.fullmatch(r"SCAN (\w+)", line.strip())
            if scan and scan.group(1) in TABLES:
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
        bad = _problems(plan, postgres, sorting_allowed)
        if bad:
            problems.append(f"{label}: {bad} in\n  {statement[:300]}")
    return problems


def test_every_list_reads_through_an_index_in_its_order(planner):
    from portal.customers import queries as customers
    from portal.handover import queries as handover
    from portal.quotes import queries as quotes
    user, postgres = planner
    agent = User(id=10_000, role="agent", team="direct", active=True)   # what an agent may read
    cursor_date = date(2026, 1, 1).isoformat()
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
        "quotes of a month": lambda: quotes.history(quotes.QuoteFilters(date_from=date(2026, 1, 1),
                                                                        date_to=date(2026, 1, 31))),
        "quotes, next page": lambda: quotes.history(quotes.QuoteFilters(),
                                                    after=_cursor([f"{cursor_date}T00:00:00", 1000])),
        "the approval queue": lambda: quotes.pending_approvals(),
        "a lane's prices": lambda: quotes.lane_prices("TWKHH", "USLAX", "40HQ"),
        "follow-ups due": lambda: quotes.follow_ups_due(user, datetime(2026, 1, 1)),
        "an agent's decisions": lambda: quotes.my_recent_decisions(user),
        "the board, waiting": lambda: handover.board_waiting(),
        "the board, taken over": lambda: handover.board_recent(date(2026, 1, 1)),
        "handover history": lambda: handover.history(user, handover.NoteFilters()),
        "handover history, an agent's": lambda: handover.history(agent, handover.NoteFilters()),
        "handover history of a month": lambda: handover.history(user, handover.NoteFilters(
            date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))),
        "handover history, next page": lambda: handover.history(user, handover.NoteFilters(),
                                                                after=_cursor([cursor_date, 1000])),
        "navigation counts": lambda: (quotes.pending_count(), quotes.reminders_count(user),
                                      handover.waiting_for(user)),
    }
    problems = []
    for label, call in lists.items():
        problems += _check(label, call, postgres)
    # A search reads its matches from the search index (their order is then sorted, at most
    # search.NEWEST_MATCHES rows): never a scan of the records.
    searches = {
        "customer search": lambda: customers.list_customers(customers.CustomerFilters(q="華益")),
        "quote search": lambda: quotes.history(quotes.QuoteFilters(q="高雄 machine")),
        "handover search": lambda: handover.history(user, handover.NoteFilters(q="VGM")),
    }
    for label, call in searches.items():
        problems += _check(label, call, postgres, sorting_allowed=True)
    assert not problems, "\n".join(problems)


def _cursor(values) -> str:
    from portal.core.pagination import _encode
    return _encode(values)


def test_the_statistics_are_those_of_a_large_database():
    stats = {(t, i): s for t, i, s in json.loads(STATS.read_text())["sqlite_stat1"]}
    assert int(stats[("quote", "ix_quote_current_inquiry")].split()[0]) >= 200_000
    assert int(stats[("customer", "ix_customer_sort_name_id")].split()[0]) >= 50_000
