"""Routes that belong to no feature: the front door, the health check, the language switch."""
import sqlalchemy as sa
from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user, login_required

from portal.config import LANGUAGES
from portal.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.before_app_request
def remember_language_switch():
    """`?lang=` on any page switches the language; it is remembered for the user."""
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        return
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        from portal.auth.rules import set_locale
        set_locale(current_user, lang)
        db.session.commit()


@bp.get("/")
@login_required
def home():
    return redirect(url_for("customers.index"))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
