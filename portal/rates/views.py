"""Rate cards: the list with its filters, a rate edited in place with its history, a new rate (or an
agent's channel vetted into one), importing a file with its preview, the pricing permission, and
the port search the editors use."""
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import Blueprint, Response, abort, current_app, flash, request, url_for
from flask_babel import format_date, get_locale, gettext as _
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.models import User
from portal.core import audit
from portal.core.database import parse_id
from portal.core.forms import saved, submit
from portal.core.htmx import is_fragment_request, render, render_fragment, trigger
from portal.core.policy import require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.extensions import db
from portal.rates import files, queries, rules
from portal.rates.forms import (ImportForm, MappingForm, PricingForm, RateForm, carrier_choices, charge_choices,
                                equipment_choices)
from portal.rates.models import Rate, RateSource, RateState
from portal.core.i18n import money
from portal.reference import CARRIER_BY_CODE, CONTAINER_TYPE_BY_CODE, localized_name

bp = Blueprint("rates", __name__, url_prefix="/rates")

CHANGED = "rateChanged"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "rate-card-example.csv"


def weekday_name(day: int | None) -> str:
    if day is None:
        return ""
    return get_day_names("abbreviated", locale=str(get_locale()))[day]


def rate_state(rate: Rate) -> RateState:
    return rules.state_of(rate)


@bp.app_template_global()
def rate_field_label(name: str) -> str:
    return str(files.LABELS.get(name) or {"source": _("Source")}.get(name, name))


@bp.app_template_global()
def rate_value(name: str, value, rate: Rate) -> str:
    """A recorded value of a rate as the reader knows it: money in its currency, dates, weekdays."""
    if value is None or value == "":
        return "—"
    if name in ("buy_rate", "sell_rate", "min_sell_rate"):
        return money(Decimal(value), rate.currency)
    if name in ("valid_from", "valid_to"):
        return format_date(date.fromisoformat(value), "medium")
    if name == "cutoff_weekday":
        return weekday_name(int(value))
    if name == "source":
        return RateSource.label_of(value)
    if name in ("carrier",):
        return localized_name(CARRIER_BY_CODE.get(value), str(get_locale())) or value
    return str(value)


def _rate_or_404(rate_id: int) -> Rate:
    return queries.load_rate(rate_id) or abort(404)


def _filters() -> queries.RateFilters:
    return queries.RateFilters(
        carrier=text_arg("carrier", 10).upper() or None, pol=text_arg("pol", 5).upper() or None,
        pod=text_arg("pod", 5).upper() or None, equipment=text_arg("equipment", 8) or None,
        charge_code=text_arg("charge", 10).upper() or None, state=text_arg("state", 10) or "current",
        source=text_arg("source", 10) or None)


@bp.get("")
@login_required
def index():
    require("rates.view")
    filters = _filters()
    after = request.args.get("after")
    page = queries.rate_list(filters, rules.department_today(), after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, today=rules.department_today())
    if after:
        return render("rates/index.html", "rates/_rows.html", **context)
    if not is_fragment_request():
        context.update(carriers=carrier_choices(_("All")), equipments=equipment_choices(_("All")),
                       charges=charge_choices(_("All")))
    return render("rates/index.html", "rates/_results.html", **context)


def _history_context(rate: Rate) -> dict:
    entries = queries.history(rate)
    return {"entries": entries, "user_names": audit.user_names(entries, "source_agent_id")}


@bp.get("/<id:rate_id>")
@login_required
def detail(rate_id: int):
    """The rate and every change to it; for htmx, its row of the list (after "Cancel")."""
    require("rates.view")
    rate = _rate_or_404(rate_id)
    if is_fragment_request():
        return render_fragment("rates/_row.html", rate=rate, today=rules.department_today())
    return render("rates/detail.html", "rates/detail.html", rate=rate, today=rules.department_today(),
                  **_history_context(rate))


def _prefill(form: RateForm) -> User | None:
    """A new rate from query arguments: a lane seen on a quote, or an agent's channel to vet."""
    args = request.args
    for name in ("carrier", "pol", "pod", "via", "equipment", "charge_code", "currency"):
        value = text_arg(name, 10)
        if value:
            upper = value.upper()
            getattr(form, name).data = value.lower() if name == "equipment" and upper not in CONTAINER_TYPE_BY_CODE \
                else upper
    try:
        form.buy_rate.data = files.read_money(args.get("buy_rate", "")) if args.get("buy_rate") else None
    except ValueError:
        form.buy_rate.data = None
    today = rules.department_today()
    form.valid_from.data = date_arg("valid_from") or today
    form.valid_to.data = date_arg("valid_to") or today + timedelta(days=30)
    agent = _agent(args.get("agent"))
    if agent is not None:
        form.source_agent_id.data = str(agent.id)
    return agent


def _agent(value) -> User | None:
    agent_id = parse_id(value)
    return db.session.get(User, agent_id) if agent_id else None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A rate typed in; with ?agent=, an agent's own channel vetted into a card (handbook #10)."""
    require("rates.maintain")
    form = RateForm()
    agent = _prefill(form) if request.method == "GET" else _agent(form.source_agent_id.data)
    if agent is not None:
        require("rates.adopt")

    def create():
        if agent is not None:
            return rules.adopt_channel(current_user, agent, form.values())
        return rules.create_rate(current_user, form.values())

    return submit(form, create,
                  done=lambda rate: saved(_("Rate saved: %(carrier)s %(pol)s → %(pod)s %(charge)s.", carrier=rate.carrier,
                                            pol=rate.pol, pod=rate.pod, charge=rate.charge_code),
                                          url_for("rates.index", pol=rate.pol, pod=rate.pod)),
                  again=lambda status: render("rates/form.html", "rates/_form.html", status, form=form, rate=None,
                                              agent=agent))


@bp.route("/<id:rate_id>/edit", methods=["GET", "POST"])
@login_required
def edit(rate_id: int):
    """Edit a rate in its row (htmx) or on a page of its own; a save that another overtook is
    refused with what was typed kept (409)."""
    require("rates.maintain")
    rate = _rate_or_404(rate_id)
    form = RateForm(obj=rate if request.method == "GET" else None)

    def done(_changed):
        message = _("Rate saved: %(carrier)s %(pol)s → %(pod)s %(charge)s.", carrier=rate.carrier, pol=rate.pol,
                    pod=rate.pod, charge=rate.charge_code)
        if not is_fragment_request():
            return saved(message, url_for("rates.detail", rate_id=rate.id))
        flash(message, "success")
        body, status = render_fragment("rates/_row.html", rate=_rate_or_404(rate_id), today=rules.department_today())
        return trigger(make_response(body, status), CHANGED)

    def again(status):
        if is_fragment_request():
            return render_fragment("rates/_edit_row.html", status, form=form, rate=rate)
        return render("rates/form.html", "rates/_form.html", status, form=form, rate=rate, agent=None)

    return submit(form, lambda: rules.update_rate(current_user, rate, form.version.data, form.values()),
                  done=done, again=again)


# --- importing a file ----------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a rate file: it is kept with a guessed column mapping and shown for checking first."""
    require("rates.maintain")
    request.max_content_length = files.MAX_BYTES + 64 * 1024
    form = ImportForm()

    def start():
        storage = form.file.data
        if storage is None or not getattr(storage, "filename", ""):
            raise RuleViolation(_("Choose a file to upload."), "file")
        header, rows = files.read_table(storage.filename, storage.read(files.MAX_BYTES + 1))
        return rules.start_import(current_user, storage.filename, header, rows, form.source.data)

    return submit(form, start,
                  done=lambda record: saved(None, url_for("rates.preview", import_id=record.id)),
                  again=lambda status: render("rates/import.html", "rates/_import_form.html", status, form=form,
                                              imports=queries.recent_imports()))


def _import_or_404(import_id: int):
    return queries.import_record(import_id) or abort(404)


def _preview_context(record) -> dict:
    check = rules.check_import(record)
    return dict(record=record, check=check, labels=files.LABELS, fields=files.RATE_FIELDS,
                required=rules.REQUIRED, today=rules.department_today())


@bp.get("/imports/<id:import_id>")
@login_required
def preview(import_id: int):
    """What importing the file would do, and every row that cannot be imported with its reasons."""
    require("rates.maintain")
    record = _import_or_404(import_id)
    return render("rates/preview.html", "rates/_preview.html", form=MappingForm(formdata=None),
                  **_preview_context(record))


@bp.post("/imports/<id:import_id>/mapping")
@login_required
def mapping(import_id: int):
    require("rates.maintain")
    record = _import_or_404(import_id)
    form = MappingForm()
    chosen = [request.form.get(f"column-{i}", "") for i in range(len(record.header))]
    here = url_for("rates.preview", import_id=import_id)
    return submit(form, lambda: rules.set_mapping(current_user, record, form.version.data, chosen),
                  done=lambda _r: saved(_("Columns matched again; check the preview."), here),
                  again=lambda status: render("rates/preview.html", "rates/_preview.html", status, form=form,
                                              **_preview_context(_import_or_404(import_id))))


@bp.post("/imports/<id:import_id>/apply")
@login_required
def apply(import_id: int):
    """Import the whole file, or nothing."""
    require("rates.maintain")
    record = _import_or_404(import_id)
    form = MappingForm()

    def done(record):
        return saved(_("Imported %(file)s: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
                       file=record.file_name, created=record.created, updated=record.updated,
                       unchanged=record.unchanged), url_for("rates.index"))

    return submit(form, lambda: rules.apply_import(current_user, record, form.version.data), done=done,
                  back=url_for("rates.preview", import_id=import_id))


@bp.get("/example.csv")
@login_required
def example():
    """The example rate file of the repository (docs/examples), its dates moved to this month."""
    require("rates.maintain")
    text = EXAMPLE.read_text(encoding="utf-8-sig")
    found = [date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", text)]
    shift = rules.department_today().replace(day=1) - min(found) if found else timedelta(0)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: (date.fromisoformat(m.group(0)) + shift).isoformat(), text)
    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=rate-card-example.csv", "Cache-Control": "no-store"})


# --- the pricing permission -------------------------------------------------------------------------


@bp.get("/pricing")
@login_required
def pricing():
    """Who keeps rate cards besides the supervisors, and who gave or took the permission when."""
    require("rates.pricing")
    entries = queries.pricing_history()
    ids = {e.subject_id for e in entries}
    subjects = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return render("rates/pricing.html", "rates/pricing.html", people=queries.pricing_candidates(), entries=entries,
                  subjects=subjects)


@bp.post("/pricing/<id:user_id>")
@login_required
def pricing_set(user_id: int):
    require("rates.pricing")
    user = db.session.get(User, user_id) or abort(404)
    form = PricingForm()
    allowed = form.allowed.data == "1"

    def done(user):
        return saved(_("%(name)s may now keep rate cards.", name=user.display_name) if allowed
                     else _("%(name)s no longer keeps rate cards.", name=user.display_name), url_for("rates.pricing"))

    return submit(form, lambda: rules.set_pricing(current_user, user, allowed, form.version.data), done=done,
                  back=url_for("rates.pricing"))
