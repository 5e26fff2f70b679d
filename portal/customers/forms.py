from decimal import Decimal

from babel import Locale
from flask_babel import get_locale, lazy_gettext as _l
from wtforms import (BooleanField, DateField, DecimalField, EmailField, FieldList, Form, FormField, HiddenField,
                     IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import StopValidation, DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import PortalForm, blank_to_none, options, years_between
from portal.core.i18n import Language, zone_choices
from portal.customers.models import Grade, Kind, Source
from portal.reference import CURRENCIES

CODE = Regexp(r"^[A-Z0-9][A-Z0-9-]{1,11}$",
              message=_l("Use 2 to 12 capital letters, digits or dashes, for example TWTPE-001."))
PHONE = Regexp(r"^\+?[0-9][0-9 ()./-]{4,30}( *(#|ext\.?|x) *[0-9]{1,6})?$",
               message=_l("Enter a phone number of digits, spaces, + ( ) - and an optional extension (ext 12)."))


def language_choices():
    return Language.options([Language.ZH_HANT, Language.ZH_HANS, Language.EN])


def country_choices():
    """Countries named in the viewer's language, sorted by that name."""
    names = Locale.parse(str(get_locale())).territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB")]
    return options([("", "—")] + sorted(((c, names[c]) for c in codes), key=lambda pair: pair[1]))


def valid_zone(form, field):
    """Any real IANA time zone (the list offers the usual ones; a customer's country may have others)."""
    from zoneinfo import ZoneInfo
    try:
        ZoneInfo(field.data)
    except (ValueError, KeyError, OSError):
        raise StopValidation(_l("Choose a time zone from the list.")) from None


def finite_number(form, field):
    """Decimal parses NaN and Infinity; money never is either."""
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise StopValidation(_l("Enter an amount from 0 to 999,999,999,999."))


def upper(value):
    return value.upper() if isinstance(value, str) else value


class CustomerForm(PortalForm):
    code = StringField(_l("Customer code"), filters=[upper],
                       validators=[DataRequired(_l("Enter a customer code.")), CODE])
    name_zh = StringField(_l("Chinese name"), filters=[blank_to_none], validators=[Length(max=120)])
    name_en = StringField(_l("English name"), filters=[blank_to_none], validators=[Length(max=160)])
    kind = SelectField(_l("Kind"), choices=Kind.choices)
    grade = SelectField(_l("Grade"), choices=Grade.choices, default=Grade.C)
    source = SelectField(_l("Source"), choices=Source.choices, default=Source.SELF_SOURCED)
    is_vip = BooleanField(_l("VIP"))
    is_state_owned = BooleanField(_l("State-owned enterprise"))
    preferred_locale = SelectField(_l("Preferred language"), choices=language_choices)
    timezone = SelectField(_l("Time zone"), choices=lambda: options([("", _l("Its country's"))] + zone_choices()),
                           filters=[blank_to_none], validate_choice=False, validators=[Optional(), valid_zone])
    country = SelectField(_l("Country or region"), choices=country_choices, filters=[blank_to_none],
                          validate_choice=False, validators=[Optional(), Regexp(r"^[A-Z]{2}$", message=_l("Choose a country from the list."))])
    address = StringField(_l("Address"), filters=[blank_to_none], validators=[Length(max=300)])
    notes = TextAreaField(_l("Internal notes"), filters=[blank_to_none], validators=[Length(max=5000)])
    legal_representative = StringField(_l("Legal representative"), filters=[blank_to_none],
                                       validators=[Length(max=80)])
    business_scope = TextAreaField(_l("Business scope"), filters=[blank_to_none], validators=[Length(max=2000)])
    business_licence_no = StringField(_l("Business licence no."), filters=[blank_to_none],
                                      validators=[Length(max=40)])
    cooperating_since = DateField(_l("Cooperating since"), validators=[Optional(), years_between(1950, 2100)])
    agreement_starts_on = DateField(_l("Cooperation agreement starts"), validators=[Optional(),
                                                                                  years_between(1950, 2100)])
    agreement_ends_on = DateField(_l("Cooperation agreement ends"), validators=[Optional(), years_between(1950, 2100)])
    owner_id = SelectField(_l("Owner"), coerce=int, validate_choice=False, validators=[Optional()])
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """Every problem at once: a customer with neither name is told so with the code's error."""
        ok = super().validate(extra_validators)
        if not (self.name_zh.data or self.name_en.data):
            self.name_zh.errors = [*self.name_zh.errors, _l("Enter the Chinese name, the English name, or both.")]
            ok = False
        starts, ends = self.agreement_starts_on.data, self.agreement_ends_on.data
        if starts and ends and ends < starts and not self.agreement_ends_on.errors:
            self.agreement_ends_on.errors = [*self.agreement_ends_on.errors,
                                             _l("The agreement cannot end before it starts.")]
            ok = False
        return ok

    def profile(self) -> dict:
        return {f: getattr(self, f).data for f in ("code", "name_zh", "name_en", "kind", "source", "is_vip",
                                                   "is_state_owned", "preferred_locale", "country", "timezone",
                                                   "address", "notes",
                                                   "legal_representative", "business_scope", "business_licence_no",
                                                   "cooperating_since", "agreement_starts_on", "agreement_ends_on")}


class ContactForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the contact's name.")), Length(max=80)])
    title = StringField(_l("Job title"), filters=[blank_to_none], validators=[Length(max=80)])
    phone = StringField(_l("Phone"), filters=[blank_to_none], validators=[Optional(), Length(max=40), PHONE])
    email = EmailField(_l("E-mail"), filters=[blank_to_none],
                       validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    wechat = StringField(_l("WeChat"), filters=[blank_to_none], validators=[Length(max=60)])
    line_id = StringField(_l("LINE"), filters=[blank_to_none], validators=[Length(max=60)])
    birthday = DateField(_l("Birthday (for care messages)"), validators=[Optional(), years_between(1900, 2100)])
    is_primary = BooleanField(_l("Main contact"))
    version = HiddenField()

    def values(self) -> dict:
        return {f: getattr(self, f).data for f in ("name", "title", "phone", "email", "wechat", "line_id",
                                                   "birthday", "is_primary")}


class OwnerForm(PortalForm):
    owner_id = SelectField(_l("New owner"), coerce=int, validate_choice=False,
                           validators=[DataRequired(_l("Choose the new owner."))])
    version = HiddenField()


class BookRowForm(Form):
    """One customer of a book being handed over: who takes it (empty: it stays for now)."""
    customer_id = HiddenField()
    version = HiddenField()
    receiver_id = SelectField(_l("Takes over"), validate_choice=False, default="")


class BookHandoverForm(PortalForm):
    """A leaver's book shared among colleagues (R-H4): a receiver per customer, which "Share"
    fills in evenly among the colleagues ticked; "Hand over" moves them all in one change."""
    rows = FieldList(FormField(BookRowForm))
    share_among = SelectMultipleField(_l("Share the customers without a receiver among"), coerce=int,
                                      validate_choice=False, widget=ListWidget(prefix_label=False),
                                      option_widget=CheckboxInput())


class GradeForm(PortalForm):
    grade = SelectField(_l("New grade"), choices=Grade.choices)
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why the grade changes.")), Length(max=300)])
    version = HiddenField()


class CreditForm(PortalForm):
    credit_terms_days = IntegerField(_l("Credit terms (days)"), validators=[
        InputRequired(_l("Enter the credit terms in days (0 for cash).")),
        NumberRange(0, 365, _l("Credit terms are between 0 and 365 days."))])
    credit_limit = DecimalField(_l("Credit limit"), places=2, validators=[
        InputRequired(_l("Enter the credit limit (0 for none).")), finite_number,
        NumberRange(0, 999_999_999_999, _l("Enter an amount from 0 to 999,999,999,999."))])
    credit_currency = SelectField(_l("Currency"), choices=options((c, c) for c in CURRENCIES))
    version = HiddenField()
