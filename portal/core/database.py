"""Database engine set-up shared by SQLite and PostgreSQL."""
import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import IntegerConverter

from portal.core.rules import SimultaneousSave

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# An execution option for work outside a request that only reads (engine.execution_options(**{READ_ONLY:
# True})): on SQLite its transactions start deferred, beside a writer, instead of queuing for the lock.
READ_ONLY = "portal_read_only"


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
        reading = conn.get_execution_options().get(READ_ONLY) or (
            has_request_context() and request.method in SAFE_METHODS)
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


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique constraint refused the row (SQLite or PostgreSQL), not some other constraint."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == "23505":  # psycopg: unique_violation
        return True
    name = getattr(original, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def commit(session) -> None:
    """Commit; a unique value taken by a simultaneous save becomes a SimultaneousSave refusal.

    Any other integrity error is a bug and propagates (the error handler logs it, answers 500).
    """
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if is_unique_violation(error):
            raise SimultaneousSave() from error
        raise


def lock(session, record) -> None:
    """Re-read record and hold its row until the transaction ends (SELECT ... FOR UPDATE).

    A change that depends on the record's current state (closing an item, acknowledging a note)
    then sees what a simultaneous change committed, and refuses in words ("already closed by
    ..."), on PostgreSQL as on SQLite, whose writers queue at BEGIN IMMEDIATE anyway.
    """
    primary_key = sa.inspect(record).mapper.primary_key[0]
    session.execute(sa.select(primary_key).where(primary_key == record.id).with_for_update())
    session.refresh(record)
