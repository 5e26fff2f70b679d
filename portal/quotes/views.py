"""Quotes: history and search, the quote editor, approval queue, the customer's quotation, exports."""
import csv
import io
import tempfile
from datetime import timedelta

from flask import (Blueprint, Response, abort, current_app, flash, render_template, request, stream_with_context,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.rules import book_holders
from portal.config import LANGUAGES
from portal.core.clock import now
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import is_fragment_request, render, render_fragment, trigger
from portal.core.i18n import force_locale, local_to_utc, utc_to_local
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.customers.queries import contact_of, contacts_of, customer_by_code, normal_code
from portal.extensions import db
from portal.quotes import documents, queries, rules
from portal.quotes.forms import DecisionForm, FollowUpForm, LostForm, QuoteForm
from portal.quotes.models import FollowUp, Quote, Status

bp = Blueprint("quotes", __name__, url_prefix="/quotes")


def _quote_or_404(quote_id: int) -> Quote:
    return queries.load_quote(quote_id) or abort(404)


def _filters() -> queries.QuoteFilters:
    return queries.QuoteFilters(
        q=text_arg("q"), customer_code=normal_code(text_arg("customer", 12)) or None,
        pol=text_arg("pol", 5).upper() or None, pod=text_arg("pod", 5).upper() or None,
        container_type=text_arg("container_type", 8) or None, carrier=text_arg("carrier", 10) or None,
        status=text_arg("status", 12) or None, agent_id=parse_id(request.args.get("agent")),
        date_from=date_arg("from"), date_to=date_arg("to"))


@bp.get("")
@login_required
def index():
    require("quotes.list")
    filters = _filters()
    after = request.args.get("after")
    page = queries.history(filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, after=after, statuses=list(Status))
    if after:
        return render("quotes/index.html", "quotes/_rows.html", **context)
    if not is_fragment_request():
        context["agents"] = book_holders()
    return render("quotes/index.html", "quotes/_results.html", **context)


@bp.get("/desk")
@login_required
def desk():
    """The agent's follow-ups due and recent approval decisions, loaded beside the history."""
    require("quotes.list")
    return render_fragment("quotes/_desk.html", now=now(),
                           follow_ups=queries.follow_ups_due(current_user, now() + timedelta(hours=12)),
                           decisions=queries.my_recent_decisions(current_user)
                           if can(current_user, "quotes.create") else [])


def _prepare(form: QuoteForm, customer_id=None):
    contacts = contacts_of(customer_id)
    form.contact_id.choices = options([("", "—")] + [(c.id, c.name) for c in contacts])


def _values(form: QuoteForm) -> dict:
    customer = customer_by_code(form.customer_code.data)
    if customer is None:
        raise RuleViolation(_("No customer has this code."), "customer_code")
    contact = contact_of(customer.id, parse_id(form.contact_id.data))
    values = {f: getattr(form, f).data for f in rules.QUOTE_FIELDS
              if hasattr(form, f) and f not in ("customer_id", "contact_id")}
    values.update(customer_id=customer.id, contact_id=contact.id if contact else None,
                  inquiry_at=local_to_utc(form.inquiry_at.data),
                  carrier=form.carrier.data or None, container_type=form.container_type.data or None,
                  incoterm=form.incoterm.data or None, dg_class=form.dg_class.data or None,
                  un_number=form.un_number.data or None, notes=form.notes.data or "", remarks=form.remarks.data or "")
    return values


def _editor(form, quote, status):
    lane = queries.lane_prices(form.pol.data, form.pod.data, form.container_type.data or None,
                               exclude_id=quote.id if quote else None) if form.pol.data and form.pod.data else []
    return render("quotes/form.html", "quotes/_form.html", status, form=form, quote=quote, lane=lane, editing=True)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require("quotes.create")
    form = QuoteForm()
    if request.method == "GET":
        form.inquiry_at.data = utc_to_local(now()).replace(second=0, microsecond=0)
        form.valid_until.data = now().date() + timedelta(days=14)
        form.customer_code.data = normal_code(text_arg("customer", 12))
    customer = customer_by_code(form.customer_code.data)
    _prepare(form, customer.id if customer else None)
    return submit(form, lambda: rules.create_quote(current_user, _values(form), form.line_values()),
                  done=lambda quote: saved(_("Quote %(number)s saved as a draft.", number=quote.number),
                                           url_for("quotes.detail", quote_id=quote.id)),
                  again=lambda status: _editor(form, None, status))


@bp.route("/<id:quote_id>/edit", methods=["GET", "POST"])
@login_required
def edit(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.edit", quote)
    if not rules.is_editable(quote):
        return saved(_("A sent quote is changed by making a new revision."),
                     url_for("quotes.detail", quote_id=quote.id), "error")
    form = QuoteForm(obj=quote if request.method == "GET" else None)
    if request.method == "GET":
        form.customer_code.data = quote.customer.code
        form.contact_id.data = str(quote.contact_id or "")
        form.inquiry_at.data = utc_to_local(quote.inquiry_at)
    _prepare(form, quote.customer_id)
    return submit(form, lambda: rules.update_quote(current_user, quote, form.version.data, _values(form),
                                                   form.line_values()),
                  done=lambda _q: saved(_("Quote %(number)s saved.", number=quote.label),
                                        url_for("quotes.detail", quote_id=quote.id)),
                  again=lambda status: _editor(form, quote, status))


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
    code = normal_code(text_arg("customer_code", 12))
    customer = customer_by_code(code)
    form = QuoteForm(formdata=None)
    _prepare(form, customer.id if customer else None)
    return render_fragment("quotes/_contact_select.html", form=form, known=customer is not None, code=code)


@bp.get("/lane")
@login_required
def lane():
    require("quotes.list")
    pol, pod = text_arg("pol", 5).upper(), text_arg("pod", 5).upper()
    container_type = text_arg("container_type", 8) or None
    prices = queries.lane_prices(pol, pod, container_type) if pol and pod else []
    return render_fragment("quotes/_lane.html", lane=prices, pol=pol, pod=pod, editing=True)


@bp.get("/<id:quote_id>")
@login_required
def detail(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    return render("quotes/detail.html", "quotes/detail.html", quote=quote, totals=rules.totals(quote),
                  revisions=queries.revisions(quote),
                  lane=queries.lane_prices(quote.pol, quote.pod, quote.container_type, exclude_id=quote.id),
                  reasons=rules.approval_reasons(quote, quote.agent), released=rules.is_released(quote),
                  actions=rules.actions_for(current_user, quote), now=now())


def _quote_action(quote_id: int, permission: str, change, message: str, form=None, target=None):
    """A button on the quote page: the rule runs through the one submit path; a refusal is a toast."""
    quote = _quote_or_404(quote_id)
    require(permission, quote)
    form = form or ActionForm()
    here = url_for("quotes.detail", quote_id=quote_id)
    return submit(form, lambda: change(quote, form), back=here,
                  done=lambda result: saved(message, target(result) if target else here))


@bp.post("/<id:quote_id>/submit")
@login_required
def submit_for_approval(quote_id: int):
    return _quote_action(quote_id, "quotes.edit", lambda q, f: rules.submit_for_approval(current_user, q),
                         _("Submitted for approval. You will see the supervisor's decision here."))


@bp.post("/<id:quote_id>/send")
@login_required
def send(quote_id: int):
    return _quote_action(quote_id, "quotes.edit", lambda q, f: rules.send(current_user, q, f.version.data),
                         _("Quote marked as sent; follow-ups are scheduled."))


@bp.post("/<id:quote_id>/won")
@login_required
def won(quote_id: int):
    return _quote_action(quote_id, "quotes.edit", lambda q, f: rules.mark_won(current_user, q, f.version.data),
                         _("Quote won."))


@bp.post("/<id:quote_id>/lost")
@login_required
def lost(quote_id: int):
    return _quote_action(quote_id, "quotes.edit",
                         lambda q, f: rules.mark_lost(current_user, q, f.reason.data, f.version.data),
                         _("Quote marked as lost."), form=LostForm())


@bp.post("/<id:quote_id>/duplicate")
@login_required
def duplicate(quote_id: int):
    require("quotes.create")
    return _quote_action(quote_id, "quotes.view", lambda q, f: rules.duplicate(current_user, q),
                         _("Copied into a new draft."), target=lambda copy: url_for("quotes.edit", quote_id=copy.id))


@bp.post("/<id:quote_id>/revise")
@login_required
def revise(quote_id: int):
    return _quote_action(quote_id, "quotes.edit", lambda q, f: rules.revise(current_user, q),
                         _("New revision started; the sent one stays as it was."),
                         target=lambda copy: url_for("quotes.edit", quote_id=copy.id))


@bp.get("/approvals")
@login_required
def approvals():
    require("quotes.approve")
    after = request.args.get("after")
    pending = queries.pending_approvals(after)
    return render("quotes/approvals.html", "quotes/_approval_page.html" if after else "quotes/approvals.html",
                  pending=pending, lanes=queries.lane_prices_for(pending.items),
                  totals={q.id: rules.totals(q) for q in pending.items})


@bp.post("/<id:quote_id>/decide")
@login_required
def decide(quote_id: int):
    require("quotes.approve")
    quote = _quote_or_404(quote_id)
    form = DecisionForm()
    approve = form.decision.data == "approve"

    def decided(_decision):
        flash(_("Quote %(number)s approved.", number=quote.label) if approve
              else _("Quote %(number)s returned to %(name)s.", number=quote.label, name=quote.agent.display_name),
              "success")
        if not request.htmx:
            return saved(None, url_for("quotes.approvals"))
        # The decided card leaves the queue; the navigation badge (and, once empty, the queue) refresh.
        body = ""
        if queries.pending_count() == 0:
            body = render_template("quotes/_queue_empty.html", oob=True)
        return trigger(make_response(body, 200), "quoteDecided")

    def card_again(status):
        card = _quote_or_404(quote_id)
        body, status = render_fragment(
            "quotes/_approval.html", status, q=card, form=form, totals=rules.totals(card),
            lane=queries.lane_prices(card.pol, card.pod, card.container_type, exclude_id=card.id, limit=3))
        return make_response(body, status)

    return submit(form, lambda: rules.decide(current_user, quote, approve, form.comment.data, form.version.data),
                  done=decided, again=card_again if request.htmx else None, back=url_for("quotes.approvals"))


@bp.get("/<id:quote_id>/quotation")
@login_required
def quotation(quote_id: int):
    """The customer's quotation, printable, in the customer's language; internal values are not in it."""
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    try:
        view = documents.customer_quotation(quote)
    except RuleViolation as refusal:  # not released to the customer (R-Q1)
        return saved(refusal.message, url_for("quotes.detail", quote_id=quote.id), "error")
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else view.locale
    with force_locale(lang):
        return render_template("quotes/quotation.html", q=view, lang=lang)


@bp.post("/follow-ups/<id:follow_up_id>/done")
@login_required
def follow_up_done(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
    require("quotes.follow_up", follow_up)
    form = FollowUpForm()
    return submit(form, lambda: rules.finish_follow_up(current_user, follow_up, form.note.data),
                  done=lambda _r: saved(_("Follow-up done."), url_for("quotes.index")), back=url_for("quotes.index"))


def _export_rows():
    return queries.export_rows(_filters(), internal=can(current_user, "quotes.internal"))


@bp.get("/export.csv")
@login_required
def export_csv():
    """Streamed as it is read, a page of quotes at a time: any size of export holds one page."""
    require("quotes.list")

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        yield "\ufeff"
        for row in _export_rows():
            writer.writerow(row)
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=quotes.csv"})


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    """Written row by row (openpyxl's write-only mode) to a temporary file, not held as rows: only
    the finished, compressed workbook is read back to send."""
    require("quotes.list")
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Quotes")
    for row in _export_rows():
        sheet.append(row)
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        workbook = spool.read()
    return Response(workbook, headers={"Content-Disposition": "attachment; filename=quotes.xlsx"},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/impact")
@login_required
def impact():
    require("quotes.list")
    carrier = text_arg("carrier", 10) or None
    pol, pod = text_arg("pol", 5).upper() or None, text_arg("pod", 5).upper() or None
    shipper = text_arg("shipper", 160) or None
    affected = queries.impacted_quotes(carrier, pol, pod, shipper)
    return render("quotes/impact.html", "quotes/_impact_results.html", affected=affected, carrier=carrier, pol=pol,
                  pod=pod, shipper=shipper, asked=bool(carrier or pol or pod or shipper))
