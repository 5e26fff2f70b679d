"""The company's details (admins) and its logo (public: status pages show it)."""
import io
import re

from flask import Blueprint, abort, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.company import rules
from portal.company.forms import CompanyForm, LogoForm
from portal.company.queries import company, logo_folder, stored
from portal.core.forms import ActionForm, saved, submit
from portal.core.htmx import render
from portal.core.policy import require

bp = Blueprint("company", __name__)


def _page(form, logo_form, status):
    return render("company/form.html", "company/form.html", status, form=form, logo_form=logo_form,
                  profile=stored(), details=company())


@bp.route("/admin/company", methods=["GET", "POST"])
@login_required
def edit():
    require("company.manage")
    profile = stored()
    form = CompanyForm(obj=profile if request.method == "GET" else None)
    if request.method == "GET" and profile is None:   # what the environment says, to start from
        for name, value in company().values.items():
            getattr(form, name).data = value
    return submit(form, lambda: rules.save_profile(current_user, form.version.data, form.values()),
                  done=lambda _p: saved(_("Company details saved."), url_for("company.edit")),
                  again=lambda status: _page(form, LogoForm(formdata=None), status))


@bp.post("/admin/company/logo")
@login_required
def logo_upload():
    require("company.manage")
    form = LogoForm()
    data = b""
    for upload in request.files.values():      # read (one byte more than allowed tells "too large") and closed
        if upload.name == "logo":
            data = upload.read(rules.LOGO_MAX_BYTES + 1)
        upload.close()
    return submit(form, lambda: rules.save_logo(current_user, data),
                  done=lambda _p: saved(_("Logo saved."), url_for("company.edit")),
                  again=lambda status: _page(CompanyForm(obj=stored()), form, status))


@bp.post("/admin/company/logo/remove")
@login_required
def logo_remove():
    require("company.manage")
    form = ActionForm()
    return submit(form, lambda: rules.remove_logo(current_user, form.version.data),
                  done=lambda _r: saved(_("Logo removed."), url_for("company.edit")),
                  back=url_for("company.edit"))


@bp.get("/company/logo/<digest>")
def logo(digest: str):
    """The logo by its SHA-256: cached for a year, as its name changes with it."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        abort(404)
    path = logo_folder() / digest
    if not path.is_file():
        abort(404)
    data = path.read_bytes()    # read and closed at once (512 KB at most)
    kind = rules.logo_type(data)
    if kind is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=kind[0], max_age=365 * 24 * 3600, etag=digest, conditional=True)
