"""Rate cards (運價表): the company's buy, sell and minimum sell rates per carrier, lane, equipment
and charge, each valid for a period, and the files they are imported from."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.extensions import db
from portal.reference import CONTAINER_TYPE_BY_CODE

MONEY = sa.Numeric(14, 2)


class RateSource(Choice):
    """Where a rate came from."""
    ROUTE = "route", _l("Route department"), "info"
    CARRIER = "carrier", _l("Carrier's rate sheet"), "info"
    AGENT = "agent", _l("An agent's own channel, vetted"), "warn"   # handbook #10: vetted once, then a card


class RateState(Choice):
    """A rate's validity on a given day (computed, never stored)."""
    FUTURE = "future", _l("Not yet valid"), "neutral"
    CURRENT = "current", _l("Valid"), "good"
    EXPIRING = "expiring", _l("Expires soon"), "warn"
    EXPIRED = "expired", _l("Expired"), "bad"


class ImportState(Choice):
    PREVIEW = "preview", _l("Not imported yet"), "warn"
    APPLIED = "applied", _l("Imported"), "good"


class Rate(db.Model):
    """One line of a rate card: what a charge costs on a carrier's lane for one container type (or
    per CBM, ton, B/L, lump sum), what the company sells it for, and the floor below which only a
    supervisor may go (R-Q4, R-Q5, R-Q6). The key is carrier, lane, via, equipment and charge;
    the periods of one key never overlap."""

    __tablename__ = "rate"
    __table_args__ = (
        sa.UniqueConstraint("carrier", "pol", "pod", "via", "equipment", "charge_code", "valid_from",
                            name="uq_rate_key_valid_from"),
        sa.Index("ix_rate_lane", "pol", "pod", "carrier", "sort_key", "id"),   # a carrier's lane, in list order
        # The list in its order (the sort key), whole or narrowed to a carrier, a port or a lane.
        sa.Index("ix_rate_sort_key_id", "sort_key", "id"),
        sa.Index("ix_rate_carrier_sort_key_id", "carrier", "sort_key", "id"),
        sa.Index("ix_rate_pol_sort_key_id", "pol", "sort_key", "id"),
        sa.Index("ix_rate_pod_sort_key_id", "pod", "sort_key", "id"),
        sa.Index("ix_rate_lane_sort_key_id", "pol", "pod", "sort_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(sa.String(10))
    pol: Mapped[str] = mapped_column(sa.String(5))
    pod: Mapped[str] = mapped_column(sa.String(5))
    via: Mapped[str] = mapped_column(sa.String(5), default="")          # "" for a direct service
    # A container type (20GP, 40HQ, 40RF ...) or, for a charge not per container, its basis (cbm, ton, bl, lump_sum).
    equipment: Mapped[str] = mapped_column(sa.String(8))
    charge_code: Mapped[str] = mapped_column(sa.String(10))
    buy_rate: Mapped[Decimal] = mapped_column(MONEY)                    # internal
    sell_rate: Mapped[Decimal] = mapped_column(MONEY)                   # the company sell rate
    min_sell_rate: Mapped[Decimal] = mapped_column(MONEY)               # internal, never written (R-Q4)
    currency: Mapped[str] = mapped_column(sa.String(3))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    free_time_days: Mapped[int | None]
    transit_days: Mapped[int | None]
    cutoff_weekday: Mapped[int | None]                                  # 0 Monday ... 6 Sunday
    remarks: Mapped[str] = mapped_column(sa.String(300), default="")
    source: Mapped[RateSource] = mapped_column(ChoiceColumn(RateSource, 10), default=RateSource.ROUTE)
    source_agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Who last set the values: an agent's quote from a rate that agent set is their own channel.
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rate_import.id", ondelete="SET NULL"))
    # What the list sorts by: lane, carrier, equipment, charge, start of validity.
    sort_key: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    source_agent = relationship("User", foreign_keys=[source_agent_id])
    changed_by = relationship("User", foreign_keys=[changed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def basis(self) -> str:
        """The charge line basis this rate prices: per container, or the basis it names."""
        return "container" if self.equipment in CONTAINER_TYPE_BY_CODE else self.equipment

    @property
    def key(self) -> tuple:
        return (self.carrier, self.pol, self.pod, self.via, self.equipment, self.charge_code)

    def __repr__(self) -> str:
        return f"<Rate {self.carrier} {self.pol}-{self.pod} {self.equipment} {self.charge_code} {self.valid_from}>"


class RateImport(db.Model):
    """A rate file as uploaded: its table, the column mapping, and what importing it did. Nothing
    reaches the rate cards until the whole file is free of errors and someone imports it."""

    __tablename__ = "rate_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)
    header: Mapped[list] = mapped_column(sa.JSON, default=list)       # the file's column titles
    rows: Mapped[list] = mapped_column(sa.JSON, default=list)         # the cells, as text, row by row
    mapping: Mapped[list] = mapped_column(sa.JSON, default=list)      # per column: a rate field or ""
    source: Mapped[RateSource] = mapped_column(ChoiceColumn(RateSource, 10), default=RateSource.ROUTE)
    state: Mapped[ImportState] = mapped_column(ChoiceColumn(ImportState, 10), default=ImportState.PREVIEW)
    applied_at: Mapped[datetime | None]
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    applied_by = relationship("User", foreign_keys=[applied_by_id])

    __mapper_args__ = {"version_id_col": version}
