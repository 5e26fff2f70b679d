"""Links between features that sit side by side and must not import each other.

- Subjects: a record another feature may point at through a (table name, id) pair, as a
  handover item does with its `subject_type` / `subject_id`. The feature that owns the record
  registers a `SubjectKind` in its init_app: how a typed reference (a booking number) finds the
  record, and how a set of ids is described (label and page) in one query.
- Panels: a block a feature adds to another feature's page (the bookings a quote became, on the
  quote). The page's template asks `panels(kind, record)`; each registered function returns the
  block's HTML, or an empty string.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup


@dataclass(frozen=True)
class Subject:
    """How a linked record shows: its label and the page it opens (an endpoint and its arguments)."""
    label: str
    endpoint: str
    values: dict
    reference: str = ""      # what a user types to name it again (the edit form shows it)


@dataclass(frozen=True)
class SubjectKind:
    name: str                                       # the table name stored in subject_type
    label: object                                   # a lazy string: "Shipment"
    find: Callable[[str], int | None]               # a reference typed by a user -> the record's id
    describe: Callable[[list[int]], dict[int, Subject]]   # ids -> how each shows (one query)
    hint: object = ""                               # what to type, shown under the field


def add_subject_kind(app, kind: SubjectKind) -> None:
    app.extensions.setdefault("subject_kinds", {})[kind.name] = kind


def subject_kinds(app=None) -> dict[str, SubjectKind]:
    return (app or current_app).extensions.get("subject_kinds", {})


def find_subject(kind_name: str | None, reference: str | None, app=None) -> int | None:
    """The id of the record a user's reference names, or None (unknown kind or no such record)."""
    kind = subject_kinds(app).get(kind_name or "")
    if kind is None or not (reference or "").strip():
        return None
    return kind.find(reference.strip())


def describe_subjects(pairs, app=None) -> dict[tuple[str, int], Subject]:
    """{(kind, id): Subject} for (kind, id) pairs: one query per kind present."""
    wanted: dict[str, set[int]] = {}
    for kind_name, subject_id in pairs:
        if kind_name and subject_id:
            wanted.setdefault(kind_name, set()).add(subject_id)
    found = {}
    for kind_name, ids in wanted.items():
        kind = subject_kinds(app).get(kind_name)
        if kind is not None:
            found.update({(kind_name, i): s for i, s in kind.describe(sorted(ids)).items()})
    return found


def add_panel(app, page: str, render: Callable[[object], str]) -> None:
    """render(record) -> HTML for a block on `page` (for example "quote")."""
    app.extensions.setdefault("panels", {}).setdefault(page, []).append(render)


def panels(page: str, record) -> Markup:
    return Markup("").join(Markup(render(record) or "") for render in current_app.extensions.get("panels", {})
                           .get(page, []))


def subject_hints(app=None) -> list[str]:
    """What to type for each kind of linked record ("Quote: the quote number, ..."), for a hint."""
    return [f"{kind.label}: {kind.hint}" for kind in subject_kinds(app).values() if kind.hint]


def register(app) -> None:
    app.jinja_env.globals.update(panels=panels, subject_hints=subject_hints)
