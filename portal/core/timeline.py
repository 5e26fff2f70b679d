"""A customer's timeline (R-V4): every feature adds its dated entries for a customer.

Features register a source in their `init_app` (`add_source(app, fn)`); a source is a query
function (customer_id, limit, reader) -> list[TimelineEntry] that returns data only, and only
what the reader may see (an entry never links a page that would refuse them). Each entry names the
template that renders it, so titles, labels and links are made in the reader's language at
render time, by the feature that knows them.
"""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class TimelineEntry:
    at: datetime
    kind: str              # "customer", "quote", "handover", ...: also the CSS hook
    template: str          # the feature's partial that renders this entry
    subject_id: int | None = None
    data: dict = field(default_factory=dict)
    by: str = ""


def add_source(app, source) -> None:
    sources = app.extensions.setdefault("timeline_sources", [])
    if source not in sources:
        sources.append(source)


def timeline_for(app, customer_id: int, reader, limit: int = 50) -> list[TimelineEntry]:
    entries = [entry for source in app.extensions.get("timeline_sources", [])
               for entry in source(customer_id, limit, reader)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
