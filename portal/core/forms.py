"""The base form every feature's forms derive from, and the one path every form post takes."""
from collections.abc import Callable

from flask import flash, request
from flask_babel import get_translations, gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import FieldList, FormField, HiddenField, PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from portal.core.database import commit, is_unique_violation
from portal.core.htmx import redirect_to
from portal.core.rules import RuleViolation, SimultaneousSave
from portal.core.text import clean_text
from portal.extensions import db

# WTForms' own messages for input it cannot parse, said the portal's way in the user's language.
_PARSE_ERRORS = {
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid decimal value.": _l("Enter a number, for example 1250.50."),
    "Not a valid float value.": _l("Enter a number, for example 1250.50."),
    "Not a valid date value.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid datetime value.": _l("Enter a date and time as YYYY-MM-DD HH:MM."),
    "Not a valid time value.": _l("Enter a time as HH:MM."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
}


class _CatalogTranslations:
    """WTForms' own messages ("This field is required.", length limits, ...) from the portal's
    catalogs, in the user's language; WTForms fills in the numbers afterwards."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogTranslations()


def _wtforms_messages():  # pragma: no cover  (never called: lists WTForms' messages for the catalogs)
    gettext("This field is required.")
    gettext("Invalid input.")
    gettext("Invalid email address.")
    gettext("Number must be at least %(min)s.")
    gettext("Number must be at most %(max)s.")
    gettext("Number must be between %(min)s and %(max)s.")
    gettext("Field must be between %(min)d and %(max)d characters long.")
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1)


def submit(form, apply: Callable, *, done: Callable, again: Callable | None = None, back: str | None = None):
    """The one submit path: validate form, apply the rule, commit, answer.

    - done(result): the answer once saved (usually `saved(message, url)` or a fragment).
    - again(status): the form again with what was typed: 200 on a first display (GET), 422 for
      invalid input or a refused rule (the reason next to its field), 409 when someone else's
      save overtook this one. Nothing is committed then.
    - back: for a button rather than a form (no `again`): the page a plain (non-htmx) post
      returns to with the reason. Without it, a refusal propagates as a RuleViolation and the
      app's error handler answers: a toast for htmx, the page the post came from otherwise.
    """
    if request.method != "POST":
        return again(200) if again else None
    try:
        if not form.validate_on_submit():
            raise _InvalidInput(form)
        result = apply()
        db.session.flush()
        commit(db.session)
    except _InvalidInput:
        db.session.rollback()
        if again is None:
            return _refused(form, RuleViolation(form.first_error()), again, back)
        return again(422)
    except IntegrityError as error:
        db.session.rollback()
        if not is_unique_violation(error):
            raise
        return _refused(form, SimultaneousSave(), again, back)
    except RuleViolation as refusal:
        db.session.rollback()
        return _refused(form, refusal, again, back)
    return done(result)


class _InvalidInput(Exception):
    def __init__(self, form):
        super().__init__("invalid input")
        self.form = form


def _refused(form, refusal: RuleViolation, again, back):
    if again is not None:
        form.add_rule_error(refusal)
        return again(refusal.status)
    if back and not request.htmx:
        flash(refusal.message, "error")
        return redirect_to(back)
    raise refusal


def saved(message, url: str, level: str = "success"):
    """After a successful post: the message as a toast, and the page to show next."""
    if message:
        flash(message, level)
    return redirect_to(url)


class PortalForm(FlaskForm):
    """Cleans every text field (NFC, no control characters, trimmed) before validation."""

    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

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

    def add_rule_error(self, violation: RuleViolation) -> None:
        """Show a RuleViolation next to its field (or above the form when it names none)."""
        field = getattr(self, violation.field, None) if violation.field else None
        if field is not None and hasattr(field, "errors") and not isinstance(field.errors, dict):
            field.errors = [*field.errors, violation.message]
        else:
            self.form_errors.append(violation.message)

    def first_error(self):
        """The first message of an invalid form, for a button that has no form to show it in."""
        for message in self.form_errors:
            return message
        for field in self:
            for message in field.errors if isinstance(field.errors, list) else []:
                return message
        return _l("Some fields need your attention.")


class ActionForm(PortalForm):
    """A button that changes a record: CSRF-protected, with the version the page showed."""

    version = HiddenField()


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
