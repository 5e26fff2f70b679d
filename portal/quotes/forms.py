from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, FieldList, FormField, HiddenField,
                     IntegerField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation

from portal.core.database import parse_id
from portal.core.forms import WORKING_YEARS, ActionForm, PortalForm, options
from portal.quotes.models import Direction, Mode
from portal.rates.files import port_code
from portal.reference import (BASES, CARRIERS, CHARGES, CONTAINER_TYPES, CURRENCIES, INCOTERMS,
                                     PORT_BY_CODE, localized_name)


def upper(value):
    return value.upper() if isinstance(value, str) else value


def known_port(form, field):
    if field.data and field.data not in PORT_BY_CODE:
        raise StopValidation(_l("Unknown port: use its 5-letter UN/LOCODE, for example TWKHH."))


def finite(form, field):
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise StopValidation(_l("Enter a number, for example 1250.50."))


def localized(items, with_code):
    """(code, name in the viewer's language) pairs for reference data."""
    from flask_babel import get_locale
    locale = str(get_locale())
    return [(item.code, f"{item.code} · {localized_name(item, locale)}" if with_code else localized_name(item, locale))
            for item in items]


def charge_choices():
    return options(localized(CHARGES, True))


def basis_choices():
    return options(localized(BASES, False))


def container_choices():
    return options([("", "—")] + localized(CONTAINER_TYPES, True))


def carrier_choices():
    return options([("", "—")] + localized(CARRIERS, False))


def incoterm_choices():
    return options([("", "—")] + localized(INCOTERMS, True))


def currency_choices():
    return options((c, c) for c in CURRENCIES)


class QuantityField(DecimalField):
    """A quantity shown as people write it: 2 containers, 8.5 CBM (not 2.000)."""

    def _value(self):
        if isinstance(self.data, Decimal) and self.data.is_finite() and not self.raw_data:
            return format(self.data.normalize(), "f")
        return super()._value()


MONEY = [Optional(), finite, NumberRange(0, 10_000_000, _l("Rates are between 0 and 10,000,000."))]


class ChargeLineForm(PortalForm):
    """One charge line as the author gives it: charge, basis, quantity, sell rate, direction and
    inclusions. The buy rate is read only where no rate card prices the line (the agent's own
    channel, or a local charge's cost); minimum and company sell rates are never typed (R-Q4 to R-Q6)."""

    class Meta:
        csrf = False

    charge_code = SelectField(_l("Charge"), choices=charge_choices)
    basis = SelectField(_l("Basis"), choices=basis_choices)
    quantity = QuantityField(_l("Quantity"), places=3, default=1, validators=[
        DataRequired(_l("Enter the quantity.")), finite, NumberRange(0.001, 10_000, _l("Quantities are between 0 and 10,000."))])
    buy_rate = DecimalField(_l("Buy rate"), places=2, validators=MONEY)
    sell_rate = DecimalField(_l("Sell rate"), places=2, validators=MONEY)
    currency = SelectField(_l("Currency"), choices=currency_choices)
    direction = SelectField(_l("Receivable or payable"), choices=Direction.choices)
    includes = StringField(_l("ALL-IN includes"), filters=[upper], validators=[
        Optional(), Length(max=200), Regexp(r"^[A-Z0-9-]+(\s*,\s*[A-Z0-9-]+)*$",
                                            message=_l("List charge codes separated by commas, for example OFR, BAF, THC-O."))])
    # The editor's bookkeeping: the card rate the line was filled from, and the sell rate and
    # quantity it filled in, so that a later fill changes only what the agent did not change.
    rate_id = HiddenField()
    filled_sell = HiddenField()
    filled_quantity = HiddenField()

    def values(self) -> dict:
        codes = {c.code for c in CHARGES}
        includes = [c.strip() for c in (self.includes.data or "").split(",") if c.strip() in codes]
        return {"charge_code": self.charge_code.data, "basis": self.basis.data, "quantity": self.quantity.data,
                "buy_rate": self.buy_rate.data, "sell_rate": self.sell_rate.data, "currency": self.currency.data,
                "direction": self.direction.data, "includes": ",".join(includes),
                "rate_id": parse_id(self.rate_id.data)}


class QuoteForm(PortalForm):
    # A code, or a name or phone to search by: the editor suggests customers as it is typed.
    customer_code = StringField(_l("Customer"), validators=[
        DataRequired(_l("Enter the customer's code, name or phone, and choose the customer.")), Length(max=100)])
    contact_id = SelectField(_l("Contact"), validate_choice=False, default="")
    inquiry_at = DateTimeLocalField(_l("Inquiry received"), validators=[DataRequired(_l("Enter when the inquiry came in.")), WORKING_YEARS])
    mode = SelectField(_l("Mode"), choices=Mode.choices)
    pol = StringField(_l("Port of loading"), filters=[port_code], validators=[DataRequired(_l("Enter the port of loading.")), known_port])
    pod = StringField(_l("Port of discharge"), filters=[port_code], validators=[DataRequired(_l("Enter the port of discharge.")), known_port])
    carrier = SelectField(_l("Carrier"), choices=carrier_choices, default="")
    container_type = SelectField(_l("Container type"), choices=container_choices, default="")
    container_qty = IntegerField(_l("Containers"), validators=[Optional(), NumberRange(1, 500, _l("Between 1 and 500 containers."))])
    pieces = IntegerField(_l("Pieces"), validators=[Optional(), NumberRange(1, 1_000_000, _l("Between 1 and 1,000,000 pieces."))])
    gross_weight_kg = DecimalField(_l("Gross weight (kg)"), places=3, validators=[
        Optional(), finite, NumberRange(0.001, 10_000_000, _l("Between 0 and 10,000,000 kg."))])
    volume_cbm = DecimalField(_l("Volume (CBM)"), places=3, validators=[
        Optional(), finite, NumberRange(0.001, 100_000, _l("Between 0 and 100,000 CBM."))])
    commodity = StringField(_l("Commodity"), validators=[DataRequired(_l("Enter the commodity.")), Length(max=200)])
    dg_class = StringField(_l("Dangerous-goods class"), validators=[
        Optional(), Regexp(r"^[1-9](\.[1-6])?$", message=_l("A class from 1 to 9, for example 3 or 2.1."))])
    un_number = StringField(_l("UN number"), filters=[lambda v: v.upper().removeprefix("UN").strip() if isinstance(v, str) else v],
                            validators=[Optional(), Regexp(r"^\d{4}$", message=_l("Four digits, for example UN1263."))])
    dg_fees_confirmed = BooleanField(_l("Dangerous-goods fees confirmed with the carrier"))
    shipper = StringField(_l("Shipper"), validators=[Optional(), Length(max=160)])
    dimensions = StringField(_l("Dimensions (L × W × H)"), validators=[Optional(), Length(max=200)])
    ship_date = DateField(_l("Ship date"), validators=[Optional(), WORKING_YEARS])
    target_price = DecimalField(_l("Customer's target price"), places=2, validators=MONEY)
    holding_reply_at = DateTimeLocalField(_l("Holding reply sent"), validators=[Optional(), WORKING_YEARS])
    incoterm = SelectField(_l("Incoterm"), choices=incoterm_choices, default="")
    cargo_ready_on = DateField(_l("Cargo ready"), validators=[Optional(), WORKING_YEARS])
    valid_until = DateField(_l("Valid until"), validators=[DataRequired(_l("Enter the validity date.")), WORKING_YEARS])
    currency = SelectField(_l("Quote currency"), choices=currency_choices)
    provisional = BooleanField(_l("Provisional: no rate yet, an indicative price to confirm (handbook #62)"))
    notes = TextAreaField(_l("Internal notes"), validators=[Length(max=5000)])
    remarks = TextAreaField(_l("Remarks for the customer"), validators=[Length(max=2000)])
    lines = FieldList(FormField(ChargeLineForm), min_entries=1, max_entries=40)
    version = HiddenField()

    def line_values(self) -> list[dict]:
        """The charge lines typed in; a line left blank (no rate, nothing it includes) is not one."""
        return [line for line in (entry.form.values() for entry in self.lines)
                if line["sell_rate"] is not None or line["buy_rate"] is not None or line["includes"]]


class DeclineForm(ActionForm):
    reason = StringField(_l("Why is it declined?"), validators=[DataRequired(_l("Say why the inquiry is declined.")),
                                                               Length(max=300)])


class LostForm(ActionForm):
    reason = StringField(_l("Why was it lost?"), validators=[DataRequired(_l("Say why the quote was lost.")),
                                                             Length(max=300)])


class DecisionForm(ActionForm):
    decision = SelectField(choices=lambda: options([("approve", _l("Approve")), ("return", _l("Return"))]))
    comment = StringField(_l("Comment (required when returning)"), validators=[Length(max=2000)])


class FollowUpForm(ActionForm):
    note = StringField(_l("Note"), validators=[Length(max=300)])
