"""The base form every feature's forms derive from."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, PasswordField
from wtforms.validators import StopValidation
from wtforms.fields.choices import SelectChoice

from portal.core.rules import RuleViolation, StaleRecord
from portal.core.text import clean_text
from portal.extensions import db

# WTForms' own messages for input it cannot parse, said the portal's way in the user's language.
_PARSE_ERRORS = {
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid decimal value.": _l("Enter a number, for example 1250.50."),
    "Not a valid float value.": _l("Enter a number, for example 1250.50."),
    "Not a valid date value.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid datetime value.": _l("Enter a date and time as YYYY-MM-DD HH:MM."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
}


def save_form(form, action) -> int | None:
    """Validate form, run action (the rule call) and commit: None once saved.

    Otherwise the status to answer with, the form carrying the reason: 200 for a first
    display, 422 for invalid input or a refused rule, 409 for an edit someone else's save
    overtook. Nothing is committed then; what was typed stays in the form.
    """
    if not form.validate_on_submit():
        return 422 if request.method == "POST" else 200
    try:
        action()
    except StaleRecord as stale:
        db.session.rollback()
        form.form_errors.append(stale.message)
        return 409
    except RuleViolation as violation:
        db.session.rollback()
        form.add_rule_error(violation)
        return 422
    db.session.commit()
    return None


class PortalForm(FlaskForm):
    """Cleans every text field (NFC, no control characters, trimmed) before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            # A password is taken as typed; lists of subforms clean in their own fields.
            if not issubclass(unbound_field.field_class, (PasswordField, FieldList, FormField)):
                filters.insert(0, clean_text)
            return unbound_field.bind(form=form, filters=filters, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            field.errors = [_PARSE_ERRORS.get(e, e) if isinstance(e, str) else e for e in field.errors]
        return ok

    def add_rule_error(self, violation) -> None:
        """Show a RuleViolation next to its field (or above the form when it names none)."""
        field = getattr(self, violation.field, None) if violation.field else None
        if field is not None:
            field.errors = [*field.errors, violation.message]
        else:
            self.form_errors.append(violation.message)


def blank_to_none(value):
    return value or None


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def years_between(first: int, last: int):
    """A date or date-time field whose year lies in [first, last] (far dates overflow time-zone maths)."""
    def check(form, field):
        if field.data is not None and not first <= field.data.year <= last:
            raise StopValidation(_l("Enter a date between %(first)d and %(last)d.", first=first, last=last))
    return check


WORKING_YEARS = years_between(2000, 2100)
