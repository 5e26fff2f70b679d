from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional

from portal.core.forms import PortalForm


class CompanyForm(PortalForm):
    name_en = StringField(_l("Name in English"), validators=[Length(max=160)])
    name_zh_hant = StringField(_l("Name in Traditional Chinese"), validators=[Length(max=160)])
    name_zh_hans = StringField(_l("Name in Simplified Chinese"), validators=[Length(max=160)])
    address_en = TextAreaField(_l("Address in English"), validators=[Length(max=300)])
    address_zh_hant = TextAreaField(_l("Address in Traditional Chinese"), validators=[Length(max=300)])
    address_zh_hans = TextAreaField(_l("Address in Simplified Chinese"), validators=[Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")),
                                                 Length(max=254)])
    website = StringField(_l("Website"), validators=[Length(max=200)])
    version = HiddenField()

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name_en", "name_zh_hant", "name_zh_hans", "address_en", "address_zh_hant", "address_zh_hans", "phone",
            "email", "website")}


class LogoForm(PortalForm):
    logo = FileField(_l("Logo (PNG or JPEG, up to 512 KB)"))
