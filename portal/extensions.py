"""Flask extensions, created unbound; create_app binds them. Imports no feature."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming))
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
compress = Compress()
# Per-address limits on the public pages (storage from RATELIMIT_STORAGE_URI; no default limits:
# a route opts in with @limiter.limit).
limiter = Limiter(key_func=get_remote_address)
