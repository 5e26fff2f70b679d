"""Forms of the visits screens. Choices that depend on the customer or the team are filled in by
the views; satisfaction and due dates are checked by the rules, so a refusal reads the same from
every screen."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (DateField, DateTimeLocalField, DecimalField, FieldList, Form, FormField, HiddenField,
                     IntegerField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.core.forms import WORKING_YEARS, PortalForm, blank_to_none, options
from portal.reference import CURRENCIES
from portal.visits.models import Category, Channel, ClaimState, Outcome, Purpose, Severity

SCORES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


def satisfaction_choices():
    return options([("", _l("Not asked"))] + [(str(n), label) for n, label in (
        (5, _l("5 · very satisfied")), (4, _l("4 · satisfied")), (3, _l("3 · neutral")),
        (2, _l("2 · dissatisfied")), (1, _l("1 · very dissatisfied")))])


def attempt_outcomes():
    return Outcome.options([Outcome.REACHED, Outcome.VISIT_BOOKED, Outcome.NOT_INTERESTED, Outcome.WRONG_CONTACT,
                            Outcome.OUT_OF_BUSINESS])


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1   # not one of the options: the rule says so in words


class NextActionMixin:
    next_action = StringField(_l("Next action"), filters=[blank_to_none], validators=[Length(max=300)])
    next_due_on = DateField(_l("Due"), validators=[Optional(), WORKING_YEARS])
    next_owner_id = SelectField(_l("Owner"), coerce=_optional_int, validate_choice=False, validators=[Optional()])


class ContactLogForm(PortalForm, NextActionMixin):
    """A contact (R-V1): the customer is chosen by code on the log's page, given on the customer's."""
    customer = StringField(_l("Customer code"), filters=[blank_to_none], validators=[Length(max=12)])
    channel = SelectField(_l("How"), choices=Channel.choices, default=Channel.PHONE)
    purpose = SelectField(_l("Purpose"), choices=Purpose.choices, default=Purpose.REVISIT)
    at = DateTimeLocalField(_l("When"), validators=[Optional(), WORKING_YEARS])
    contact_id = SelectField(_l("Contact person"), coerce=_optional_int, validate_choice=False,
                             validators=[Optional()])
    contact_name = StringField(_l("Or another person"), filters=[blank_to_none], validators=[Length(max=80)])
    notes = TextAreaField(_l("What was discussed"), validators=[DataRequired(_l("Say what was discussed.")),
                                                              Length(max=5000)])
    outcome = StringField(_l("Outcome"), filters=[blank_to_none], validators=[Length(max=300)])
    satisfaction = SelectField(_l("Satisfaction"), choices=satisfaction_choices, validate_choice=False)


class VisitOutcomeForm(PortalForm, NextActionMixin):
    """A planned visit that took place, logged."""
    notes = TextAreaField(_l("What was discussed"), validators=[DataRequired(_l("Say what was discussed.")),
                                                              Length(max=5000)])
    outcome = StringField(_l("Outcome"), filters=[blank_to_none], validators=[Length(max=300)])
    satisfaction = SelectField(_l("Satisfaction"), choices=satisfaction_choices, validate_choice=False)
    version = HiddenField()


class VisitForm(PortalForm):
    customer = StringField(_l("Customer code"), validators=[DataRequired(_l("Enter the customer's code.")),
                                                            Length(max=12)])
    agent_id = SelectField(_l("Agent"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    starts_at = DateTimeLocalField(_l("Starts"), validators=[InputRequired(_l("Enter when the visit starts.")),
                                                             WORKING_YEARS])
    ends_at = DateTimeLocalField(_l("Ends"), validators=[InputRequired(_l("Enter when the visit ends.")),
                                                         WORKING_YEARS])
    purpose = SelectField(_l("Purpose"), choices=Purpose.choices, default=Purpose.REVISIT)
    place = StringField(_l("Place"), filters=[blank_to_none], validators=[Length(max=300)])
    contact_id = SelectField(_l("Contact person"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    agenda = TextAreaField(_l("Agenda"), filters=[blank_to_none], validators=[Length(max=5000)])
    version = HiddenField()


class CancelForm(PortalForm):
    reason = StringField(_l("Why"), validators=[DataRequired(_l("Say why the visit is cancelled.")),
                                                Length(max=300)])
    version = HiddenField()


class AttemptForm(PortalForm):
    """One try to bring a dormant customer back (R-V3)."""
    channel = SelectField(_l("How"), choices=lambda: Channel.options([Channel.PHONE, Channel.VISIT, Channel.CHAT,
                                                                      Channel.EMAIL]), default=Channel.PHONE)
    contact_id = SelectField(_l("Contact person"), coerce=_optional_int, validate_choice=False,
                             validators=[Optional()])
    notes = TextAreaField(_l("What was said"), validators=[DataRequired(_l("Say what was said.")), Length(max=5000)])
    outcome = SelectField(_l("Outcome"), choices=attempt_outcomes, validate_choice=False)
    next_step = StringField(_l("Next step"), filters=[blank_to_none], validators=[Length(max=300)])
    next_step_on = DateField(_l("Next step on"), validators=[Optional(), WORKING_YEARS])
    starts_at = DateTimeLocalField(_l("Visit starts"), validators=[Optional(), WORKING_YEARS])
    ends_at = DateTimeLocalField(_l("Visit ends"), validators=[Optional(), WORKING_YEARS])
    place = StringField(_l("Place"), filters=[blank_to_none], validators=[Length(max=300)])
    version = HiddenField()


class CaseForm(PortalForm):
    """A complaint received (R-V6)."""
    customer = StringField(_l("Customer code"), validators=[DataRequired(_l("Enter the customer's code.")),
                                                            Length(max=12)])
    channel = SelectField(_l("Received by"), choices=Channel.choices, default=Channel.PHONE)
    received_at = DateTimeLocalField(_l("Received"), validators=[Optional(), WORKING_YEARS])
    reported_by = StringField(_l("Who complained"), filters=[blank_to_none], validators=[Length(max=80)])
    category = SelectField(_l("About"), choices=Category.choices)
    severity = SelectField(_l("Severity"), choices=Severity.choices, default=Severity.NORMAL)
    summary = StringField(_l("Complaint in a line"), validators=[DataRequired(_l("Say in a line what the customer "
                                                                               "complains about.")),
                                                               Length(max=200)])
    description = TextAreaField(_l("What happened"), filters=[blank_to_none], validators=[Length(max=10000)])
    shipment_ref = StringField(_l("Shipment"), filters=[blank_to_none], validators=[Length(max=30)])
    quote_ref = StringField(_l("Quote"), filters=[blank_to_none], validators=[Length(max=30)])
    owner_id = SelectField(_l("Handler"), coerce=_optional_int, validate_choice=False, validators=[Optional()])


class RespondForm(PortalForm):
    note = TextAreaField(_l("What the customer was told"), validators=[
        DataRequired(_l("Say what the customer was told.")), Length(max=2000)])
    version = HiddenField()


class EvidenceForm(PortalForm):
    file = FileField(_l("File"))
    description = StringField(_l("What it shows"), filters=[blank_to_none], validators=[Length(max=300)])


class ResolveForm(PortalForm):
    root_cause = TextAreaField(_l("Root cause"), validators=[DataRequired(_l("Record the root cause.")),
                                                             Length(max=5000)])
    solution = TextAreaField(_l("Solution"), validators=[DataRequired(_l("Record the solution given.")),
                                                         Length(max=5000)])
    prevention = TextAreaField(_l("Prevention measure"), validators=[
        DataRequired(_l("Record the measure that prevents it happening again.")), Length(max=5000)])
    version = HiddenField()


class ClaimForm(PortalForm):
    claim_state = SelectField(_l("Claim"), choices=ClaimState.choices, default=ClaimState.NONE)
    claim_amount = DecimalField(_l("Amount"), places=2, validators=[
        Optional(), NumberRange(0, 999_999_999_999, _l("Enter an amount from 0 to 999,999,999,999."))])
    claim_currency = SelectField(_l("Currency"), choices=lambda: options([("", "—")] + [(c, c) for c in CURRENCIES]),
                                 filters=[blank_to_none], validate_choice=False)
    version = HiddenField()


class HandlerForm(PortalForm):
    owner_id = SelectField(_l("Handler"), coerce=_optional_int, validate_choice=False,
                           validators=[DataRequired(_l("Choose who handles the case."))])
    version = HiddenField()


class CallbackForm(PortalForm):
    channel = SelectField(_l("How"), choices=lambda: Channel.options([Channel.PHONE, Channel.VISIT, Channel.CHAT,
                                                                      Channel.EMAIL]), default=Channel.PHONE)
    satisfaction = SelectField(_l("Satisfaction"), choices=lambda: satisfaction_choices()[1:], validate_choice=False)
    note = TextAreaField(_l("What the customer said"), validators=[DataRequired(_l("Say what the customer said.")),
                                                                   Length(max=2000)])
    version = HiddenField()


class ActionRowForm(Form):
    text = StringField(_l("Action"), validators=[Length(max=300)])
    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validate_choice=False, validators=[Optional()])
    due_on = DateField(_l("Due"), validators=[Optional(), WORKING_YEARS])


class MeetingForm(PortalForm):
    """An operations review meeting (seed 002) and its action items."""
    customer = StringField(_l("Customer code"), validators=[DataRequired(_l("Enter the customer's code.")),
                                                            Length(max=12)])
    held_at = DateTimeLocalField(_l("Held"), validators=[Optional(), WORKING_YEARS])
    place = StringField(_l("Place"), filters=[blank_to_none], validators=[Length(max=300)])
    attendees_ours = StringField(_l("Our attendees"), filters=[blank_to_none], validators=[Length(max=500)])
    attendees_customer = StringField(_l("The customer's attendees"), filters=[blank_to_none],
                                     validators=[Length(max=500)])
    minutes = TextAreaField(_l("Minutes"), validators=[DataRequired(_l("Write the minutes of the meeting.")),
                                                       Length(max=20000)])
    satisfaction = SelectField(_l("Satisfaction"), choices=satisfaction_choices, validate_choice=False)
    actions = FieldList(FormField(ActionRowForm), min_entries=3, max_entries=12)


def _days(label, message):
    return IntegerField(label, validators=[InputRequired(message), NumberRange(1, 730, message)])


class SettingsForm(PortalForm):
    """R-V2/R-V3: the cadence per grade and when a customer counts as dormant."""
    contact_a = _days(_l("Contact every (days)"), _l("Contact every 1 to 365 days."))
    revisit_a = _days(_l("Revisit every (days)"), _l("Revisit every 1 to 730 days."))
    version_a = HiddenField()
    contact_b = _days(_l("Contact every (days)"), _l("Contact every 1 to 365 days."))
    revisit_b = _days(_l("Revisit every (days)"), _l("Revisit every 1 to 730 days."))
    version_b = HiddenField()
    contact_c = _days(_l("Contact every (days)"), _l("Contact every 1 to 365 days."))
    revisit_c = _days(_l("Revisit every (days)"), _l("Revisit every 1 to 730 days."))
    version_c = HiddenField()
    contact_d = _days(_l("Contact every (days)"), _l("Contact every 1 to 365 days."))
    revisit_d = _days(_l("Revisit every (days)"), _l("Revisit every 1 to 730 days."))
    version_d = HiddenField()
    dormant_days = IntegerField(_l("Dormant after (days without a shipment, quote or contact)"), validators=[
        InputRequired(_l("A customer counts as dormant after 30 to 1,095 days without activity.")),
        NumberRange(30, 1095, _l("A customer counts as dormant after 30 to 1,095 days without activity."))])
    version = HiddenField()


class GreetForm(PortalForm):
    contact_id = HiddenField()
    occasion = HiddenField()
    channel = SelectField(_l("Sent by"), choices=lambda: Channel.options([Channel.CHAT, Channel.EMAIL, Channel.PHONE,
                                                                          Channel.VISIT]), default=Channel.CHAT)
    text = TextAreaField(_l("Greeting"), validators=[DataRequired(_l("Write the greeting.")), Length(max=2000)])


class HandOverForm(PortalForm):
    receiver_id = SelectField(_l("Hand over to"), coerce=_optional_int, validate_choice=False,
                              validators=[DataRequired(_l("Choose a colleague."))])
