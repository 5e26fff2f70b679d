"""The portal's one clock.

Rules, column defaults and jobs ask `now()`; nothing else reads the system time. Times are
naive UTC, the form every timestamp column stores. Tests freeze the system time (time-machine),
which this clock follows; the demo builds its history by setting the clock with `set_to()`.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

class _Hand:
    """The clock's hand while it is set: move_to() turns it (forward or back)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def move_to(self, moment: datetime) -> None:
        self.moment = moment


_hand: ContextVar[_Hand | None] = ContextVar("portal_clock", default=None)


def now() -> datetime:
    """Now as a naive UTC datetime."""
    hand = _hand.get()
    return hand.moment if hand is not None else datetime.now(UTC).replace(tzinfo=None)


def today(zone: str) -> date:
    """Today's date in a time zone (a department's day starts at its own midnight)."""
    return now().replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


@contextmanager
def set_to(moment: datetime):
    """Within the block now() is moment (naive UTC), until the yielded hand moves it: the demo
    writes its history this way, each step at the moment it happened."""
    hand = _Hand(moment)
    token = _hand.set(hand)
    try:
        yield hand
    finally:
        _hand.reset(token)
