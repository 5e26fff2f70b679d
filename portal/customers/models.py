"""Customers and their contacts: the record every screen of the portal hangs off."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.core.i18n import Language
from portal.extensions import db


class Kind(Choice):
    DIRECT = "direct", _l("Direct customer")          # direct shipper / consignee (直客)
    PEER = "peer", _l("Peer forwarder")               # peer forwarder (同行)
    CARRIER = "carrier", _l("Shipping line")
    PROVIDER = "provider", _l("Service provider")     # trucker, broker, warehouse


class Grade(Choice):
    """The handbook's grades; the label says what each means."""
    A = "A", _l("A: VIP or ships every month"), "good"
    B = "B", _l("B: close, ships irregularly"), "info"
    C = "C", _l("C: asks for prices now and then"), "neutral"
    D = "D", _l("D: contact details only"), "neutral"


class Source(Choice):
    MANAGEMENT = "management", _l("From management")
    DEPARTED = "departed", _l("From a departed colleague")
    REACTIVATED = "reactivated", _l("Reactivated dormant customer")
    SELF_SOURCED = "self_sourced", _l("Self-sourced")
    VIP = "vip", _l("VIP customer")


class Customer(db.Model):
    __tablename__ = "customer"
    __table_args__ = (
        sa.Index("ix_customer_sort_name_id", "sort_name", "id"),
        sa.Index("ix_customer_code_id", "code", "id"),
        sa.Index("ix_customer_grade_id", "grade", "id"),
        sa.Index("ix_customer_updated_at_id", "updated_at", "id"),
        sa.Index("ix_customer_owner_id_id", "owner_id", "id"),
        # The list filtered by owner or kind, in its default order (by name).
        sa.Index("ix_customer_owner_sort", "owner_id", "sort_name", "id"),
        sa.Index("ix_customer_kind_sort", "kind", "sort_name", "id"),
        # Agreements ending soon (R-V7): only customers that have one.
        sa.Index("ix_customer_agreement_ends", "agreement_ends_on", "id",
                 sqlite_where=sa.text("agreement_ends_on IS NOT NULL"),
                 postgresql_where=sa.text("agreement_ends_on IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name_zh: Mapped[str | None] = mapped_column(sa.String(120))
    name_en: Mapped[str | None] = mapped_column(sa.String(160))
    # What lists sort by: the English name, else the Chinese one, case-folded.
    sort_name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[Kind] = mapped_column(ChoiceColumn(Kind, 20))
    grade: Mapped[Grade] = mapped_column(ChoiceColumn(Grade, 1))
    source: Mapped[Source] = mapped_column(ChoiceColumn(Source, 20))
    is_vip: Mapped[bool] = mapped_column(default=False)
    is_state_owned: Mapped[bool] = mapped_column(default=False)
    preferred_locale: Mapped[Language] = mapped_column(ChoiceColumn(Language, 10), default=Language.EN)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    # Where the customer keeps its hours (documents are dated there); None: its country's, when
    # the country has one time zone.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # The port's customer rules (R-V7): who the company is, and the cooperation agreement (whose
    # end date R-C5's B/L holds depend on).
    legal_representative: Mapped[str | None] = mapped_column(sa.String(80))
    business_scope: Mapped[str | None] = mapped_column(sa.Text)
    business_licence_no: Mapped[str | None] = mapped_column(sa.String(40))
    cooperating_since: Mapped[date | None]
    agreement_starts_on: Mapped[date | None]
    agreement_ends_on: Mapped[date | None]
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    credit_terms_days: Mapped[int] = mapped_column(default=0)
    credit_limit: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))
    credit_currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    owner = relationship("User")
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="customer", order_by="(Contact.is_primary.desc(), Contact.id)",
        cascade="all, delete-orphan")
    grade_changes: Mapped[list["GradeChange"]] = relationship(
        back_populates="customer", order_by="GradeChange.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return self.name_zh or self.name_en or self.code

    def zone(self, default: str) -> str:
        """The customer's time zone: its own, else its country's when the country has only one,
        else default (the department's)."""
        if self.timezone:
            return self.timezone
        from portal.core.i18n import country_zones
        zones = country_zones(self.country)
        return zones[0] if len(zones) == 1 else default

    def years_of_cooperation(self, today: date) -> int | None:
        """Whole years since cooperation began (R-V7), or None when nobody recorded it."""
        if self.cooperating_since is None:
            return None
        years = today.year - self.cooperating_since.year
        if (today.month, today.day) < (self.cooperating_since.month, self.cooperating_since.day):
            years -= 1
        return max(years, 0)

    def __repr__(self) -> str:
        return f"<Customer {self.code}>"


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    wechat: Mapped[str | None] = mapped_column(sa.String(60))
    line_id: Mapped[str | None] = mapped_column(sa.String(60))
    birthday: Mapped[date | None]
    is_primary: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    __mapper_args__ = {"version_id_col": version}


class GradeChange(db.Model):
    """Grade history: grades are reviewed, and every change is kept with its reason."""

    __tablename__ = "grade_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    from_grade: Mapped[Grade | None] = mapped_column(ChoiceColumn(Grade, 1))
    to_grade: Mapped[Grade] = mapped_column(ChoiceColumn(Grade, 1))
    reason: Mapped[str] = mapped_column(sa.String(300))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=now)

    customer: Mapped[Customer] = relationship(back_populates="grade_changes")
    changed_by = relationship("User", lazy="joined")
