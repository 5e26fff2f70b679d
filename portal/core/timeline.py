"""A customer's timeline (R-V4): each feature registers a source of dated entries for it.

Sources are functions customer -> list[TimelineEntry]; the page merges them newest first.
"""
from dataclasses import dataclass
from datetime import datetime

_sources = []


@dataclass
class TimelineEntry:
    at: datetime
    kind: str          # what the entry is about: "customer", later "quote", "visit", ...
    title: str
    detail: str = ""
    by: str = ""
    url: str | None = None


def source(fn):
    """Register fn as a timeline source (used as a decorator by each feature)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def timeline_for(customer, limit: int = 50) -> list[TimelineEntry]:
    entries = [entry for fn in _sources for entry in fn(customer)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
