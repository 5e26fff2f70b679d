"""The audit log: who changed what, when, with the values before and after."""
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
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


def user_names(entries, field: str) -> dict:
    """Display names of the users a field of these entries refers to (one query)."""
    ids = {v for e in entries for v in e.changes.get(field, ()) if isinstance(v, int)}
    if not ids:
        return {}
    user = db.metadata.tables["user"]
    return dict(db.session.execute(sa.select(user.c.id, user.c.display_name).where(user.c.id.in_(ids))).all())


def describe_values(app, field: str, choice) -> None:
    """Recorded values of field are shown with choice's labels (features call this in init_app)."""
    app.extensions.setdefault("audit_value_labels", {})[field] = choice


def value_label(app, field: str, value) -> str | None:
    """The label a feature registered for a recorded value, or None."""
    choice = app.extensions.get("audit_value_labels", {}).get(field)
    member = choice.get(value) if choice is not None and isinstance(value, str) else None
    return member.label if member is not None else None
