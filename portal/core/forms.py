"""The base form every feature's forms derive from."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.fields.choices import SelectChoice

from portal.core.text import clean_text

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


class PortalForm(FlaskForm):
    """Cleans every text field (NFC, no control characters, trimmed) before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if not issubclass(unbound_field.field_class, PasswordField):  # a password is taken as typed
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
