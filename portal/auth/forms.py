from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.auth.models import Team
from portal.core.forms import WORKING_YEARS, PortalForm, blank_to_none, options
from portal.core.i18n import Language, zone_choices
from portal.core.policy import Role

USERNAME = Regexp(r"^[a-z0-9][a-z0-9._-]{1,39}$",
                  message=_l("Use 2 to 40 lower-case letters, digits, dots, dashes or underscores."))


def team_choices():
    return Team.options(blank=_l("No team"))


class LoginForm(PortalForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)])
    next = HiddenField()


class LanguageForm(PortalForm):
    lang = SelectField(_l("Language"), choices=Language.choices)
    next = HiddenField()


class UserForm(PortalForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name colleagues know this person by.")), Length(max=80)])
    email = EmailField(_l("E-mail"), filters=[blank_to_none],
                       validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    phone = StringField(_l("Phone (direct line or extension)"), filters=[blank_to_none], validators=[Length(max=40)])
    role = SelectField(_l("Role"), choices=Role.choices, validators=[DataRequired(_l("Choose a role."))])
    is_new_hire = BooleanField(_l("New hire (quotes wait for a supervisor)"))
    probation_ends_on = DateField(_l("Probation ends on"), validators=[Optional(), WORKING_YEARS])
    team = SelectField(_l("Team"), choices=team_choices, default="")
    locale = SelectField(_l("Language"), choices=Language.choices)
    timezone = SelectField(_l("Time zone"), choices=lambda: options(zone_choices()))
    active = BooleanField(_l("Active (may log in)"), default=True)
    version = HiddenField()

    def values(self) -> dict:
        values = {f: getattr(self, f).data for f in ("display_name", "email", "phone", "role", "is_new_hire",
                                                     "probation_ends_on", "team", "locale", "timezone", "active")}
        values["team"] = values["team"] or None
        return values


class NewUserForm(UserForm):
    username = StringField(_l("Username"), filters=[lambda v: v.lower() if isinstance(v, str) else v],
                           validators=[DataRequired(_l("Enter a username.")), USERNAME])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(_l("Enter a password.")), Length(min=10, max=128, message=_l("Use 10 to 128 characters."))])


class PasswordResetForm(PortalForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a password.")), Length(min=10, max=128, message=_l("Use 10 to 128 characters."))])
