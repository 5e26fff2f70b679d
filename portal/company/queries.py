"""The company's details as documents read them: the admin's settings, else the environment."""
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.company.models import TEXT_FIELDS, CompanyProfile
from portal.extensions import db

# The environment's say until an admin sets the details (PORTAL_COMPANY_PHONE falls back to the
# customer-service line, PORTAL_CS_PHONE, and the e-mail likewise).
ENVIRONMENT = {"name_en": "PORTAL_COMPANY_NAME", "name_zh_hant": "PORTAL_COMPANY_NAME_ZH_HANT",
               "name_zh_hans": "PORTAL_COMPANY_NAME_ZH_HANS", "address_en": "PORTAL_COMPANY_ADDRESS",
               "address_zh_hant": "PORTAL_COMPANY_ADDRESS_ZH_HANT", "address_zh_hans": "PORTAL_COMPANY_ADDRESS_ZH_HANS",
               "phone": "PORTAL_COMPANY_PHONE", "email": "PORTAL_COMPANY_EMAIL", "website": "PORTAL_COMPANY_WEBSITE"}
REQUIRED = ("name_en", "address_en", "phone")


@dataclass(frozen=True)
class Company:
    values: dict = field(default_factory=dict)
    logo_sha256: str | None = None
    logo_type: str | None = None

    def _in(self, stem: str, locale) -> str:
        order = {"zh_Hant": ("zh_hant", "zh_hans", "en"), "zh_Hans": ("zh_hans", "zh_hant", "en")}
        for suffix in order.get(str(locale or "en"), ("en", "zh_hant", "zh_hans")):
            if self.values.get(f"{stem}_{suffix}"):
                return self.values[f"{stem}_{suffix}"]
        return ""

    def name(self, locale=None) -> str:
        """The company's name in the locale's language (English when it has none in that one)."""
        return self._in("name", locale)

    def address(self, locale=None) -> str:
        return self._in("address", locale)

    @property
    def phone(self) -> str:
        return self.values.get("phone", "")

    @property
    def email(self) -> str:
        return self.values.get("email", "")

    @property
    def website(self) -> str:
        return self.values.get("website", "")

    @property
    def missing(self) -> list[str]:
        """The details a document needs that nobody has set."""
        return [f for f in REQUIRED if not self.values.get(f)]

    @property
    def is_set(self) -> bool:
        return not self.missing


def stored() -> CompanyProfile | None:
    return db.session.scalar(sa.select(CompanyProfile).order_by(CompanyProfile.id).limit(1))


def company() -> Company:
    """The company's details: what an admin set, else what the environment says."""
    config = current_app.config
    row = stored()
    values = {}
    for name in TEXT_FIELDS:
        value = getattr(row, name, "") if row is not None else ""
        values[name] = value or config.get(ENVIRONMENT[name], "") or ""
    values["phone"] = values["phone"] or config.get("PORTAL_CS_PHONE", "")
    values["email"] = values["email"] or config.get("PORTAL_CS_EMAIL", "")
    return Company(values, row.logo_sha256 if row else None, row.logo_type if row else None)


def logo_folder() -> Path:
    return Path(current_app.instance_path) / "company"
