from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.auth.forms import TIMEZONES, team_choices
from portal.core.forms import WORKING_YEARS, PortalForm, options
from portal.handover.models import Category, Priority


def priority_choices():
    return options([(Priority.URGENT, _l("Urgent")), (Priority.NORMAL, _l("Normal")), (Priority.INFO, _l("For information"))])


def category_choices():
    labels = {"customer_request": _l("Customer request"), "booking": _l("Booking"), "document": _l("Document"),
              "complaint": _l("Complaint"), "collections": _l("Collections"), "filing": _l("Government filing"),
              "other": _l("Other")}
    return options((c, labels[c]) for c in Category.ALL)


def priority_label(value: str) -> str:
    return next((str(c.label) for c in priority_choices() if c.value == value), value)


def category_label(value: str) -> str:
    return next((str(c.label) for c in category_choices() if c.value == value), value)


class StartNoteForm(PortalForm):
    shift_id = SelectField(_l("Shift"), coerce=int, validate_choice=False,
                           validators=[DataRequired(_l("Choose the shift."))])
    shift_date = DateField(_l("Shift date"), validators=[DataRequired(_l("Enter the date the shift started.")), WORKING_YEARS])
    recipient_id = SelectField(_l("Hand over to"), validate_choice=False)
    team = SelectField(_l("or to a team"), choices=team_choices, default="")


class ItemForm(PortalForm):
    text = TextAreaField(_l("What the next shift needs to know or do"), validators=[
        DataRequired(_l("Say what the next shift needs to know or do.")), Length(max=2000)])
    priority = SelectField(_l("Priority"), choices=priority_choices, default=Priority.NORMAL)
    category = SelectField(_l("Category"), choices=category_choices, default="other")
    customer_code = StringField(_l("Customer (code)"), filters=[lambda v: v.upper() if isinstance(v, str) else v],
                                validators=[Optional(), Length(max=12)])
    due_at = DateTimeLocalField(_l("Due"), validators=[Optional(), WORKING_YEARS])
    version = HiddenField()


class SummaryForm(PortalForm):
    summary = TextAreaField(_l("Remarks for the next shift"), validators=[Length(max=10_000)])


class AddendumForm(PortalForm):
    text = TextAreaField(_l("Correction"), validators=[DataRequired(_l("Write the correction.")), Length(max=2000)])


class ShiftForm(PortalForm):
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    starts_at = TimeField(_l("Starts at"), validators=[DataRequired(_l("Enter a time as HH:MM."))])
    ends_at = TimeField(_l("Ends at"), validators=[DataRequired(_l("Enter a time as HH:MM."))])
    timezone = SelectField(_l("Time zone"), choices=options((tz, tz) for tz in TIMEZONES))
    position = IntegerField(_l("Order"), default=1, validators=[Optional(), NumberRange(0, 99)])
    active = BooleanField(_l("In use"), default=True)
    version = HiddenField()

    def values(self) -> dict:
        return {"name_en": self.name_en.data, "name_zh": self.name_zh.data, "starts_at": self.starts_at.data,
                "ends_at": self.ends_at.data, "timezone": self.timezone.data, "position": self.position.data or 0,
                "active": self.active.data}
