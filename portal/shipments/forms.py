from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, HiddenField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import WORKING_YEARS, ActionForm, PortalForm, options
from portal.quotes.forms import (MONEY, carrier_choices, container_choices, currency_choices, finite, known_port,
                                 upper)
from portal.quotes.models import Mode
from portal.shipments.models import (BLRevisionKind, ChangeReason, Channel, DocumentKind, ExceptionKind,
                                     FreeTimeKind, MilestoneKind)

PORT = [Optional(), known_port]
WHEN = [Optional(), WORKING_YEARS]
REFERENCE = [Optional(), Length(max=30), Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]*$",
                                                message=_l("Letters, digits and hyphens only, 3 to 30 characters."))]


def _required(message):
    return [DataRequired(message), WORKING_YEARS]


class ShipmentForm(PortalForm):
    customer_code = StringField(_l("Customer (code)"), filters=[upper], validators=[
        DataRequired(_l("Enter the customer's code.")), Length(max=12)])
    contact_id = SelectField(_l("Contact"), validate_choice=False, default="")
    carrier = SelectField(_l("Carrier"), choices=carrier_choices, default="")
    booking_no = StringField(_l("Booking number"), filters=[upper], validators=REFERENCE)
    bl_no = StringField(_l("B/L number"), filters=[upper], validators=REFERENCE)
    mode = SelectField(_l("Mode"), choices=Mode.choices, default=Mode.FCL)
    pol = StringField(_l("Port of loading"), filters=[upper], validators=[
        DataRequired(_l("Enter the port of loading.")), known_port])
    pod = StringField(_l("Port of discharge"), filters=[upper], validators=[
        DataRequired(_l("Enter the port of discharge.")), known_port])
    container_type = SelectField(_l("Container type"), choices=container_choices, default="")
    container_qty = IntegerField(_l("Containers"), validators=[
        Optional(), NumberRange(1, 500, _l("Between 1 and 500 containers."))])
    commodity = StringField(_l("Commodity"), validators=[DataRequired(_l("Enter the commodity.")), Length(max=200)])
    gross_weight_kg = DecimalField(_l("Gross weight (kg)"), places=3, validators=[
        Optional(), finite, NumberRange(0.001, 10_000_000, _l("Between 0 and 10,000,000 kg."))])
    shipper = TextAreaField(_l("Shipper"), validators=[Length(max=1000)])
    consignee = TextAreaField(_l("Consignee"), validators=[Length(max=1000)])
    notify_party = TextAreaField(_l("Notify party"), validators=[Length(max=1000)])
    remarks = TextAreaField(_l("Remarks for the customer"), validators=[Length(max=2000)])
    internal_notes = TextAreaField(_l("Internal notes"), validators=[Length(max=5000)])
    version = HiddenField()


class CallForm(PortalForm):
    carrier = SelectField(_l("Carrier"), choices=carrier_choices, default="")
    service = StringField(_l("Service"), filters=[upper], validators=[Optional(), Length(max=20)])
    vessel_name = StringField(_l("Vessel"), filters=[upper], validators=[
        DataRequired(_l("Enter the vessel's name.")), Length(max=80)])
    imo = StringField(_l("IMO number"), filters=[lambda v: v.upper().removeprefix("IMO").strip() if isinstance(v, str)
                                                 else v],
                      validators=[DataRequired(_l("An IMO number is seven digits with a check digit, for example "
                                                  "9321483.")), Length(max=10)])
    voyage = StringField(_l("Voyage"), filters=[upper], validators=[DataRequired(_l("Enter the voyage.")),
                                                                    Length(max=20)])
    port = StringField(_l("Port"), filters=[upper], validators=[DataRequired(_l("Enter the port.")), known_port])
    terminal = StringField(_l("Terminal"), validators=[Optional(), Length(max=80)])
    eta = DateTimeLocalField(_l("ETA"), validators=_required(_l("Enter the ETA.")))
    etb = DateTimeLocalField(_l("ETB (berthing)"), validators=WHEN)
    etd = DateTimeLocalField(_l("ETD"), validators=_required(_l("Enter the ETD.")))
    ata = DateTimeLocalField(_l("Arrived (actual)"), validators=WHEN)
    atb = DateTimeLocalField(_l("Berthed (actual)"), validators=WHEN)
    atd = DateTimeLocalField(_l("Departed (actual)"), validators=WHEN)
    doc_cutoff = DateTimeLocalField(_l("Documents cut-off"), validators=WHEN)
    port_cutoff = DateTimeLocalField(_l("Port cut-off"), validators=WHEN)
    vgm_cutoff = DateTimeLocalField(_l("VGM cut-off"), validators=WHEN)
    version = HiddenField()

    TIMES = ("eta", "etb", "etd", "ata", "atb", "atd", "doc_cutoff", "port_cutoff", "vgm_cutoff")


class CallEditForm(CallForm):
    """Editing a call: the planned times move through a schedule change, with a reason."""
    eta = None
    etb = None
    etd = None

    TIMES = ("ata", "atb", "atd", "doc_cutoff", "port_cutoff", "vgm_cutoff")


class ScheduleForm(ActionForm):
    eta = DateTimeLocalField(_l("New ETA"), validators=_required(_l("Enter the ETA.")))
    etb = DateTimeLocalField(_l("New ETB (berthing)"), validators=WHEN)
    etd = DateTimeLocalField(_l("New ETD"), validators=_required(_l("Enter the ETD.")))
    reason = SelectField(_l("Reason"), choices=lambda: ChangeReason.options(blank="—"),
                         validators=[DataRequired(_l("Choose the reason."))])
    explanation = TextAreaField(_l("Explanation for the customers (optional)"), validators=[Length(max=2000)])


class LegForm(PortalForm):
    load_port = StringField(_l("Loads at"), filters=[upper], validators=[
        DataRequired(_l("Enter the port of loading.")), known_port])
    discharge_port = StringField(_l("Discharges at"), filters=[upper], validators=[
        DataRequired(_l("Enter the port of discharge.")), known_port])
    load_call_id = SelectField(_l("Vessel call at loading"), validate_choice=False, default="")
    discharge_call_id = SelectField(_l("Vessel call at discharge"), validate_choice=False, default="")


class ContainerForm(PortalForm):
    number = StringField(_l("Container number"), filters=[upper], validators=[
        DataRequired(_l("Enter the container number.")), Length(max=20)])
    container_type = SelectField(_l("Type"), choices=container_choices, default="")
    seal_no = StringField(_l("Seal number"), filters=[upper], validators=[Optional(), Length(max=30)])
    vgm_kg = DecimalField(_l("VGM (kg)"), places=1, validators=[
        Optional(), finite, NumberRange(1, 60_000, _l("A container's VGM is between 0 and 60,000 kg."))])
    version = HiddenField()


class MilestoneForm(PortalForm):
    kind = SelectField(_l("Milestone"), choices=lambda: MilestoneKind.options(blank="—"),
                       validators=[DataRequired(_l("Choose the milestone."))])
    at = DateTimeLocalField(_l("When (local time at the port)"), validators=_required(_l("Enter when it happened.")))
    port = StringField(_l("Port"), filters=[upper], validators=PORT)
    container_id = SelectField(_l("Container"), validate_choice=False, default="")


class ExceptionForm(PortalForm):
    kind = SelectField(_l("What happened"), choices=ExceptionKind.choices)
    container_id = SelectField(_l("Container"), validate_choice=False, default="")
    missed_call_id = SelectField(_l("Vessel it missed"), validate_choice=False, default="")
    reason = TextAreaField(_l("Why (internal)"), validators=[DataRequired(_l("Say why the container was left "
                                                                             "behind.")), Length(max=2000)])
    rebooked_call_id = SelectField(_l("Re-booked on"), validate_choice=False, default="")
    fee = DecimalField(_l("Fees (internal)"), places=2, validators=MONEY)
    fee_currency = SelectField(_l("Currency"), choices=currency_choices)
    documents_cancelled = BooleanField(_l("Documents cancelled and filed again for the new vessel"))
    redeclared = BooleanField(_l("Customs re-declared"))
    version = HiddenField()


class DocumentForm(PortalForm):
    kind = SelectField(_l("Document"), choices=DocumentKind.choices)


class BLRevisionForm(PortalForm):
    kind = SelectField(_l("Draft or amendment"), choices=BLRevisionKind.choices)
    description = TextAreaField(_l("What it holds or what changed"), validators=[
        DataRequired(_l("Say what the draft holds or what changed.")), Length(max=2000)])
    fee = DecimalField(_l("Fee"), places=2, validators=MONEY)
    fee_currency = SelectField(_l("Currency"), choices=currency_choices)


class CourierForm(PortalForm):
    courier = StringField(_l("Courier"), validators=[DataRequired(_l("Enter the courier.")), Length(max=40)])
    tracking_no = StringField(_l("Tracking number"), filters=[upper], validators=[
        DataRequired(_l("Enter the courier's tracking number.")), Length(max=40)])
    originals = IntegerField(_l("Originals"), default=3, validators=[
        DataRequired(_l("Between 1 and 6 originals.")), NumberRange(1, 6, _l("Between 1 and 6 originals."))])
    addressee = StringField(_l("Sent to"), validators=[Optional(), Length(max=200)])


class FreeTimeForm(PortalForm):
    kind = SelectField(_l("Free time"), choices=FreeTimeKind.choices)
    requested_days = IntegerField(_l("Days requested"), validators=[
        DataRequired(_l("Between 1 and 90 days.")), NumberRange(1, 90, _l("Between 1 and 90 days."))])
    carrier_reference = StringField(_l("Carrier's reference"), validators=[Optional(), Length(max=40)])


class FreeTimeDecisionForm(ActionForm):
    approved_days = IntegerField(_l("Days the carrier approved (0: refused)"), validators=[
        Optional(), NumberRange(0, 90, _l("Between 0 and 90 days."))])


class SpaceForm(PortalForm):
    reason = TextAreaField(_l("Why the space is urgent"), validators=[
        DataRequired(_l("Say why the space is urgent.")), Length(max=2000)])


class SpaceDecisionForm(ActionForm):
    granted = SelectField(_l("Carrier's answer"), choices=lambda: options([("yes", _l("Space granted")),
                                                                           ("no", _l("Refused"))]))
    outcome = StringField(_l("Details"), validators=[Length(max=2000)])


class LinkForm(PortalForm):
    note = StringField(_l("Shared with (optional)"), validators=[Optional(), Length(max=120)])
    expires_on = DateField(_l("Expires after (optional)"), validators=WHEN)


class CancelForm(ActionForm):
    reason = StringField(_l("Why is the booking cancelled?"), validators=[
        DataRequired(_l("Say why the booking is cancelled.")), Length(max=300)])


class SentByHandForm(ActionForm):
    channel = SelectField(_l("Sent by"), choices=lambda: Channel.options([Channel.WECHAT, Channel.LINE, Channel.PHONE,
                                                                          Channel.EMAIL]))


class ImportForm(PortalForm):
    file = FileField(_l("CSV or Excel file"))


class IntegrationForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the integration.")), Length(max=80)])
    carrier = SelectField(_l("Only this carrier's shipments (optional)"), choices=carrier_choices, default="")
