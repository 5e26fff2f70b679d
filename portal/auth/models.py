"""Staff accounts and the login-attempt log behind throttling."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.core.policy import Role
from portal.extensions import db


class Team(Choice):
    DIRECT = "direct", _l("Direct-customer team")
    PEER = "peer", _l("Peer-forwarder team")


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))     # on the quotations the agent sends
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(ChoiceColumn(Role, 20))
    is_new_hire: Mapped[bool] = mapped_column(default=False)
    probation_ends_on: Mapped[date | None]
    team: Mapped[Team | None] = mapped_column(ChoiceColumn(Team, 20))
    # An agent who works for the route department keeps rate cards (a supervisor gives it; rates.rules).
    pricing: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_login_at: Mapped[datetime | None]
    # Sessions carry the epoch they were opened in; raising it ends every open session at once
    # (logout, password reset, role change, deactivation), on every worker and server.
    session_epoch: Mapped[int] = mapped_column(default=1, server_default="1")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive user is never logged in
        return self.active

    def get_id(self) -> str:
        """What the session cookie holds: the user and the epoch of the session."""
        return f"{self.id}.{self.session_epoch}"

    def in_probation(self, today: date) -> bool:
        """A new hire until the probation end date (R-Q1 applies while this holds)."""
        if not self.is_new_hire:
            return False
        return self.probation_ends_on is None or today <= self.probation_ends_on

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(db.Model):
    """One login attempt; stored in the database so throttling holds across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=now)
    succeeded: Mapped[bool] = mapped_column(default=False)
