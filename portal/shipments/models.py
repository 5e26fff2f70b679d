"""Shipments: vessel calls and their schedule changes, bookings with legs, containers and
milestones, loading exceptions, documents and B/L work, status links, notices and their outbox,
and the API tokens of the integrations that post events (R-B1 to R-B4, R-S1 to R-S4)."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.choices import Choice, ChoiceColumn
from portal.core.clock import now
from portal.extensions import db

MONEY = sa.Numeric(14, 2)
QUANTITY = sa.Numeric(12, 3)


# --- states and kinds ------------------------------------------------------------------------


class ChangeReason(Choice):
    """Why a vessel call's times moved (R-S4)."""
    DELAY = "delay", _l("Delay"), "warn"
    TYPHOON = "typhoon", _l("Typhoon"), "bad"
    CONGESTION = "congestion", _l("Port congestion"), "warn"
    STRIKE = "strike", _l("Strike"), "bad"
    BLANK_SAILING = "blank_sailing", _l("Blank sailing"), "bad"
    ADVANCE = "advance", _l("Earlier than planned"), "info"


class MilestoneKind(Choice):
    """R-B2, in order. "Arrived" means berthed. DCSA Track & Trace codes underneath (dcsa.py)."""
    BOOKED = "booked", _l("Booked"), "info"
    PRE_STOWED = "pre_stowed", _l("Pre-stowage done"), "info"
    STUFFED = "stuffed", _l("Container stuffed"), "info"
    GATED_IN = "gated_in", _l("Gated in at the terminal"), "info"
    LOADED = "loaded", _l("Loaded on board"), "info"
    DEPARTED = "departed", _l("Departed"), "info"
    TRANSSHIPPED = "transshipped", _l("Transshipped"), "info"
    ARRIVED = "arrived", _l("Arrived (berthed)"), "info"
    DISCHARGED = "discharged", _l("Discharged"), "info"
    BL_RELEASED = "bl_released", _l("B/L released"), "good"
    RELEASED = "released", _l("Cargo released"), "good"
    DELIVERED = "delivered", _l("Delivered"), "good"


MILESTONES = tuple(MilestoneKind)
PRE_CARRIAGE = (MilestoneKind.BOOKED, MilestoneKind.PRE_STOWED, MilestoneKind.STUFFED, MilestoneKind.GATED_IN)
# On a vessel, per leg: loaded (first leg) or transshipped (a later one), departed, arrived, discharged.
AT_SEA = {MilestoneKind.LOADED: 0, MilestoneKind.TRANSSHIPPED: 0, MilestoneKind.DEPARTED: 1,
          MilestoneKind.ARRIVED: 2, MilestoneKind.DISCHARGED: 3}
ON_DELIVERY = (MilestoneKind.BL_RELEASED, MilestoneKind.RELEASED, MilestoneKind.DELIVERED)
# What happens to a container rather than to the whole shipment.
PER_CONTAINER = frozenset({MilestoneKind.STUFFED, MilestoneKind.GATED_IN, MilestoneKind.LOADED,
                           MilestoneKind.TRANSSHIPPED, MilestoneKind.DISCHARGED, MilestoneKind.DELIVERED})
# What the customer's status page always lists, done or still ahead (R-S1).
CUSTOMER_STEPS = (MilestoneKind.BOOKED, MilestoneKind.GATED_IN, MilestoneKind.LOADED, MilestoneKind.DEPARTED,
                  MilestoneKind.ARRIVED, MilestoneKind.RELEASED)


class Status(Choice):
    """Where a shipment stands: requested until the carrier confirms, then its latest milestone."""
    REQUESTED = "requested", _l("Booking requested"), "neutral"
    BOOKED = "booked", _l("Booked"), "info"
    PRE_STOWED = "pre_stowed", _l("Pre-stowage done"), "info"
    STUFFED = "stuffed", _l("Container stuffed"), "info"
    GATED_IN = "gated_in", _l("Gated in at the terminal"), "info"
    LOADED = "loaded", _l("Loaded on board"), "info"
    DEPARTED = "departed", _l("Departed"), "info"
    TRANSSHIPPED = "transshipped", _l("Transshipped"), "info"
    ARRIVED = "arrived", _l("Arrived (berthed)"), "info"
    DISCHARGED = "discharged", _l("Discharged"), "info"
    BL_RELEASED = "bl_released", _l("B/L released"), "good"
    RELEASED = "released", _l("Cargo released"), "good"
    DELIVERED = "delivered", _l("Delivered"), "good"
    CANCELLED = "cancelled", _l("Cancelled"), "bad"


ACTIVE = frozenset(Status) - {Status.DELIVERED, Status.CANCELLED}


class Source(Choice):
    """Where a milestone came from."""
    HAND = "hand", _l("Entered by hand")
    IMPORT = "import", _l("Imported from a file")
    API = "api", _l("Event feed")


class ExceptionKind(Choice):
    ROLLED = "rolled", _l("Rolled container"), "bad"          # 甩櫃: left for a later vessel
    SHUT_OUT = "shut_out", _l("Shut out (not loaded)"), "bad"  # 漏裝


class DocumentKind(Choice):
    """Documents the customer owes; each falls due at a cut-off of the first vessel call (R-B1)."""
    SI = "si", _l("Shipping instructions (SI)")
    VGM = "vgm", _l("Verified gross mass (VGM)")
    PACKING_LIST = "packing_list", _l("Packing list")
    DG_DECLARATION = "dg_declaration", _l("Dangerous-goods declaration")
    COMMERCIAL_INVOICE = "commercial_invoice", _l("Commercial invoice")


class BLRevisionKind(Choice):
    DRAFT = "draft", _l("B/L draft"), "info"
    AMENDMENT = "amendment", _l("B/L amendment"), "warn"


class RequestState(Choice):
    PENDING = "pending", _l("Waiting for the carrier"), "warn"
    APPROVED = "approved", _l("Approved"), "good"
    REFUSED = "refused", _l("Refused"), "bad"


class FreeTimeKind(Choice):
    DETENTION = "detention", _l("Detention (container use)")
    DEMURRAGE = "demurrage", _l("Demurrage (at the terminal)")
    COMBINED = "combined", _l("Detention and demurrage")


class NoticeKind(Choice):
    SCHEDULE_CHANGE = "schedule_change", _l("Schedule change")
    EXCEPTION = "exception", _l("Loading exception")


class NoticeState(Choice):
    TO_SEND = "to_send", _l("To send by hand"), "warn"     # no SMTP, or no e-mail address
    QUEUED = "queued", _l("Queued for e-mail"), "info"
    SENT = "sent", _l("Sent"), "good"
    FAILED = "failed", _l("Not delivered"), "bad"


class Channel(Choice):
    EMAIL = "email", _l("E-mail")
    WECHAT = "wechat", _l("WeChat")
    LINE = "line", _l("LINE")
    PHONE = "phone", _l("Phone")


class DeliveryState(Choice):
    QUEUED = "queued", _l("Queued"), "info"
    SENDING = "sending", _l("Sending"), "info"
    SENT = "sent", _l("Delivered to the mail server"), "good"
    FAILED = "failed", _l("Failed"), "bad"


# --- vessel calls ----------------------------------------------------------------------------


class VesselCall(db.Model):
    """One vessel's call at one port on one voyage. Times are naive UTC; the port's zone shows them."""

    __tablename__ = "vessel_call"
    __table_args__ = (
        sa.UniqueConstraint("imo", "voyage", "port", name="uq_vessel_call_imo_voyage_port"),
        sa.Index("ix_vessel_call_eta_id", "eta", "id"),
        sa.Index("ix_vessel_call_port_eta_id", "port", "eta", "id"),
        sa.Index("ix_vessel_call_carrier_eta_id", "carrier", "eta", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(sa.String(10))
    service: Mapped[str] = mapped_column(sa.String(20), default="")
    vessel_name: Mapped[str] = mapped_column(sa.String(80))
    imo: Mapped[str] = mapped_column(sa.String(7))
    voyage: Mapped[str] = mapped_column(sa.String(20))
    port: Mapped[str] = mapped_column(sa.String(5))
    terminal: Mapped[str] = mapped_column(sa.String(80), default="")
    eta: Mapped[datetime]
    etb: Mapped[datetime | None]
    etd: Mapped[datetime]
    ata: Mapped[datetime | None]
    atb: Mapped[datetime | None]
    atd: Mapped[datetime | None]
    doc_cutoff: Mapped[datetime | None]      # 截單
    port_cutoff: Mapped[datetime | None]     # 截港
    vgm_cutoff: Mapped[datetime | None]
    # Searchable: vessel, voyage, IMO, port and terminal folded together.
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    changes: Mapped[list["ScheduleChange"]] = relationship(
        back_populates="call", order_by="ScheduleChange.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.vessel_name} {self.voyage}"


class ScheduleChange(db.Model):
    """A move of a call's ETA/ETB/ETD, with why, the old and new times, who and when (R-S4)."""

    __tablename__ = "schedule_change"
    # The changes nobody has told the customers about yet, newest last (the navigation count).
    __table_args__ = (sa.Index("ix_schedule_change_untold", "notified_at", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vessel_call_id: Mapped[int] = mapped_column(sa.ForeignKey("vessel_call.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ChangeReason] = mapped_column(ChoiceColumn(ChangeReason, 20))
    # Said to the customers in the notices; the reason's label says the rest.
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    old_eta: Mapped[datetime]
    new_eta: Mapped[datetime]
    old_etb: Mapped[datetime | None]
    new_etb: Mapped[datetime | None]
    old_etd: Mapped[datetime]
    new_etd: Mapped[datetime]
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=now)
    notified_at: Mapped[datetime | None]
    notified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    call: Mapped[VesselCall] = relationship(back_populates="changes")
    changed_by = relationship("User", foreign_keys=[changed_by_id])
    notified_by = relationship("User", foreign_keys=[notified_by_id])


# --- shipments ---------------------------------------------------------------------------------


class Shipment(db.Model):
    """A booking (訂艙) and what follows from it: its B/L, legs, containers and milestones."""

    __tablename__ = "shipment"
    __table_args__ = (
        sa.UniqueConstraint("carrier", "booking_no", name="uq_shipment_carrier_booking_no"),
        sa.UniqueConstraint("carrier", "bl_no", name="uq_shipment_carrier_bl_no"),
        sa.Index("ix_shipment_booked_at_id", "booked_at", "id"),
        sa.Index("ix_shipment_status_booked_at_id", "status", "booked_at", "id"),
        sa.Index("ix_shipment_customer_booked_at_id", "customer_id", "booked_at", "id"),
        sa.Index("ix_shipment_carrier_booked_at_id", "carrier", "booked_at", "id"),
        sa.Index("ix_shipment_etd_id", "etd", "id"),
        sa.Index("ix_shipment_customer_owner_booked_at_id", "customer_owner_id", "booked_at", "id"),
        sa.Index("ix_shipment_customer_owner_etd_id", "customer_owner_id", "etd", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    # The customer's owner, kept with the shipment for the "my customers" list (its index orders the
    # owner's shipments by booking); set on booking and moved with the customer (customers_reassigned).
    # Permissions ask the customer itself (owner_id below).
    customer_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"))
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quote.id", ondelete="SET NULL"), index=True)
    booked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    carrier: Mapped[str] = mapped_column(sa.String(10))
    booking_no: Mapped[str | None] = mapped_column(sa.String(30))
    bl_no: Mapped[str | None] = mapped_column(sa.String(30))
    mode: Mapped[str] = mapped_column(sa.String(12), default="fcl")
    pol: Mapped[str] = mapped_column(sa.String(5))
    pod: Mapped[str] = mapped_column(sa.String(5))
    container_type: Mapped[str | None] = mapped_column(sa.String(8))
    container_qty: Mapped[int | None]
    commodity: Mapped[str] = mapped_column(sa.String(200), default="")
    gross_weight_kg: Mapped[Decimal | None] = mapped_column(QUANTITY)
    shipper: Mapped[str] = mapped_column(sa.Text, default="")
    consignee: Mapped[str] = mapped_column(sa.Text, default="")
    notify_party: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[Status] = mapped_column(ChoiceColumn(Status, 20), default=Status.REQUESTED)
    booked_at: Mapped[datetime] = mapped_column(default=now)
    confirmed_at: Mapped[datetime | None]      # the carrier confirmed: booking confirmation issued
    cancelled_at: Mapped[datetime | None]
    # First departure and last arrival, from the legs' vessel calls (kept current by the rules).
    etd: Mapped[datetime | None]
    eta: Mapped[datetime | None]
    open_exceptions: Mapped[int] = mapped_column(default=0)
    internal_notes: Mapped[str] = mapped_column(sa.Text, default="")   # never to the customer (R-S2)
    remarks: Mapped[str] = mapped_column(sa.Text, default="")          # on the booking confirmation
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    contact = relationship("Contact")
    quote = relationship("Quote")
    booked_by = relationship("User", foreign_keys=[booked_by_id])
    legs: Mapped[list["Leg"]] = relationship(back_populates="shipment", order_by="Leg.sequence",
                                             cascade="all, delete-orphan")
    containers: Mapped[list["Container"]] = relationship(back_populates="shipment", order_by="Container.id",
                                                         cascade="all, delete-orphan")
    milestones: Mapped[list["Milestone"]] = relationship(back_populates="shipment",
                                                         order_by="(Milestone.at, Milestone.id)",
                                                         cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def owner_id(self) -> int | None:
        """The customer's owner works the shipment (the policy's record-level rule)."""
        return self.customer.owner_id if self.customer is not None else None

    @property
    def reference(self) -> str:
        """What the customer knows the shipment by: the B/L, else the booking, else our number."""
        return self.bl_no or self.booking_no or self.number

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED


class Leg(db.Model):
    """One vessel's part of the route: loaded at one call, discharged at a later call of the same
    vessel and voyage. Several legs are a transshipment."""

    __tablename__ = "shipment_leg"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "sequence", name="uq_shipment_leg_shipment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    load_port: Mapped[str] = mapped_column(sa.String(5))
    discharge_port: Mapped[str] = mapped_column(sa.String(5))
    load_call_id: Mapped[int] = mapped_column(sa.ForeignKey("vessel_call.id"), index=True)
    discharge_call_id: Mapped[int] = mapped_column(sa.ForeignKey("vessel_call.id"), index=True)

    shipment: Mapped[Shipment] = relationship(back_populates="legs")
    load_call: Mapped[VesselCall] = relationship(foreign_keys=[load_call_id])
    discharge_call: Mapped[VesselCall] = relationship(foreign_keys=[discharge_call_id])


class Container(db.Model):
    __tablename__ = "shipment_container"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "number", name="uq_shipment_container_shipment_id"),
                      sa.Index("ix_shipment_container_number", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(11))       # ISO 6346, check digit verified
    container_type: Mapped[str] = mapped_column(sa.String(8))
    seal_no: Mapped[str] = mapped_column(sa.String(30), default="")
    vgm_kg: Mapped[Decimal | None] = mapped_column(QUANTITY)
    version: Mapped[int] = mapped_column(default=1)

    shipment: Mapped[Shipment] = relationship(back_populates="containers")

    __mapper_args__ = {"version_id_col": version}


class Milestone(db.Model):
    """R-B2: something that happened to the shipment or one of its containers, when and where."""

    __tablename__ = "milestone"
    __table_args__ = (
        sa.Index("ix_milestone_shipment_at", "shipment_id", "at"),
        # An event feed's events are kept once however often they are posted.
        sa.UniqueConstraint("integration_id", "external_id", name="uq_milestone_integration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"))
    container_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shipment_container.id", ondelete="CASCADE"))
    kind: Mapped[MilestoneKind] = mapped_column(ChoiceColumn(MilestoneKind, 20))
    at: Mapped[datetime]
    port: Mapped[str | None] = mapped_column(sa.String(5))
    leg: Mapped[int | None]
    source: Mapped[Source] = mapped_column(ChoiceColumn(Source, 10), default=Source.HAND)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    integration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_integration.id"))
    external_id: Mapped[str | None] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=now)

    shipment: Mapped[Shipment] = relationship(back_populates="milestones")
    container = relationship(Container)
    recorded_by = relationship("User")


class LoadingException(db.Model):
    """A rolled or shut-out container (甩櫃 / 漏裝) and its handling; the customer is told (R-B2)."""

    __tablename__ = "loading_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    container_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shipment_container.id", ondelete="SET NULL"))
    kind: Mapped[ExceptionKind] = mapped_column(ChoiceColumn(ExceptionKind, 10))
    missed_call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vessel_call.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")             # internal
    rebooked_call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("vessel_call.id"))
    fee: Mapped[Decimal | None] = mapped_column(MONEY)                  # internal
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    documents_cancelled: Mapped[bool] = mapped_column(default=False)
    redeclared: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    customer_told_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    shipment = relationship(Shipment)
    container = relationship(Container)
    missed_call = relationship(VesselCall, foreign_keys=[missed_call_id])
    rebooked_call = relationship(VesselCall, foreign_keys=[rebooked_call_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class RequiredDocument(db.Model):
    """A document the customer still owes (R-B1); due at a cut-off of the first vessel call."""

    __tablename__ = "required_document"
    __table_args__ = (sa.UniqueConstraint("shipment_id", "kind", name="uq_required_document_shipment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(ChoiceColumn(DocumentKind, 20))
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    shipment = relationship(Shipment)
    received_by = relationship("User")


class BLRevision(db.Model):
    """R-B3: a B/L draft or amendment (提單製作 / 提單修改), with who, when and the fee."""

    __tablename__ = "bl_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BLRevisionKind] = mapped_column(ChoiceColumn(BLRevisionKind, 10))
    description: Mapped[str] = mapped_column(sa.Text)
    fee: Mapped[Decimal | None] = mapped_column(MONEY)
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=now)

    by = relationship("User")


class CourierDispatch(db.Model):
    """R-B3 (#67): original B/Ls sent by courier, with the tracking number."""

    __tablename__ = "bl_courier"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    courier: Mapped[str] = mapped_column(sa.String(40))
    tracking_no: Mapped[str] = mapped_column(sa.String(40))
    originals: Mapped[int] = mapped_column(default=3)
    addressee: Mapped[str] = mapped_column(sa.String(200), default="")
    sent_at: Mapped[datetime]
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    by = relationship("User")


class FreeTimeRequest(db.Model):
    """R-B4: free time (免用箱期) asked of the carrier; the carrier's approved days rule."""

    __tablename__ = "free_time_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FreeTimeKind] = mapped_column(ChoiceColumn(FreeTimeKind, 12))
    requested_days: Mapped[int]
    approved_days: Mapped[int | None]
    state: Mapped[RequestState] = mapped_column(ChoiceColumn(RequestState, 10), default=RequestState.PENDING)
    carrier_reference: Mapped[str] = mapped_column(sa.String(40), default="")
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}


class SpaceRequest(db.Model):
    """R-B1: an urgent space request (優先放艙) to the carrier and its outcome."""

    __tablename__ = "space_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[RequestState] = mapped_column(ChoiceColumn(RequestState, 10), default=RequestState.PENDING)
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}


# --- customers' status links and notices -----------------------------------------------------------


class StatusLink(db.Model):
    """R-S1: the unguessable, revocable link to a shipment's status page. The token is never
    stored: it is derived from `nonce` with the server's secret key, and found by its SHA-256."""

    __tablename__ = "status_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str] = mapped_column(sa.String(120), default="")          # who it was shared with
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    last_seen_at: Mapped[datetime | None]
    views: Mapped[int] = mapped_column(default=0)

    shipment = relationship(Shipment)
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    def is_live(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class Integration(db.Model):
    """An operations system or carrier feed that posts DCSA events, with its own API token
    (only a SHA-256 digest is kept; the token is shown once)."""

    __tablename__ = "api_integration"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    carrier: Mapped[str | None] = mapped_column(sa.String(10))     # only this carrier's shipments
    token_prefix: Mapped[str] = mapped_column(sa.String(12))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None]
    events: Mapped[int] = mapped_column(default=0)

    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])


notice_shipment = sa.Table(
    "notice_shipment", db.metadata,
    sa.Column("notice_id", sa.ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("shipment_id", sa.ForeignKey("shipment.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Notice(db.Model):
    """What a customer was told (a schedule change, a rolled container), in the customer's
    language, and how it went out: e-mail through the outbox, or by hand (WeChat, LINE, phone)."""

    __tablename__ = "notice"
    __table_args__ = (sa.Index("ix_notice_schedule_change_id", "schedule_change_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(ChoiceColumn(NoticeKind, 20))
    schedule_change_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schedule_change.id", ondelete="SET NULL"))
    exception_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loading_exception.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(sa.String(10))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[NoticeState] = mapped_column(ChoiceColumn(NoticeState, 10))
    channel: Mapped[Channel | None] = mapped_column(ChoiceColumn(Channel, 10))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    customer = relationship("Customer")
    created_by = relationship("User", foreign_keys=[created_by_id])
    sent_by = relationship("User", foreign_keys=[sent_by_id])
    shipments: Mapped[list[Shipment]] = relationship(secondary=notice_shipment, order_by=Shipment.id)
    messages: Mapped[list["OutboxMessage"]] = relationship(back_populates="notice", order_by="OutboxMessage.id",
                                                           cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class OutboxMessage(db.Model):
    """One e-mail to one recipient, sent by a job with retries; its final state is kept."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_state_next", "state", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(80), default="")
    state: Mapped[DeliveryState] = mapped_column(ChoiceColumn(DeliveryState, 10), default=DeliveryState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]

    notice: Mapped[Notice] = relationship(back_populates="messages")
