"""Database engine set-up shared by SQLite and PostgreSQL."""
from flask import has_request_context, request
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine) -> None:
    """WAL, foreign keys, busy timeout, and IMMEDIATE write transactions.

    pysqlite's own transaction handling is switched off so that we issue BEGIN ourselves:
    a request that may write (any unsafe method, any CLI command) takes the write lock at
    BEGIN, so concurrent writers queue on the busy timeout instead of failing half-way with
    "database is locked"; reads stay deferred and run beside writers under WAL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        reading = has_request_context() and request.method in SAFE_METHODS
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive id that fits a 32-bit column; anything else is a 404."""

    regex = r"[0-9]+"  # ASCII digits only (Werkzeug's default also takes ١ or １)

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id from untrusted input (query string, form), or None when it cannot be one."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)
