"""A customer's timeline (R-V4): every feature adds its dated entries for a customer.

Features register a source in their `init_app` (`add_source(app, fn, kind=..., label=...)`); a
source is a query function (customer_id, limit, reader, before=None) -> list[TimelineEntry] that
returns data only, and only what the reader may see (an entry never links a page that would refuse
them). `before` (a naive UTC datetime, or None for the newest) asks for the entries at or before
that moment, newest first: the timeline reads one page at a time (keyset), however long the
customer's history. A source that takes no `before` still works, for its newest `limit` entries.

`kind` names what the source adds ("quote", "visit", ...: also the CSS hook and the filter on the
customer's page) and `label` how the filter names it in the reader's language. Each entry names
the template that renders it, so titles, labels and links are made in the reader's language at
render time, by the feature that knows them.
"""
import inspect
from dataclasses import dataclass, field
from datetime import datetime

from portal.core.pagination import Page, _encode, decode_cursor


@dataclass
class TimelineEntry:
    at: datetime
    kind: str              # "customer", "quote", "handover", ...: also the CSS hook
    template: str          # the feature's partial that renders this entry
    subject_id: int | None = None
    data: dict = field(default_factory=dict)
    by: str = ""

    @property
    def key(self) -> tuple:
        """The timeline's order, newest first: the moment, then kind and id to break ties."""
        return self.at, self.kind, self.subject_id or 0


@dataclass(frozen=True)
class _Source:
    fn: object
    kind: str | None
    label: object
    paged: bool             # takes `before`


def add_source(app, source, kind: str | None = None, label=None) -> None:
    sources = app.extensions.setdefault("timeline_sources", [])
    if any(s.fn is source for s in sources):
        return
    paged = "before" in inspect.signature(source).parameters
    sources.append(_Source(source, kind, label, paged))


def kinds(app) -> list[tuple[str, object]]:
    """The kinds a customer's timeline can be filtered by, with their labels, in the order the
    features registered them (one entry per kind)."""
    seen: dict[str, object] = {}
    for source in app.extensions.get("timeline_sources", []):
        if source.kind and source.kind not in seen:
            seen[source.kind] = source.label or source.kind
    return list(seen.items())


def _entries(app, customer_id: int, reader, limit: int, wanted: set[str] | None, before: datetime | None):
    found = []
    for source in app.extensions.get("timeline_sources", []):
        if wanted and source.kind and source.kind not in wanted:
            continue
        if source.paged:
            entries = source.fn(customer_id, limit, reader, before=before)
        else:
            entries = source.fn(customer_id, limit, reader)
            if before is not None:
                entries = [e for e in entries if e.at <= before]
        found += [e for e in entries if not wanted or e.kind in wanted]
    return found


def timeline_for(app, customer_id: int, reader, limit: int = 50, kinds: set[str] | None = None) -> list[TimelineEntry]:
    """The newest `limit` entries (of the given kinds, or all)."""
    return timeline_page(app, customer_id, reader, kinds, None, limit).items


_CURSOR_KINDS = [str, str, int]


def timeline_page(app, customer_id: int, reader, kinds: set[str] | None = None, after: str | None = None,
                  size: int = 20) -> Page:
    """One page of the customer's timeline, newest first, starting after the cursor of the page
    before (a malformed cursor gives the first page). Each source reads at most size + 1 entries
    at or before the cursor's moment; the merge keeps those strictly after the cursor's entry."""
    position = decode_cursor(after, _CURSOR_KINDS + [int]) if after else None
    cursor = None
    if position is not None:
        try:
            cursor = (datetime.fromisoformat(position[0]), position[1], position[2])
        except ValueError:
            cursor = None
    entries = _entries(app, customer_id, reader, size + 1, set(kinds) if kinds else None,
                       cursor[0] if cursor else None)
    if cursor is not None:
        entries = [e for e in entries if e.key < cursor]
    entries.sort(key=lambda e: e.key, reverse=True)
    items = entries[:size]
    next_cursor = None
    if len(entries) > size:
        last = items[-1]
        # The cursor's last element must be a row id for decode_cursor; the sequence number of
        # the page stands in (the order is carried by the first three values).
        next_cursor = _encode([last.at.isoformat(), last.kind, last.subject_id or 0, 1])
    return Page(items, next_cursor)
