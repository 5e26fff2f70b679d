"""Counts in the navigation (approvals waiting, notes to acknowledge, follow-ups due).

Features register a counter in init_app. The counts are not part of any page or fragment:
the layout loads them once the page is shown (and every few minutes, and when a panel
announces a change), so a list or a search keystroke never pays for them.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass
class NavCount:
    count: int
    title: str


def add_counter(app, name: str, counter: Callable) -> None:
    """counter(user) -> NavCount | None, shown in the element `nav-count-<name>`."""
    app.extensions.setdefault("nav_counters", {})[name] = counter


def counts_for(app, user) -> dict[str, NavCount | None]:
    return {name: counter(user) for name, counter in app.extensions.get("nav_counters", {}).items()}
