"""The company's details: one row, edited by admins."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.clock import now
from portal.extensions import db

# What customers read, in each of the portal's languages where it is words.
TEXT_FIELDS = ("name_en", "name_zh_hant", "name_zh_hans", "address_en", "address_zh_hant", "address_zh_hans",
               "phone", "email", "website")


class CompanyProfile(db.Model):
    __tablename__ = "company_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(sa.String(160), default="")
    name_zh_hant: Mapped[str] = mapped_column(sa.String(160), default="")
    name_zh_hans: Mapped[str] = mapped_column(sa.String(160), default="")
    address_en: Mapped[str] = mapped_column(sa.String(300), default="")
    address_zh_hant: Mapped[str] = mapped_column(sa.String(300), default="")
    address_zh_hans: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    # The logo: a file in the instance folder named by its SHA-256 (so its URL changes with it).
    logo_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    logo_type: Mapped[str | None] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime] = mapped_column(default=now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
