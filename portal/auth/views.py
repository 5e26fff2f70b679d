"""Login, logout, the language choice, and the admin screens for users."""
import secrets

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from htmx_flask import make_response

from portal.auth import rules
from portal.auth.holdings import holdings_for, holdings_of
from portal.auth.forms import LanguageForm, LoginForm, NewUserForm, PasswordResetForm, UserForm
from portal.auth.models import User
from portal.core.clock import now
from portal.core.database import parse_id
from portal.core.forms import saved, submit
from portal.core.htmx import redirect_to, render, render_fragment
from portal.core.pagination import keyset_page
from portal.core.policy import require
from portal.core.urls import local_path
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session cookie, if the session is still open: a session opened before the
    user's last logout, password reset, role change or deactivation is refused."""
    user_part, _dot, epoch_part = (session_id or "").partition(".")
    user_id, epoch = parse_id(user_part), parse_id(epoch_part)
    user = db.session.get(User, user_id) if user_id and epoch else None
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    target = request.full_path if request.method == "GET" else request.referrer or ""
    if request.htmx:
        target = request.htmx.current_url or target
        return make_response("", 401, redirect=url_for("auth.login", next=local_path(target)))
    return redirect(url_for("auth.login", next=local_path(target)))


def enforce_idle_timeout():
    """Log out a session left idle longer than IDLE_TIMEOUT."""
    if not current_user.is_authenticated:
        return None
    moment = now().timestamp()
    last = session.get("seen", moment)
    if moment - last > current_app.config["IDLE_TIMEOUT"].total_seconds():
        logout_user()
        session.clear()
        flash(_("You were logged out after a period of inactivity."), "info")
        return login_manager.unauthorized()
    # Write the cookie at most once a minute, not on every request.
    if moment - last > 60 or "seen" not in session:
        session["seen"] = moment
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The one post outside core.forms.submit: a refused login is committed, not rolled back,
    because throttling counts it."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next"))
        return render("auth/login.html", "auth/login.html", form=form)
    if not form.validate_on_submit():
        return render("auth/login.html", "auth/login.html", 422, form=form)
    try:
        user = rules.authenticate(form.username.data, form.password.data, request.remote_addr)
    except rules.LoginRefused as refused:
        db.session.commit()  # keep the failed attempt: throttling counts it
        form.form_errors.append(refused.message)
        return render("auth/login.html", "auth/login.html", 429 if refused.throttled else 401, form=form)
    next_path = local_path(form.next.data)
    lang = session.get("lang")
    # A fresh session at login: nothing from before survives, so a planted session id is useless.
    session.clear()
    session["sid"] = secrets.token_urlsafe(16)
    session["seen"] = now().timestamp()
    if lang and not user.locale:
        user.locale = lang
    login_user(user)
    session.permanent = True
    db.session.commit()
    return redirect(next_path or url_for("core.home"), 303)


@bp.post("/logout")
def logout():
    """Ends this session and every other open session of the user (a copied cookie included)."""
    if current_user.is_authenticated:
        rules.log_out(db.session.get(User, current_user.id))
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect_to(url_for("auth.login"))


@bp.post("/language")
def language():
    """The header's language switch: remembered for the user (and this browser), then back to the page."""
    form = LanguageForm()

    def remember():
        lang = form.lang.data
        session["lang"] = lang
        if current_user.is_authenticated:
            rules.set_locale(db.session.get(User, current_user.id), lang)

    def back(_result):
        return redirect_to(local_path(form.next.data) or url_for("core.home"))

    return submit(form, remember, done=back, back=local_path(form.next.data) or url_for("core.home"))


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
                  page=page, show_inactive=show_inactive, held=holdings_for([u.id for u in page.items]))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    require("users.manage")
    form = NewUserForm()
    if request.method == "GET":
        form.locale.data = current_app.config["BABEL_DEFAULT_LOCALE"]
        form.timezone.data = current_app.config["PORTAL_TIMEZONE"]
        form.active.data = True
    return submit(
        form, lambda: rules.create_user(current_user, form.username.data, form.password.data, **form.values()),
        done=lambda user: saved(_("User %(name)s created.", name=user.display_name), url_for("auth.users")),
        again=lambda status: render("auth/user_form.html", "auth/_user_form.html", status, form=form, user=None))


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    require("users.manage")
    user = _user_or_404(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    return submit(
        form, lambda: rules.update_user(current_user, user, form.version.data, **form.values()),
        done=lambda _user: saved(_("Changes to %(name)s saved.", name=user.display_name), url_for("auth.users")),
        again=lambda status: render("auth/user_form.html", "auth/_user_form.html", status, form=form, user=user,
                                    reset_form=PasswordResetForm(formdata=None), held=holdings_of(user)))


@bp.post("/admin/users/<id:user_id>/password")
@login_required
def user_password(user_id: int):
    require("users.manage")
    user = _user_or_404(user_id)
    form = PasswordResetForm()

    def done(_result):
        message = _("New password set for %(name)s. Tell them in person, not by e-mail.", name=user.display_name)
        if not request.htmx:
            return saved(message, url_for("auth.user_edit", user_id=user.id))
        flash(message, "success")
        return render_fragment("auth/_password_form.html", user=user, reset_form=PasswordResetForm(formdata=None))

    return submit(form, lambda: rules.reset_password(current_user, user, form.password.data), done=done,
                  again=lambda status: render_fragment("auth/_password_form.html", status, user=user, reset_form=form))

