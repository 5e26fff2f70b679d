"""Counting the SQL statements a request sends, for the lists' query-count tests."""
from sqlalchemy import event


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _count(self, *args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)
