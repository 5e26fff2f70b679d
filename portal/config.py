"""Settings from the environment, with secure defaults.

The instance/ folder holds what belongs to one installation: the SQLite database and the
generated secret key. Nothing secret is a constant in the code.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance"))

LANGUAGES = ("en", "zh_Hant", "zh_Hans")


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two gunicorn workers starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def from_environment() -> dict:
    instance = INSTANCE
    default_db = f"sqlite:///{instance / 'portal.db'}"
    locale = os.environ.get("PORTAL_DEFAULT_LOCALE", "en")
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "PORTAL_TIMEZONE": os.environ.get("PORTAL_TIMEZONE", "Asia/Taipei"),
        # The company name printed on customer documents (quotations).
        # The company on customers' documents until an admin sets it (/admin/company).
        **{name: os.environ.get(name, "") for name in (
            "PORTAL_COMPANY_NAME", "PORTAL_COMPANY_NAME_ZH_HANT", "PORTAL_COMPANY_NAME_ZH_HANS",
            "PORTAL_COMPANY_ADDRESS", "PORTAL_COMPANY_ADDRESS_ZH_HANT", "PORTAL_COMPANY_ADDRESS_ZH_HANS",
            "PORTAL_COMPANY_PHONE", "PORTAL_COMPANY_EMAIL", "PORTAL_COMPANY_WEBSITE")},
        "BABEL_DEFAULT_LOCALE": locale if locale in LANGUAGES else "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "IDLE_TIMEOUT": timedelta(minutes=_int("PORTAL_IDLE_TIMEOUT_MINUTES", 240)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("PORTAL_SESSION_HOURS", 12)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PORTAL_INSECURE_COOKIES") != "1"
        and os.environ.get("FLASK_DEBUG") != "1",
        "REMEMBER_COOKIE_DURATION": timedelta(0),
        # A tab left open all shift must still be able to post.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # Parse errors are re-worded in PortalForm, in the catalogs of the portal.
        "WTF_I18N_ENABLED": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 500,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int("PORTAL_LOGIN_MAX_FAILURES", 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int("PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LOGIN_THROTTLE_WINDOW": timedelta(minutes=_int("PORTAL_LOGIN_WINDOW_MINUTES", 15)),
        # argon2id parameters (RFC 9106 second recommended option); tests lower them.
        "ARGON2": {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4},
        "PAGE_SIZE": 25,
        # Compressed HTML, CSS, JS and JSON (a list page is a fifth of its size gzipped).
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript", "text/javascript",
                               "application/json", "text/csv"],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIN_SIZE": 1000,
        "COMPRESS_LEVEL": 5,
        "COMPRESS_STREAMS": False,   # exports stream as they are written, uncompressed
        # Shipments: the department's contact on customers' status pages, and the address links
        # in e-mails point to (jobs have no request to take it from).
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", "").rstrip("/"),
        "PORTAL_CS_PHONE": os.environ.get("PORTAL_CS_PHONE", ""),
        "PORTAL_CS_EMAIL": os.environ.get("PORTAL_CS_EMAIL", ""),
        # Outgoing e-mail (notices to customers). No SMTP_HOST: notices are copied by hand.
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        # starttls (default), ssl (implicit TLS, usually port 465) or none (a relay on localhost)
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls").lower(),
        "SMTP_FROM": os.environ.get("SMTP_FROM", ""),
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", 30),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 6),
        # Public status pages are rate-limited per address: in memory by default, in Redis
        # (shared by every worker and server) when REDIS_URL is set.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "portal-limits",
        "STATUS_RATE_LIMIT": os.environ.get("PORTAL_STATUS_RATE_LIMIT", "120 per minute"),
        # Unknown, revoked or expired links count against a much smaller allowance (guessing).
        "STATUS_MISS_LIMIT": os.environ.get("PORTAL_STATUS_MISS_LIMIT", "20 per minute; 100 per hour"),
        # Visits: the country whose public holidays are days off (cadence due dates move past them;
        # empty: the country of PORTAL_TIMEZONE), and the largest complaint evidence file.
        "PORTAL_HOLIDAYS_COUNTRY": os.environ.get("PORTAL_HOLIDAYS_COUNTRY", "").upper(),
        "EVIDENCE_MAX_BYTES": _int("PORTAL_EVIDENCE_MAX_MB", 10) * 1024 * 1024,
    }
