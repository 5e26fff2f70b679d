"""Changes to the company's details and logo (admins)."""
import hashlib

from flask_babel import lazy_gettext as _l

from portal.company.models import TEXT_FIELDS, CompanyProfile
from portal.company.queries import logo_folder, stored
from portal.core import audit
from portal.core.clock import now
from portal.core.rules import RuleViolation, check_version
from portal.extensions import db

LOGO_MAX_BYTES = 512 * 1024
# Raster images only, known by their first bytes (not by the name or the type the browser sent):
# an SVG may carry script, and documents print these.
LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"))


def save_profile(actor, expected_version, fields: dict) -> CompanyProfile:
    profile = stored()
    values = {f: (fields.get(f) or "").strip() for f in TEXT_FIELDS}
    if not (values["name_en"] or values["name_zh_hant"] or values["name_zh_hans"]):
        raise RuleViolation(_l("Enter the company's name in at least one language."), "name_en")
    if profile is None:
        profile = CompanyProfile(**values, updated_at=now())
        db.session.add(profile)
        db.session.flush()
        audit.record(actor, "create", profile, {f: [None, v] for f, v in values.items() if v})
        return profile
    check_version(profile, expected_version)
    before = audit.snapshot(profile, TEXT_FIELDS)
    for name, value in values.items():
        setattr(profile, name, value)
    changes = audit.diff(before, audit.snapshot(profile, TEXT_FIELDS))
    if changes:
        profile.updated_at = now()
        db.session.flush()
        audit.record(actor, "update", profile, changes)
    return profile


def logo_type(data: bytes) -> tuple[str, str] | None:
    for magic, mime, extension in LOGO_TYPES:
        if data.startswith(magic):
            return mime, extension
    return None


def save_logo(actor, data: bytes) -> CompanyProfile:
    """A new logo: PNG or JPEG up to 512 KB, stored under its SHA-256 in the instance folder."""
    if not data:
        raise RuleViolation(_l("Choose a PNG or JPEG file."), "logo")
    if len(data) > LOGO_MAX_BYTES:
        raise RuleViolation(_l("The logo may be at most 512 KB."), "logo")
    kind = logo_type(data)
    if kind is None:
        raise RuleViolation(_l("The logo must be a PNG or JPEG image."), "logo")
    profile = stored()
    if profile is None:
        raise RuleViolation(_l("Save the company's name first, then add its logo."), "logo")
    digest = hashlib.sha256(data).hexdigest()
    folder = logo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / digest).write_bytes(data)
    before = profile.logo_sha256
    profile.logo_sha256, profile.logo_type, profile.updated_at = digest, kind[0], now()
    db.session.flush()
    audit.record(actor, "update", profile, {"logo": [before, digest]})
    return profile


def remove_logo(actor, expected_version) -> None:
    profile = stored()
    if profile is None or not profile.logo_sha256:
        return
    check_version(profile, expected_version)
    audit.record(actor, "update", profile, {"logo": [profile.logo_sha256, None]})
    profile.logo_sha256 = profile.logo_type = None
    db.session.flush()
