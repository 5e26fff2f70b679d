from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.auth.forms import team_choices
from portal.core.i18n import zone_choices
from portal.core.forms import WORKING_YEARS, ActionForm, PortalForm, options
from portal.handover.models import Category, Priority


class StartNoteForm(PortalForm):
    shift_id = SelectField(_l("Shift"), coerce=int, validate_choice=False,
                           validators=[DataRequired(_l("Choose the shift."))])
    shift_date = DateField(_l("Shift date"), validators=[DataRequired(_l("Enter the date the shift started.")), WORKING_YEARS])
    recipient_id = SelectField(_l("Hand over to"), validate_choice=False)
    team = SelectField(_l("or to a team"), choices=team_choices, default="")


class ItemForm(PortalForm):
    text = TextAreaField(_l("What the next shift needs to know or do"), validators=[
        DataRequired(_l("Say what the next shift needs to know or do.")), Length(max=2000)])
    priority = SelectField(_l("Priority"), choices=Priority.choices, default=Priority.NORMAL)
    category = SelectField(_l("Category"), choices=Category.choices, default=Category.OTHER)
    customer_code = StringField(_l("Customer (code)"), filters=[lambda v: v.upper() if isinstance(v, str) else v],
                                validators=[Optional(), Length(max=12)])
    due_at = DateTimeLocalField(_l("Due"), validators=[Optional(), WORKING_YEARS])
    # A record of another feature the item is about (a shipment, ...): kinds come from core.links.
    subject_type = SelectField(_l("About a"), validate_choice=False, default="")
    subject_ref = StringField(_l("Number"), filters=[lambda v: v.upper() if isinstance(v, str) else v],
                              validators=[Optional(), Length(max=30)])
    version = HiddenField()


class SummaryForm(PortalForm):
    summary = TextAreaField(_l("Remarks for the next shift"), validators=[
        Length(max=10_000, message=_l("Keep the remarks under 10,000 characters."))])


class MoveForm(PortalForm):
    direction = SelectField(choices=lambda: options([("up", _l("Move up")), ("down", _l("Move down"))]))


class ItemActionForm(ActionForm):
    """Close or reopen an item (version: the item's)."""


class AddendumForm(PortalForm):
    text = TextAreaField(_l("Correction"), validators=[DataRequired(_l("Write the correction.")), Length(max=2000)])


class ShiftForm(PortalForm):
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    name_zh_hant = StringField(_l("Name in Traditional Chinese"),
                               validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    name_zh_hans = StringField(_l("Name in Simplified Chinese"),
                               validators=[DataRequired(_l("Enter a name.")), Length(max=40)])
    starts_at = TimeField(_l("Starts at"), validators=[DataRequired(_l("Enter a time as HH:MM."))])
    ends_at = TimeField(_l("Ends at"), validators=[DataRequired(_l("Enter a time as HH:MM."))])
    timezone = SelectField(_l("Time zone"), choices=lambda: options(zone_choices()))
    position = IntegerField(_l("Order"), default=1, validators=[Optional(), NumberRange(0, 99)])
    active = BooleanField(_l("In use"), default=True)
    version = HiddenField()

    def values(self) -> dict:
        return {"name_en": self.name_en.data, "name_zh_hant": self.name_zh_hant.data,
                "name_zh_hans": self.name_zh_hans.data, "starts_at": self.starts_at.data,
                "ends_at": self.ends_at.data, "timezone": self.timezone.data, "position": self.position.data or 0,
                "active": self.active.data}
