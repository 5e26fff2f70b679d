"""Quotes: history and search, the quote editor, approval queue, the customer's quotation, exports."""
from datetime import timedelta

from flask import (Blueprint, Response, abort, current_app, flash, render_template, request, stream_with_context,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.rules import book_holders
from portal.config import LANGUAGES
from portal.core.clock import now
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import is_fragment_request, render, render_fragment, trigger
from portal.core.i18n import force_locale, local_to_utc, select_timezone, utc_to_local
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.customers.queries import contact_of, contacts_of, normal_code
from portal.extensions import db
from portal.quotes import documents, editor, exports, queries, rules
from portal.core.i18n import Language
from portal.customers.models import Kind
from portal.quotes.documents import incoterm_text
from portal.quotes.forms import ChargeLineForm, DecisionForm, DeclineForm, FollowUpForm, LostForm, QuoteForm
from portal.quotes.models import Direction, FollowUp, LineSource, Mode, Quote, Status
from portal.reference.names import carrier_name
from portal.rates import queries as rate_queries
from portal.rates.rules import department_today

bp = Blueprint("quotes", __name__, url_prefix="/quotes")

# Names of what an approval covers, for the supervisor's diff (rules.approval_snapshot's keys).
CHANGE_LABELS = {
    "customer": _l("Customer"), "customer_name_zh": _l("Customer's Chinese name"),
    "customer_name_en": _l("Customer's English name"), "customer_kind": _l("Kind of customer"),
    "customer_locale": _l("Language of the quotation"), "contact": _l("Contact"), "line": _l("Charge line"),
    "company_sell_rate": _l("Company sell rate"), "min_sell_rate": _l("Minimum sell rate"),
    "source": _l("Rate from"), "direction": _l("Receivable or payable"), "provisional": _l("Provisional"),
}


@bp.app_template_global()
def change_label(name: str) -> str:
    if name in CHANGE_LABELS:
        return str(CHANGE_LABELS[name])
    for form_class in (QuoteForm, ChargeLineForm):
        unbound = getattr(form_class, name, None)
        if unbound is not None and unbound.args:
            return str(unbound.args[0])
    return name


@bp.app_template_global()
def change_value(name: str, value) -> str:
    """A snapshot value as the supervisor reads it: labels for kinds and states, names for codes."""
    if value in (None, ""):
        return "—"
    if isinstance(value, dict):     # a whole line added or removed
        return f"{value.get('charge_code')} {value.get('quantity')} × {value.get('sell_rate')} {value.get('currency')}"
    choices = {"customer_kind": Kind, "customer_locale": Language, "mode": Mode, "direction": Direction,
               "source": LineSource}
    if name in choices:
        return choices[name].label_of(value)
    if value in ("True", "False"):
        return _("Yes") if value == "True" else _("No")
    if name == "carrier":
        return carrier_name(value) or value
    if name == "incoterm":
        return incoterm_text(value)
    return str(value)


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


# --- the editor -------------------------------------------------------------------------------------


def _prepare(form: QuoteForm, customer=None):
    """The contact choices of the customer; its main contact chosen when none is."""
    contacts = contacts_of(customer.id if customer else None)
    form.contact_id.choices = options([("", "—")] + [(c.id, c.name) for c in contacts])
    if customer is not None and not form.contact_id.data and contacts and request.method == "GET":
        form.contact_id.data = str(contacts[0].id)


def _values(form: QuoteForm) -> dict:
    customer = editor.resolve_customer(form.customer_code.data)
    if customer is None:
        raise RuleViolation(_("Choose the customer from the list: no single customer has this code, name or "
                              "phone."), "customer_code")
    contact = contact_of(customer.id, parse_id(form.contact_id.data))
    values = {f: getattr(form, f).data for f in rules.QUOTE_FIELDS
              if hasattr(form, f) and f not in ("customer_id", "contact_id")}
    values.update(customer_id=customer.id, contact_id=contact.id if contact else None,
                  inquiry_at=local_to_utc(form.inquiry_at.data),
                  holding_reply_at=local_to_utc(form.holding_reply_at.data),
                  carrier=form.carrier.data or None, container_type=form.container_type.data or None,
                  incoterm=form.incoterm.data or None, dg_class=form.dg_class.data or None,
                  un_number=form.un_number.data or None, notes=form.notes.data or "", remarks=form.remarks.data or "")
    return values


def _editor_context(form: QuoteForm, quote: Quote | None, customer=None) -> dict:
    values = editor.quote_values(form)
    author = quote.agent if quote else current_user
    customer = customer if customer is not None else editor.resolve_customer(form.customer_code.data)
    with_card, others = editor.carrier_groups(values)
    lane = queries.lane_prices(values["pol"], values["pod"], values["container_type"],
                               exclude_id=quote.id if quote else None) if values["pol"] and values["pod"] else []
    cards = rate_queries.lane_cards(values["pol"], values["pod"], values["container_type"], department_today())
    return dict(form=form, quote=quote, lane=lane, cards=cards, editing=True, customer=customer,
                lines=editor.line_views(form, author, customer), carriers_with_card=with_card,
                other_carriers=others, today=department_today(), blank=editor.blank_entry(form))


def _editor(form, quote, status):
    return render("quotes/form.html", "quotes/_form.html", status, **_editor_context(form, quote))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A new quote: empty, for a customer (?customer=, from the customer's page), or "quote again"
    from a past quote (?again=)."""
    require("quotes.create")
    form = QuoteForm()
    if request.method == "GET":
        editor.start_times(form)
        past = queries.load_quote(parse_id(request.args.get("again")) or 0) if request.args.get("again") else None
        if past is not None:
            require("quotes.view", past)
            editor.prefill_from(form, past)
        else:
            form.customer_code.data = normal_code(text_arg("customer", 12))
            editor.refill(form)
    customer = editor.resolve_customer(form.customer_code.data)
    _prepare(form, customer)
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
        form.holding_reply_at.data = utc_to_local(quote.holding_reply_at)
        for entry, line in zip(form.lines, quote.lines):
            # What still follows the card and the cargo: the card's own sell rate, the container count.
            entry.form.rate_id.data = str(line.rate_id or "")
            if line.company_sell_rate is not None and line.sell_rate == line.company_sell_rate:
                entry.form.filled_sell.data = editor.plain(line.sell_rate)
            if line.quantity == editor.auto_quantity(line.basis, editor.quote_values(form)):
                entry.form.filled_quantity.data = editor.plain(line.quantity)
    _prepare(form, editor.resolve_customer(form.customer_code.data))
    return submit(form, lambda: rules.update_quote(current_user, quote, form.version.data, _values(form),
                                                   form.line_values()),
                  done=lambda _q: saved(_("Quote %(number)s saved.", number=quote.label),
                                        url_for("quotes.detail", quote_id=quote.id)),
                  again=lambda status: _editor(form, quote, status))


@bp.post("/lines")
@login_required
def lines():
    """The charge lines again (the editor posts the whole form here): one more row, one less
    (?remove=n), or (?refresh=1, when the lane or cargo changed) filled from the card, with the
    carrier choice, the quote currency and the lane panel refreshed beside them."""
    require("quotes.create")
    form = QuoteForm()
    quote = queries.load_quote(parse_id(request.args.get("quote")) or 0) if request.args.get("quote") else None
    if quote is not None and not can(current_user, "quotes.edit", quote):
        quote = None
    remove = request.args.get("remove", "")
    refresh = request.args.get("refresh") == "1"
    if remove.isascii() and remove.isdigit() and len(remove) < 3:
        if int(remove) < len(form.lines) and len(form.lines) > 1:
            form.lines.entries.pop(int(remove))
    elif refresh:
        editor.refill(form)
    elif len(form.lines) < 40:
        editor.add_line(form)
    customer = editor.resolve_customer(form.customer_code.data)
    _prepare(form, customer)
    context = _editor_context(form, quote, customer)
    return render_fragment("quotes/_lines.html", refresh=refresh, added=not remove and not refresh, **context)


@bp.get("/customers")
@login_required
def customers():
    """Suggestions for the editor's customer field, by code, Chinese or English name, contact or phone."""
    require("quotes.create")
    text = text_arg("customer_code", 100)
    return render_fragment("quotes/_customer_suggestions.html", customers=editor.customer_suggestions(text),
                           text=text)


@bp.get("/contacts")
@login_required
def contacts():
    """The chosen customer's contacts (its main contact selected) and who the customer is."""
    require("quotes.create")
    customer = editor.resolve_customer(text_arg("customer_code", 100))
    form = QuoteForm(formdata=None)
    _prepare(form, customer)
    response = make_response(render_template("quotes/_contact_select.html", form=form, customer=customer, picked=True,
                                             known=customer is not None, code=text_arg("customer_code", 100)), 200)
    return trigger(response, "customerPicked") if customer is not None else response


@bp.get("/lane")
@login_required
def lane():
    require("quotes.list")
    pol, pod = text_arg("pol", 5).upper(), text_arg("pod", 5).upper()
    container_type = text_arg("container_type", 8) or None
    prices = queries.lane_prices(pol, pod, container_type) if pol and pod else []
    cards = rate_queries.lane_cards(pol, pod, container_type, department_today()) \
        if can(current_user, "rates.view") else []
    return render_fragment("quotes/_lane.html", lane=prices, pol=pol, pod=pod, editing=True, cards=cards,
                           today=department_today())


@bp.get("/<id:quote_id>")
@login_required
def detail(quote_id: int):
    quote = _quote_or_404(quote_id)
    require("quotes.view", quote)
    last = rules.last_decision(quote)
    changes = rules.changes_since(last.snapshot, quote) if last is not None and quote.status in (
        Status.PENDING, Status.RETURNED, Status.DRAFT) else []
    return render("quotes/detail.html", "quotes/detail.html", quote=quote, totals=rules.totals(quote),
                  revisions=queries.revisions(quote),
                  lane=queries.lane_prices(quote.pol, quote.pod, quote.container_type, exclude_id=quote.id),
                  reasons=rules.approval_reasons(quote, quote.agent), released=rules.is_released(quote),
                  actions=rules.actions_for(current_user, quote), now=now(), changes=changes, last_decision=last,
                  first_reply=rules.first_reply_seconds(quote), special=rules.is_special_cargo(quote))


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


@bp.post("/<id:quote_id>/holding")
@login_required
def holding(quote_id: int):
    """R-Q7: "received, pricing with the carrier" sent to the customer of a special-cargo inquiry."""
    return _quote_action(quote_id, "quotes.edit",
                         lambda q, f: rules.send_holding_reply(current_user, q, f.version.data),
                         _("Holding reply logged: the customer knows the route department is pricing it."))


@bp.post("/<id:quote_id>/decline")
@login_required
def decline(quote_id: int):
    """Handbook #12: a peer forwarder's inquiry on a lane the company does not work, declined."""
    return _quote_action(quote_id, "quotes.edit",
                         lambda q, f: rules.decline(current_user, q, f.reason.data, f.version.data),
                         _("Inquiry declined."), form=DeclineForm())


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
                  totals={q.id: rules.totals(q) for q in pending.items},
                  decided={q.id for q in pending.items if q.was_decided})


@bp.get("/<id:quote_id>/changes")
@login_required
def changes(quote_id: int):
    """What changed since the supervisor's last decision on the quote (an approval voided by a
    change, or a return): the approval card loads it."""
    quote = _quote_or_404(quote_id)
    require("quotes.approve")
    last = rules.last_decision(quote)
    return render_fragment("quotes/_changes.html", quote=quote, last_decision=last,
                           changes=rules.changes_since(last.snapshot, quote) if last is not None else [])


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
            "quotes/_approval.html", status, q=card, form=form, totals=rules.totals(card), decided={
                d.quote_id for d in card.decisions},
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


def _export():
    return exports.quote_table(queries.filtered(_filters()), internal=can(current_user, "quotes.internal"),
                               zone=select_timezone())


@bp.get("/export.csv")
@login_required
def export_csv():
    """Streamed as it is read, a page of quotes at a time: any size of export holds one page."""
    require("quotes.list")
    return Response(stream_with_context(exports.as_csv(_export())), mimetype="text/csv",
                    headers=exports.headers("quotes.csv"))


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    """Written row by row (openpyxl's write-only mode) to a temporary file, not held as rows: only
    the finished, compressed workbook is read back to send."""
    require("quotes.list")
    return Response(exports.as_xlsx(_export(), _("Quotes")), headers=exports.headers("quotes.xlsx"),
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
