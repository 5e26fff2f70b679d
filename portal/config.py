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
        "PORTAL_COMPANY_NAME": os.environ.get("PORTAL_COMPANY_NAME", ""),
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
    }
