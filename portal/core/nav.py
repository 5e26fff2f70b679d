"""Counts in the navigation (approvals waiting, notes to acknowledge, follow-ups due).

Features register a counter in init_app. The counts are not part of any page or fragment:
the layout loads them once the page is shown (and every two minutes, and when a panel announces
a change), so a list or a search keystroke never pays for them. A browser keeps its counts for a
few seconds in its session (so every worker and server sees them); its own changes clear them.
"""
from dataclasses import dataclass
from typing import Callable

from flask import request, session

from portal.core.clock import now

CACHE_SECONDS = 10


@dataclass
class NavCount:
    count: int
    title: str


def add_counter(app, name: str, counter: Callable) -> None:
    """counter(user) -> NavCount | None, shown in the element `nav-count-<name>`."""
    app.extensions.setdefault("nav_counters", {})[name] = counter


def counts_for(app, user, fresh: bool = False) -> dict[str, NavCount | None]:
    moment = now().timestamp()
    cached = session.get("nav")
    if cached and not fresh and cached.get("user") == user.id and 0 <= moment - cached["at"] < CACHE_SECONDS:
        return {name: NavCount(*value) if value else None for name, value in cached["counts"].items()}
    counts = {name: counter(user) for name, counter in app.extensions.get("nav_counters", {}).items()}
    session["nav"] = {"user": user.id, "at": moment,
                      "counts": {name: [c.count, c.title] if c else None for name, c in counts.items()}}
    return counts


def forget_after_changes(response):
    """A change this browser made (any successful post) may change its counts: ask afresh."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400 and "nav" in session:
        session.pop("nav", None)
    return response


def register(app) -> None:
    app.after_request(forget_after_changes)
