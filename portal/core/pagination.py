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
                kind=str, size=50) -> Page:
    """One page of select ordered by (sort_attr, id_attr).

    sort_attr must be a non-null column (lists sort on non-null columns); after is a cursor
    from a previous page. A malformed cursor gives the first page rather than an error.
    """
    from portal.extensions import db

    position = decode_cursor(after, [_typed(kind), int])
    if position is not None:
        key = sa.tuple_(sort_attr, id_attr)
        bound = sa.tuple_(sa.literal(position[0], sort_attr.type), sa.literal(position[1], id_attr.type))
        select = select.where(key < bound if descending else key > bound)
    order = (sort_attr.desc(), id_attr.desc()) if descending else (sort_attr.asc(), id_attr.asc())
    rows = db.session.scalars(select.order_by(*order).limit(size + 1)).unique().all()
    items = list(rows[:size])
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = _encode([getattr(last, sort_attr.key), getattr(last, id_attr.key)])
    return Page(items, next_cursor)
