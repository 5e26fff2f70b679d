"""Routes that belong to no feature: the front door, the health check, the navigation counts."""
import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from portal.core import nav
from portal.core.htmx import render_fragment
from portal.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def home():
    return redirect(url_for("customers.index"))


@bp.get("/nav/counts")
@login_required
def nav_counts():
    """The navigation's counts as out-of-band swaps into the layout's placeholders."""
    fresh = request.args.get("fresh") == "1"
    return render_fragment("layouts/_nav_counts.html", counts=nav.counts_for(current_app, current_user, fresh))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
