"""Reads for the rate card screens and for pricing quotes: the list with its filters (keyset pages),
one rate and its history, the rates valid on a lane on a day, and the imports."""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only, raiseload

from portal.auth.models import User
from portal.core import audit
from portal.core.pagination import Page, keyset_page
from portal.core.policy import Role
from portal.extensions import db
from portal.rates.models import Rate, RateImport, RateSource, RateState
from portal.rates.rules import EXPIRING_DAYS, FREIGHT_CHARGES


def load_rate(rate_id: int) -> Rate | None:
    return db.session.scalar(sa.select(Rate).where(Rate.id == rate_id).options(
        joinedload(Rate.source_agent), joinedload(Rate.changed_by)))


@dataclass
class RateFilters:
    carrier: str | None = None
    pol: str | None = None
    pod: str | None = None
    equipment: str | None = None
    charge_code: str | None = None
    state: str | None = None
    source: str | None = None

    @property
    def any(self) -> bool:
        """Narrowed beyond the default (the rates valid today)."""
        return any(v for k, v in vars(self).items() if k != "state") or self.state not in ("current", None)

    def apply(self, select, on: date):
        for name in ("carrier", "pol", "pod", "equipment", "charge_code"):
            value = getattr(self, name)
            if value:
                select = select.where(getattr(Rate, name) == value)
        if RateSource.get(self.source):
            select = select.where(Rate.source == self.source)
        soon = on + timedelta(days=EXPIRING_DAYS)
        state = RateState.get(self.state)
        if state == RateState.CURRENT:         # valid today (expiring ones included)
            select = select.where(Rate.valid_from <= on, Rate.valid_to >= on)
        elif state == RateState.EXPIRING:
            select = select.where(Rate.valid_from <= on, Rate.valid_to >= on, Rate.valid_to <= soon)
        elif state == RateState.EXPIRED:
            select = select.where(Rate.valid_to < on)
        elif state == RateState.FUTURE:
            select = select.where(Rate.valid_from > on)
        return select


def rate_list(filters: RateFilters, on: date, after: str | None = None, size: int = 50) -> Page:
    """One page of rates in lane order (lane, carrier, equipment, charge), with who set them."""
    select = filters.apply(sa.select(Rate), on).options(
        joinedload(Rate.source_agent), joinedload(Rate.changed_by), raiseload("*"))
    return keyset_page(select, Rate.sort_key, Rate.id, after=after, kind=str, size=size)


def valid_rates(carrier: str | None, pol: str | None, pod: str | None, equipments, on: date) -> list[Rate]:
    """The rates of a carrier's lane valid on a day, for these equipments (container types or bases);
    a direct service first."""
    equipments = {e for e in equipments if e}
    if not (carrier and pol and pod and equipments):
        return []
    rates = db.session.scalars(sa.select(Rate).where(
        Rate.carrier == carrier, Rate.pol == pol, Rate.pod == pod, Rate.equipment.in_(sorted(equipments)),
        Rate.valid_from <= on, Rate.valid_to >= on)).all()
    return sorted(rates, key=lambda r: (r.via, r.id))   # the few valid on the day, sorted here


def lapsed_rates(carrier: str | None, pol: str | None, pod: str | None, equipments, on: date,
                 within_days: int = 120) -> list[Rate]:
    """Rates of the lane that ended before the day (newest first): the editor says the card expired."""
    equipments = {e for e in equipments if e}
    if not (carrier and pol and pod and equipments):
        return []
    rates = db.session.scalars(sa.select(Rate).where(
        Rate.carrier == carrier, Rate.pol == pol, Rate.pod == pod, Rate.equipment.in_(sorted(equipments)),
        Rate.valid_to < on, Rate.valid_to >= on - timedelta(days=within_days))).all()
    return sorted(rates, key=lambda r: (r.valid_to, r.id), reverse=True)   # the lane's few, sorted here


def carriers_on_lane(pol: str | None, pod: str | None, equipment: str | None, on: date) -> list[str]:
    """Carriers with a freight rate (ocean freight or all-in) valid on the day for this lane and equipment."""
    if not (pol and pod):
        return []
    select = sa.select(Rate.carrier).where(Rate.pol == pol, Rate.pod == pod, Rate.valid_from <= on,
                                           Rate.valid_to >= on, Rate.charge_code.in_(sorted(FREIGHT_CHARGES)))
    if equipment:
        select = select.where(Rate.equipment == equipment)
    return sorted(set(db.session.scalars(select)))


def lane_cards(pol: str | None, pod: str | None, equipment: str | None, on: date, limit: int = 12) -> list[Rate]:
    """The lane's freight rates for the editor's side panel: valid ones, and those ended in the last
    month (so the agent sees a card expired rather than no card), cheapest company rate first."""
    if not (pol and pod):
        return []
    select = sa.select(Rate).where(Rate.pol == pol, Rate.pod == pod, Rate.charge_code.in_(sorted(FREIGHT_CHARGES)),
                                   Rate.valid_from <= on, Rate.valid_to >= on - timedelta(days=31))
    if equipment:
        select = select.where(Rate.equipment == equipment)
    # A lane's freight rates of a month or so: read through the lane's index, latest ending first.
    rates = sorted(db.session.scalars(select), key=lambda r: (r.valid_to, r.id), reverse=True)
    current = sorted((r for r in rates if r.valid_to >= on), key=lambda r: (r.sell_rate, r.carrier))
    ended = [r for r in rates if r.valid_to < on and not any(c.key == r.key for c in current)]
    return (current + ended)[:limit]


def history(rate: Rate, limit: int = 50) -> list[audit.AuditEntry]:
    """The rate's changes, newest first: who set which value, from what to what."""
    return audit.entries_for(rate, limit)


def import_record(import_id: int) -> RateImport | None:
    return db.session.scalar(sa.select(RateImport).where(RateImport.id == import_id).options(
        joinedload(RateImport.uploaded_by), joinedload(RateImport.applied_by)))


def recent_imports(limit: int = 8) -> list[RateImport]:
    """The latest files, without their rows (a file may hold thousands)."""
    return db.session.scalars(sa.select(RateImport).options(
        load_only(RateImport.id, RateImport.file_name, RateImport.uploaded_at, RateImport.state,
                         RateImport.created, RateImport.updated, RateImport.unchanged, RateImport.uploaded_by_id,
                         RateImport.version),
        joinedload(RateImport.uploaded_by), raiseload("*"))
        .order_by(RateImport.id.desc()).limit(limit)).all()


def pricing_candidates() -> list[User]:
    """Active agents, those with the pricing permission first."""
    return db.session.scalars(sa.select(User).where(User.active.is_(True), User.role == Role.AGENT)
                              .order_by(User.pricing.desc(), User.display_name)).all()


def pricing_history(limit: int = 20) -> list[audit.AuditEntry]:
    return db.session.scalars(sa.select(audit.AuditEntry).where(audit.AuditEntry.action == "pricing")
                              .order_by(audit.AuditEntry.id.desc()).limit(limit)).all()
