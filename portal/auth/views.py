"""Login, logout, and the admin screens for users."""
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from htmx_flask import make_response

from portal.auth import rules
from portal.auth.forms import LoginForm, NewUserForm, PasswordResetForm, UserForm
from portal.auth.models import User
from portal.core.database import parse_id
from portal.core.forms import save_form
from portal.core.htmx import redirect_to, render, render_fragment
from portal.core.pagination import keyset_page
from portal.core.policy import require
from portal.core.rules import RuleViolation
from portal.core.timeutil import utcnow
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    user_id = parse_id(user_id)
    user = db.session.get(User, user_id) if user_id else None
    # A deactivated user is logged out at the next request.
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def unauthorized():
    target = request.full_path if request.method == "GET" else request.referrer or ""
    if request.htmx:
        target = request.htmx.current_url or target
        return make_response("", 401, redirect=url_for("auth.login", next=_local_path(target)))
    return redirect(url_for("auth.login", next=_local_path(target)))


def _local_path(url: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


def enforce_idle_timeout():
    """Log out a session left idle longer than IDLE_TIMEOUT."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    last = session.get("seen", now)
    if now - last > current_app.config["IDLE_TIMEOUT"].total_seconds():
        logout_user()
        session.clear()
        flash(_("You were logged out after a period of inactivity."), "info")
        return login_manager.unauthorized()
    # Write the cookie at most once a minute, not on every request.
    if now - last > 60 or "seen" not in session:
        session["seen"] = now
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _local_path(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        try:
            user = rules.authenticate(form.username.data, form.password.data, request.remote_addr)
        except rules.LoginRefused as refused:
            db.session.commit()  # keep the failed attempt: throttling counts it
            form.form_errors.append(refused.message)
            status = 429 if refused.throttled else 401
        else:
            next_path = _local_path(form.next.data)
            lang = session.get("lang")
            # A fresh session at login: nothing from before survives, so a planted session id is useless.
            session.clear()
            session["sid"] = secrets.token_urlsafe(16)
            session["seen"] = utcnow().timestamp()
            if lang and not user.locale:
                user.locale = lang
            login_user(user)
            session.permanent = True
            db.session.commit()
            return redirect(next_path or url_for("core.home"), 303)
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", "auth/login.html", status, form=form)


@bp.post("/logout")
def logout():
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect_to(url_for("auth.login"))


# --- admin: users ---------------------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/admin/users")
@login_required
def users():
    require("users.manage")
    show_inactive = request.args.get("inactive") == "1"
    select = sa.select(User)
    if not show_inactive:
        select = select.where(User.active.is_(True))
    page = keyset_page(select, User.username, User.id, after=request.args.get("after"),
                       size=current_app.config["PAGE_SIZE"])
    return render("auth/users.html", "auth/_user_rows.html" if request.args.get("after") else "auth/users.html",
                  page=page, show_inactive=show_inactive)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    require("users.manage")
    form = NewUserForm()
    if request.method == "GET":
        form.locale.data = current_app.config["BABEL_DEFAULT_LOCALE"]
        form.timezone.data = current_app.config["PORTAL_TIMEZONE"]
        form.active.data = True
    if form.validate_on_submit():
        try:
            user = rules.create_user(current_user, form.username.data, form.password.data, **form.values())
        except RuleViolation as violation:
            db.session.rollback()
            form.add_rule_error(violation)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.display_name), "success")
            return redirect_to(url_for("auth.users"))
    status = 422 if request.method == "POST" else 200
    return render("auth/user_form.html", "auth/_user_form.html", status, form=form, user=None)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    require("users.manage")
    user = _user_or_404(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    status = save_form(form, lambda: rules.update_user(current_user, user, form.version.data, **form.values()))
    if status is None:
        flash(_("Changes to %(name)s saved.", name=user.display_name), "success")
        return redirect_to(url_for("auth.users"))
    return render("auth/user_form.html", "auth/_user_form.html", status, form=form, user=user,
                  reset_form=PasswordResetForm(formdata=None))


@bp.post("/admin/users/<id:user_id>/password")
@login_required
def user_password(user_id: int):
    require("users.manage")
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            rules.reset_password(current_user, user, form.password.data)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_rule_error(violation)
        else:
            db.session.commit()
            flash(_("New password set for %(name)s. Tell them in person, not by e-mail.", name=user.display_name), "success")
            if not request.htmx:
                return redirect_to(url_for("auth.user_edit", user_id=user.id))
            return render_fragment("auth/_password_form.html", user=user, reset_form=PasswordResetForm(formdata=None))
    return render_fragment("auth/_password_form.html", 422, user=user, reset_form=form)
