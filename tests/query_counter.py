"""Counting the SQL statements a request sends, for the lists' query-count tests.

Transaction control (SQLite's explicit BEGIN, COMMIT, ROLLBACK) is not a statement that reads
or writes rows, so it is not counted: the same request counts the same on SQLite and PostgreSQL.
"""
from sqlalchemy import event

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count, self.statements = engine, 0, []

    def _count(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(CONTROL):
            self.count += 1
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)
