from decimal import Decimal

from flask_babel import get_locale, lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from portal.core.forms import WORKING_YEARS, ActionForm, PortalForm, options
from portal.rates.files import LABELS, RATE_FIELDS, port_code
from portal.rates.models import RateSource
from portal.rates.rules import NON_CONTAINER_BASES
from portal.reference import (BASIS_BY_CODE, CARRIERS, CHARGES, CONTAINER_TYPES, CURRENCIES, PORT_BY_CODE,
                              localized_name)


def upper(value):
    return value.upper().strip() if isinstance(value, str) else value


def known_port(form, field):
    if field.data and field.data not in PORT_BY_CODE:
        raise StopValidation(_l("Unknown port: use its 5-letter UN/LOCODE, for example TWKHH."))


def finite(form, field):
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise StopValidation(_l("Enter a number, for example 1250.50."))


def _locale() -> str:
    return str(get_locale())


def carrier_choices(blank=None):
    pairs = [("", blank)] if blank is not None else []
    return options(pairs + [(c.code, localized_name(c, _locale())) for c in CARRIERS])


def equipment_choices(blank=None):
    """Container types, then the bases a charge not per container is kept by."""
    pairs = [("", blank)] if blank is not None else []
    pairs += [(c.code, f"{c.code} · {localized_name(c, _locale())}") for c in CONTAINER_TYPES]
    pairs += [(b, localized_name(BASIS_BY_CODE[b], _locale())) for b in NON_CONTAINER_BASES]
    return options(pairs)


def charge_choices(blank=None):
    pairs = [("", blank)] if blank is not None else []
    return options(pairs + [(c.code, f"{c.code} · {localized_name(c, _locale())}") for c in CHARGES])


def weekday_choices():
    from babel.dates import get_day_names
    names = get_day_names("wide", locale=_locale())
    return options([("", "—")] + [(str(i), names[i]) for i in range(7)])


MONEY = [DataRequired(), finite, NumberRange(0, 10_000_000, _l("Rates are between 0 and 10,000,000."))]


class RateForm(PortalForm):
    carrier = SelectField(LABELS["carrier"], choices=lambda: carrier_choices("—"))
    pol = StringField(LABELS["pol"], filters=[port_code], validators=[DataRequired(_l("Enter the port of loading.")),
                                                                     known_port])
    pod = StringField(LABELS["pod"], filters=[port_code], validators=[DataRequired(_l("Enter the port of discharge.")),
                                                                     known_port])
    via = StringField(LABELS["via"], filters=[port_code], validators=[Optional(), known_port])
    equipment = SelectField(LABELS["equipment"], choices=lambda: equipment_choices("—"))
    charge_code = SelectField(LABELS["charge_code"], choices=lambda: charge_choices(), default="OFR")
    buy_rate = DecimalField(LABELS["buy_rate"], places=2, validators=MONEY)
    sell_rate = DecimalField(LABELS["sell_rate"], places=2, validators=MONEY)
    min_sell_rate = DecimalField(LABELS["min_sell_rate"], places=2, validators=MONEY)
    currency = SelectField(LABELS["currency"], choices=lambda: options((c, c) for c in CURRENCIES), default="USD")
    valid_from = DateField(LABELS["valid_from"], validators=[DataRequired(_l("Enter a date as YYYY-MM-DD.")),
                                                             WORKING_YEARS])
    valid_to = DateField(LABELS["valid_to"], validators=[DataRequired(_l("Enter a date as YYYY-MM-DD.")),
                                                         WORKING_YEARS])
    free_time_days = IntegerField(LABELS["free_time_days"], validators=[
        Optional(), NumberRange(0, 180, _l("Between 0 and 180 days."))])
    transit_days = IntegerField(LABELS["transit_days"], validators=[
        Optional(), NumberRange(1, 120, _l("Between 1 and 120 days."))])
    cutoff_weekday = SelectField(LABELS["cutoff_weekday"], choices=weekday_choices, default="")
    remarks = StringField(LABELS["remarks"], validators=[Optional(), Length(max=300)])
    source_agent_id = HiddenField()
    version = HiddenField()

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in RATE_FIELDS}
        values["via"] = values["via"] or ""
        values["remarks"] = values["remarks"] or ""
        weekday = self.cutoff_weekday.data
        values["cutoff_weekday"] = int(weekday) if weekday not in (None, "") else None
        return values


class ImportForm(PortalForm):
    file = FileField(_l("Rate file (CSV or Excel)"))
    source = SelectField(_l("The rates come from"), default=RateSource.ROUTE.value,
                         choices=lambda: RateSource.options((RateSource.ROUTE, RateSource.CARRIER)))


class MappingForm(ActionForm):
    """The column mapping of an uploaded file; the selects are named column-0, column-1, ..."""


class PricingForm(ActionForm):
    allowed = HiddenField()
