"""Keyset pagination: a page starts after the last row shown, never at a deep OFFSET."""
import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.core.database import MAX_ID


@dataclass
class Page:
    items: list
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _encode(values) -> str:
    plain = [v.isoformat() if isinstance(v, (date, datetime)) else
             str(v) if isinstance(v, Decimal) else v for v in values]
    raw = json.dumps(plain, ensure_ascii=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kinds) -> list | None:
    """The (sort value, id) a cursor holds, typed like kinds; None if absent or malformed.

    A cursor travels in the URL, so anyone can craft one: values that the database would
    refuse (ids out of range, NUL characters, non-finite numbers) make it malformed too.
    """
    if not cursor or len(cursor) > 512:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(kinds):
            return None
        *sort_values, row_id = values
        if type(row_id) is not int or not 0 < row_id <= MAX_ID:
            return None
        if any(v is None or isinstance(v, (bool, float, list, dict)) or (isinstance(v, str) and "\x00" in v)
               for v in sort_values):
            return None
        return [kind(v) for v, kind in zip(sort_values, kinds[:-1])] + [row_id]
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None


def _typed(kind):
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    return kind


def keyset_page(select, sort_attr, id_attr, *, descending=False, after=None,
                kind=str, size=50, first=None) -> Page:
    """One page of select ordered by (sort_attr, id_attr).

    sort_attr must be a non-null column (lists sort on non-null columns); after is a cursor
    from a previous page. A malformed cursor gives the first page rather than an error.
    first: an optional condition whose rows come before all others (exact matches of a search).
    """
    from portal.extensions import db

    rank = sa.case((first, 0), else_=1) if first is not None else None
    kinds = ([int] if rank is not None else []) + [_typed(kind), int]
    position = decode_cursor(after, kinds)
    if position is not None:
        *ranked, sort_value, row_id = position
        key = sa.tuple_(sort_attr, id_attr)
        bound = sa.tuple_(sa.literal(sort_value, sort_attr.type), sa.literal(row_id, id_attr.type))
        beyond = key < bound if descending else key > bound
        if rank is not None:
            beyond = sa.or_(sa.and_(rank == ranked[0], beyond), rank > ranked[0])
        select = select.where(beyond)
    order = (sort_attr.desc(), id_attr.desc()) if descending else (sort_attr.asc(), id_attr.asc())
    if rank is None:
        rows = [(row, None) for row in db.session.scalars(select.order_by(*order).limit(size + 1)).unique()]
    else:
        rows = db.session.execute(select.add_columns(rank).order_by(rank, *order).limit(size + 1)).unique().all()
    items = [row for row, _rank in rows[:size]]
    next_cursor = None
    if len(rows) > size:
        last, last_rank = rows[size - 1]
        values = [getattr(last, sort_attr.key), getattr(last, id_attr.key)]
        next_cursor = _encode(([last_rank] if rank is not None else []) + values)
    return Page(items, next_cursor)
