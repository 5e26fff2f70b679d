"""The audit log: who changed what, when, with the values before and after."""
import re
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_parent", "parent_type", "parent_id", "id"),
                      sa.Index("ix_audit_entry_subject", "subject_type", "subject_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    # The record whose page shows this entry (a contact's changes show on its customer).
    parent_type: Mapped[str] = mapped_column(sa.String(40))
    parent_id: Mapped[int]
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")


def _plain(value):
    """A JSON-safe form of a column value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {f: [before.get(f), after[f]] for f in after if before.get(f) != after[f]}


def record(actor, action: str, subject, changes: dict | None = None, parent=None) -> AuditEntry:
    """Add an audit row for subject (flushed with the caller's transaction, never committed)."""
    parent = parent or subject
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        parent_type=parent.__tablename__,
        parent_id=parent.id,
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items() if v[0] != v[1]},
    )
    db.session.add(entry)
    return entry


def entries_for(parent, limit: int = 100):
    """The newest audit entries shown on a record's page."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.parent_type == parent.__tablename__, AuditEntry.parent_id == parent.id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()


def user_names(entries, *fields: str) -> dict:
    """Display names of the users these fields of these entries refer to (one query)."""
    fields = fields or tuple(current_app.extensions.get("audit_user_fields", ()))
    ids = {v for e in entries for f in fields for v in e.changes.get(f, ()) if isinstance(v, int)}
    if not ids:
        return {}
    user = db.metadata.tables["user"]
    return dict(db.session.execute(sa.select(user.c.id, user.c.display_name).where(user.c.id.in_(ids))).all())


# --- how recorded changes read ---------------------------------------------------------------------
# Features describe their fields in init_app: labels (form labels, in the reader's language),
# how a value reads (a Choice's labels, or a function), which fields hold a user's id. The
# change tables of every page then read the same way (macros/audit.html).


def describe_fields(app, labels: dict, table: str | None = None) -> None:
    """{field name: label} for the change tables (lazy strings: read in the reader's language);
    with table, for the changes of that table's records only."""
    registry = app.extensions.setdefault("audit_field_labels", {})
    registry.update({(table, name): label for name, label in labels.items()})


def describe_values(app, field: str, how, table: str | None = None) -> None:
    """Recorded values of field read as how says: a Choice (its labels) or a function value -> text;
    with table, for that table's records only (a shipment's status is not a quote's)."""
    app.extensions.setdefault("audit_value_labels", {})[(table, field)] = how


def _described(registry: str, table: str | None, name: str):
    found = current_app.extensions.get(registry, {})
    return found.get((table, name), found.get((None, name)))


def describe_users(app, *fields: str) -> None:
    """Fields whose recorded values are users' ids: shown as their names."""
    app.extensions.setdefault("audit_user_fields", set()).update(fields)


def form_labels(*forms) -> dict:
    """{field name: label} of form classes, for describe_fields."""
    from wtforms.fields.core import UnboundField
    labels = {}
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField):
                label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else None)
                if label:
                    labels.setdefault(name, label)
    return labels


def field_label(name: str, table: str | None = None) -> str:
    label = _described("audit_field_labels", table, name)
    return str(label) if label is not None else name


_ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$")
_ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def value_text(name: str, value, user_names: dict | None = None, table: str | None = None) -> str:
    """A recorded value as the reader knows it: labels for codes, Yes/No for flags, names for
    users, dates and amounts in the reader's format."""
    from flask_babel import gettext
    from portal.core import i18n
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return gettext(", ").join(value_text(name, v, user_names, table) for v in value)
    how = _described("audit_value_labels", table, name)
    if callable(how) and not hasattr(how, "get"):
        return how(value)
    if how is not None and isinstance(value, str) and how.get(value) is not None:
        return str(how.get(value).label)
    if name in current_app.extensions.get("audit_user_fields", ()) and isinstance(value, int):
        return (user_names or {}).get(value, str(value))
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return i18n.when(datetime.fromisoformat(value))
    if isinstance(value, str) and _ISO_DAY.match(value):
        return i18n.day(date.fromisoformat(value))
    if isinstance(value, str) and _DECIMAL.match(value):
        return i18n.number(Decimal(value))
    return str(value)


def register(app) -> None:
    app.jinja_env.globals.update(audit_field=field_label, audit_value=value_text)
