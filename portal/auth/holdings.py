"""What a user still holds for the department (a book of customers, ...): it passes to
colleagues before the user leaves or takes a role that cannot hold it, so nothing is orphaned.

auth sits below the features that hold things, so each of them registers a counter in its
init_app (`add_counter(app, fn)`): fn(user_ids) -> {user_id: Holding}, one query for all the
ids, so a list of users costs one query per feature, not one per user.
"""
from dataclasses import dataclass, field

from flask import current_app


@dataclass(frozen=True)
class Holding:
    count: int
    label: str            # "60 customers", in the reader's language
    endpoint: str         # the page that hands it over
    values: dict = field(default_factory=dict)
    action: str = ""      # the policy action that page needs


def add_counter(app, counter) -> None:
    counters = app.extensions.setdefault("holding_counters", [])
    if counter not in counters:
        counters.append(counter)


def holdings_for(user_ids: list[int]) -> dict[int, list[Holding]]:
    found: dict[int, list[Holding]] = {}
    if not user_ids:
        return found
    for counter in current_app.extensions.get("holding_counters", []):
        for user_id, holding in counter(user_ids).items():
            if holding.count:
                found.setdefault(user_id, []).append(holding)
    return found


def holdings_of(user) -> list[Holding]:
    return holdings_for([user.id]).get(user.id, [])
