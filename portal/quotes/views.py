"""Quotes: history and search, the quote editor, approval queue, the customer's quotation, exports."""
import csv
import io
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext as _
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.rules import staff_owners
from portal.core.database import parse_id
from portal.core.forms import options, save_form
from portal.core.htmx import redirect_to, render, render_fragment, trigger
from portal.core.i18n import local_to_utc, utc_to_local
from portal.core.policy import can, require
from portal.core.rules import RuleViolation, StaleRecord
from portal.core.timeutil import utcnow
from portal.core.urls import date_arg, text_arg
from portal.customers.models import Contact, Customer
from portal.extensions import db
from portal.quotes import rules
from portal.quotes.forms import QuoteForm, mode_label
from portal.quotes.models import FollowUp, Quote, Status
from portal.quotes.reference import (BASIS_BY_CODE, CARRIER_BY_CODE, CARRIERS, CHARGE_BY_CODE, CONTAINER_TYPES, PORTS,
                                     localized_name, port_name as reference_port_name)

bp = Blueprint("quotes", __name__, url_prefix="/quotes")


def _name(items_by_code: dict, code: str | None, lang: str | None = None) -> str:
    """A reference item's name in lang (default: the viewer's language); the code when unknown."""
    item = items_by_code.get(code or "")
    return localized_name(item, lang or str(get_locale())) if item else (code or "")


@bp.app_template_global()
def port_name(code, lang=None):
    return reference_port_name(code, lang or str(get_locale()))


@bp.app_template_global()
def charge_name(code, lang=None):
    return _name(CHARGE_BY_CODE, code, lang)


@bp.app_template_global()
def basis_name(code, lang=None):
    return _name(BASIS_BY_CODE, code, lang)


@bp.app_template_global()
def carrier_name(code, lang=None):
    return _name(CARRIER_BY_CODE, code, lang) if code else ""


@bp.app_template_global()
def container_options():
    return [(c.code, c.code) for c in CONTAINER_TYPES]


@bp.app_template_global()
def carrier_options():
    return [(c.code, _name(CARRIER_BY_CODE, c.code)) for c in CARRIERS]
bp.add_app_template_global(rules.status_label)
bp.add_app_template_global(rules.response_too_slow)
bp.add_app_template_global(rules.totals, "quote_totals")
bp.add_app_template_global(rules.line_amount, "quote_line_amount")
bp.add_app_template_global(mode_label)
bp.add_app_template_global(lambda: PORTS, "ports_list")


@bp.app_context_processor
def approvals_badge():
    if current_user.is_authenticated and can(current_user, "quotes.approve"):
        return {"quotes_pending": rules.pending_count()}
    return {"quotes_pending": 0}


def _quote_or_404(quote_id: int) -> Quote:
    return rules.load_quote(quote_id) or abort(404)


def _filters() -> rules.QuoteFilters:
    code = text_arg("customer", 12).upper()
    customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == code)) if code else None
    return rules.QuoteFilters(
        q=text_arg("q"), customer_id=(customer_id or -1) if code else None,
        pol=text_arg("pol", 5).upper() or None, pod=text_arg("pod", 5).upper() or None,
        container_type=text_arg("container_type", 8) or None, carrier=text_arg("carrier", 10) or None,
        status=text_arg("status", 12) or None, agent_id=parse_id(request.args.get("agent")),
        date_from=date_arg("from"), date_to=date_arg("to"))


@bp.get("")
@login_required
def index():
    require("quotes.list")
    rules.expire_overdue(utcnow().date())
    db.session.commit()
    filters = _filters()
    after = request.args.get("after")
    page = rules.history(filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, after=after, agents=staff_owners(),
                   customer_code=text_arg("customer", 12).upper(), statuses=Status.ALL,
                   follow_ups=rules.follow_ups_due(current_user, utcnow() + timedelta(hours=12)),
                   decisions=rules.my_recent_decisions(current_user) if can(current_user, "quotes.create") else [],
                   now=utcnow())
    if after:
        return render("quotes/index.html", "quotes/_rows.html", **context)
    return render("quotes/index.html", "quotes/_results.html", **context)


def _customer_contacts(customer_id):
    return db.session.scalars(sa.select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.name)).all()


def _prepare(form: QuoteForm, customer_id=None):
    contacts = _customer_contacts(customer_id) if customer_id else []
    form.contact_id.choices = options([("", "—")] + [(c.id, c.name) for c in contacts])


def _values(form: QuoteForm) -> dict:
    customer = db.session.scalar(sa.select(Customer).where(Customer.code == form.customer_code.data))
    if customer is None:
        raise RuleViolation(_("No customer has this code."), "customer_code")
    contact_id = parse_id(form.contact_id.data)
    if contact_id and db.session.scalar(sa.select(Contact.customer_id).where(Contact.id == contact_id)) != customer.id:
        contact_id = None
    values = {f: getattr(form, f).data for f in rules.QUOTE_FIELDS if hasattr(form, f) and f not in ("customer_id", "contact_id")}
    values.update(customer_id=customer.id, contact_id=contact_id, inquiry_at=local_to_utc(form.inquiry_at.data),
                  carrier=form.carrier.data or None, container_type=form.container_type.data or None,
                  incoterm=form.incoterm.data or None, dg_class=form.dg_class.data or None,
                  un_number=form.un_number.data or None, notes=form.notes.data or "", remarks=form.remarks.data or "")
    return values


def _editor(form, quote, status):
    lane = rules.lane_prices(form.pol.data, form.pod.data, form.container_type.data or None,
                             exclude_id=quote.id if quote else None) if form.pol.data and form.pod.data else []
    return render("quotes/form.html", "quotes/_form.html", status, form=form, quote=quote, lane=lane, editing=True)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require("quotes.create")
    form = QuoteForm()
    if request.method == "GET":
        form.inquiry_at.data = utc_to_local(utcnow()).replace(second=0, microsecond=0)
        form.valid_until.data = utcnow().date() + timedelta(days=14)
        code = text_arg("customer", 12).upper()
        if code:
            form.customer_code.data = code
    customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == form.customer_code.data)) \
        if form.customer_code.data else None
    _prepare(form, customer_id)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            quote = rules.create_quote(current_user, _values(form), form.line_values())
        except RuleViolation as violation:
            db.session.rollback()
            form.add_rule_error(violation)
        else:
            db.session.commit()
            flash(_("Quote %(number)s saved as a draft.", number=quote.number), "success")
            return redirect_to(url_for("quotes.detail", quote_id=quote.id))
    return _editor(form, None, status)


@bp.route("/<id:quote_id>/edit", methods=["GET", "POST"])
@login_required
def edit(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.edit", quote)
    if quote.status not in (Status.DRAFT, Status.RETURNED, Status.APPROVED, Status.PENDING) or not quote.is_current:
        flash(_("A sent quote is changed by making a new revision."), "error")
        return redirect_to(url_for("quotes.detail", quote_id=quote.id))
    form = QuoteForm(obj=quote if request.method == "GET" else None)
    if request.method == "GET":
        form.customer_code.data = quote.customer.code
        form.contact_id.data = str(quote.contact_id or "")
        form.inquiry_at.data = utc_to_local(quote.inquiry_at)
    _prepare(form, quote.customer_id)
    status = save_form(form, lambda: rules.update_quote(current_user, quote, form.version.data, _values(form),
                                                        form.line_values()))
    if status is None:
        flash(_("Quote %(number)s saved.", number=quote.label), "success")
        return redirect_to(url_for("quotes.detail", quote_id=quote.id))
    return _editor(form, quote, status)


@bp.post("/lines")
@login_required
def lines():
    """The charge lines again, with one more row or one less (the editor posts its lines here)."""
    require("quotes.create")
    form = QuoteForm()
    _prepare(form)
    remove = request.args.get("remove", "")
    if remove.isascii() and remove.isdigit() and len(remove) < 3:
        if int(remove) < len(form.lines) and len(form.lines) > 1:
            form.lines.entries.pop(int(remove))
    elif len(form.lines) < 40:
        form.lines.append_entry()
    return render_fragment("quotes/_lines.html", form=form)


@bp.get("/contacts")
@login_required
def contacts():
    require("quotes.create")
    code = text_arg("customer_code", 12).upper()
    customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == code)) if code else None
    form = QuoteForm(formdata=None)
    _prepare(form, customer_id)
    return render_fragment("quotes/_contact_select.html", form=form, known=customer_id is not None, code=code)


@bp.get("/lane")
@login_required
def lane():
    require("quotes.list")
    pol, pod = text_arg("pol", 5).upper(), text_arg("pod", 5).upper()
    container_type = text_arg("container_type", 8) or None
    prices = rules.lane_prices(pol, pod, container_type) if pol and pod else []
    return render_fragment("quotes/_lane.html", lane=prices, pol=pol, pod=pod, editing=True)


@bp.get("/<id:quote_id>")
@login_required
def detail(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    return render("quotes/detail.html", "quotes/detail.html", quote=quote, totals=rules.totals(quote),
                  revisions=rules.revisions(quote), lane=rules.lane_prices(quote.pol, quote.pod, quote.container_type,
                                                                            exclude_id=quote.id),
                  reasons=rules.approval_reasons(quote, quote.agent), released=rules.is_released(quote), now=utcnow())


def _action(quote_id: int, permission: str, action, success: str, target=None):
    quote = _quote_or_404(quote_id)
    require(permission, quote)
    try:
        result = action(quote)
    except (RuleViolation, StaleRecord) as violation:
        db.session.rollback()
        flash(violation.message, "error")
        if request.htmx:
            return make_response("", 409)
        return redirect_to(url_for("quotes.detail", quote_id=quote_id))
    db.session.commit()
    flash(success, "success")
    return redirect_to(target(result) if target else url_for("quotes.detail", quote_id=quote_id))


def _version():
    return request.form.get("version")


@bp.post("/<id:quote_id>/submit")
@login_required
def submit(quote_id: int):
    return _action(quote_id, "quotes.edit", lambda q: rules.submit_for_approval(current_user, q),
                   _("Submitted for approval. You will see the supervisor's decision here."))


@bp.post("/<id:quote_id>/send")
@login_required
def send(quote_id: int):
    return _action(quote_id, "quotes.edit", lambda q: rules.send(current_user, q, _version()),
                   _("Quote marked as sent; follow-ups are scheduled."))


@bp.post("/<id:quote_id>/won")
@login_required
def won(quote_id: int):
    return _action(quote_id, "quotes.edit", lambda q: rules.mark_won(current_user, q, _version()),
                   _("Quote won."))


@bp.post("/<id:quote_id>/lost")
@login_required
def lost(quote_id: int):
    return _action(quote_id, "quotes.edit",
                   lambda q: rules.mark_lost(current_user, q, request.form.get("reason", "")[:300], _version()),
                   _("Quote marked as lost."))


@bp.post("/<id:quote_id>/duplicate")
@login_required
def duplicate(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    return _action(quote_id, "quotes.create", lambda q: rules.duplicate(current_user, q),
                   _("Copied into a new draft."), target=lambda copy: url_for("quotes.edit", quote_id=copy.id))


@bp.post("/<id:quote_id>/revise")
@login_required
def revise(quote_id: int):
    return _action(quote_id, "quotes.edit", lambda q: rules.revise(current_user, q),
                   _("New revision started; the sent one stays as it was."),
                   target=lambda copy: url_for("quotes.edit", quote_id=copy.id))


@bp.get("/approvals")
@login_required
def approvals():
    require("quotes.approve")
    pending = rules.pending_approvals()
    lanes = rules.lane_prices_for(pending)
    return render("quotes/approvals.html", "quotes/approvals.html", pending=pending, lanes=lanes,
                  totals={q.id: rules.totals(q) for q in pending})


@bp.post("/<id:quote_id>/decide")
@login_required
def decide(quote_id: int):
    require("quotes.approve")
    quote = _quote_or_404(quote_id)
    approve = request.form.get("decision") == "approve"
    comment = (request.form.get("comment") or "")[:2000]
    try:
        rules.decide(current_user, quote, approve, comment, request.form.get("version"))
    except RuleViolation as violation:  # StaleRecord included
        db.session.rollback()
        if not request.htmx:
            flash(violation.message, "error")
            return redirect_to(url_for("quotes.approvals"))
        quote = _quote_or_404(quote_id)
        body, status = render_fragment("quotes/_approval.html", 409 if isinstance(violation, StaleRecord) else 422,
                                       q=quote, lane=rules.lane_prices(quote.pol, quote.pod, quote.container_type,
                                                                       exclude_id=quote.id, limit=3),
                                       totals=rules.totals(quote), error=violation.message, comment=comment)
        return make_response(body, status)
    db.session.commit()
    flash(_("Quote %(number)s approved.", number=quote.label) if approve
          else _("Quote %(number)s returned to %(name)s.", number=quote.label, name=quote.agent.display_name), "success")
    if not request.htmx:
        return redirect_to(url_for("quotes.approvals"))
    # The decided card leaves the queue; the navigation badge (and, once empty, the queue) refresh.
    count = rules.pending_count()
    body = render_template("quotes/_badge.html", quotes_pending=count, oob=True)
    if count == 0:
        body += render_template("quotes/_queue_empty.html", oob=True)
    return trigger(make_response(body, 200), "quoteDecided")


@bp.get("/<id:quote_id>/quotation")
@login_required
def quotation(quote_id: int):
    """The customer's quotation, printable, in the customer's language; internal values are not in it."""
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    try:
        view = rules.customer_quotation(quote)
    except RuleViolation as violation:
        flash(violation.message, "error")
        return redirect_to(url_for("quotes.detail", quote_id=quote.id))
    lang = request.args.get("lang") if request.args.get("lang") in ("en", "zh_Hant", "zh_Hans") else view.locale
    with force_locale(lang):
        return render_template("quotes/quotation.html", q=view, lang=lang)


@bp.post("/follow-ups/<id:follow_up_id>/done")
@login_required
def follow_up_done(follow_up_id: int):
    require("quotes.create")
    follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
    if follow_up.agent_id != current_user.id and not can(current_user, "quotes.approve"):
        abort(403)
    try:
        rules.finish_follow_up(current_user, follow_up, request.form.get("note", ""))
    except RuleViolation as violation:
        db.session.rollback()
        flash(violation.message, "error")
    else:
        db.session.commit()
        flash(_("Follow-up done."), "success")
    return redirect_to(url_for("quotes.index"))


EXPORT_COLUMNS = ("number", "revision", "status", "customer", "agent", "inquiry_at", "sent_at", "response_minutes",
                  "mode", "pol", "pod", "carrier", "container_type", "container_qty", "commodity", "currency",
                  "receivable_total", "valid_until")
INTERNAL_COLUMNS = ("cost_total", "margin")


def _export_rows(internal: bool):
    quotes = rules.filtered(_filters())
    header = list(EXPORT_COLUMNS) + (list(INTERNAL_COLUMNS) if internal else [])
    yield header
    for q in quotes:
        sums = rules.totals(q).get(q.currency, rules.Totals())
        row = [q.number, q.revision, q.status, q.customer.code, q.agent.username, q.inquiry_at.isoformat(),
               q.sent_at.isoformat() if q.sent_at else "", round(q.response_seconds / 60, 1) if q.response_seconds else "",
               q.mode, q.pol, q.pod, q.carrier or "", q.container_type or "", q.container_qty or "", q.commodity,
               q.currency, sums.receivable, q.valid_until.isoformat()]
        if internal:
            row += [sums.cost, sums.margin]
        yield row


@bp.get("/export.csv")
@login_required
def export_csv():
    require("quotes.list")
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _export_rows(can(current_user, "quotes.internal")):
        writer.writerow(row)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=quotes.csv"})


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    require("quotes.list")
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Quotes")
    for row in _export_rows(can(current_user, "quotes.internal")):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), headers={"Content-Disposition": "attachment; filename=quotes.xlsx"},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/impact")
@login_required
def impact():
    require("quotes.list")
    carrier = text_arg("carrier", 10) or None
    pol, pod = text_arg("pol", 5).upper() or None, text_arg("pod", 5).upper() or None
    shipper = text_arg("shipper", 160) or None
    affected = rules.impacted_quotes(carrier, pol, pod, shipper)
    return render("quotes/impact.html", "quotes/_impact_results.html", affected=affected, carrier=carrier, pol=pol,
                  pod=pod, shipper=shipper, asked=bool(carrier or pol or pod or shipper))
