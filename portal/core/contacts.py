"""Contacts with customers made in features below the contact log, reported to it.

The contact log (R-V1) belongs to the visits feature, which sits above quotes (and beside
collections): those features cannot import it. When one of them has been in touch with a
customer (a quote's follow-up done; a collections call, later), it reports the contact here, in
the same transaction, and the contact log's receiver (connected in visits' init_app) writes the
entry and moves the customer's contact cadence on (R-V2). Without a receiver (visits not
installed) a report changes nothing.

Channels and purposes are plain strings here (core knows no feature): the contact log's own
values, "phone", "email", "chat", "visit", "meeting" and "quote_follow_up", "collections",
"regular_revisit", ...; a value the log does not know is logged as a phone call about a
regular revisit.
"""
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

_signals = Namespace()

# sender: the acting user (or None for a job); report: a ContactReport.
contact_made = _signals.signal("contact-made")


@dataclass(frozen=True)
class ContactReport:
    customer_id: int
    at: datetime                  # naive UTC, when the contact happened
    channel: str                  # "phone", "email", "chat", "visit", "meeting"
    purpose: str                  # "quote_follow_up", ...
    summary: str                  # what was said, in the user's words
    source_type: str              # the reporting record's table ("quote_follow_up")
    source_id: int
    contact_id: int | None = None     # the customer's contact person, when known
    agent_id: int | None = None       # who made the contact (default: the actor)


def report(actor, contact: ContactReport) -> None:
    """Tell the contact log of a contact made (within the caller's transaction)."""
    contact_made.send(actor, report=contact)
