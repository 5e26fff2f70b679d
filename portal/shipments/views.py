"""Shipments for staff: the list, booking and its page (route, containers, milestones, exceptions,
documents, B/L work, free time, space, status links, notices), vessel calls and schedule
changes with the customers they affect, milestone imports and the integrations' API tokens."""
from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from portal.company.queries import company
from portal.config import LANGUAGES
from portal.core.clock import now
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import is_fragment_request, render, render_fragment
from portal.core.i18n import force_locale
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.customers.queries import contact_of, contacts_of, customer_by_code, normal_code
from portal.extensions import db
from portal.quotes.models import Status as QuoteStatus
from portal.quotes.queries import load_quote
from portal.shipments import documents, imports, queries, rules, tasks
from portal.shipments.forms import (BLRevisionForm, CallEditForm, CallForm, CancelForm, ContainerForm, CourierForm,
                                    DocumentForm, ExceptionForm, FreeTimeDecisionForm, FreeTimeForm, ImportForm,
                                    IntegrationForm, LegForm, LinkForm, MilestoneForm, ScheduleForm, SentByHandForm,
                                    ShipmentForm, SpaceDecisionForm, SpaceForm)
from portal.shipments.models import (BLRevisionKind, Container, DocumentKind, FreeTimeRequest, Integration,
                                     LoadingException, MilestoneKind, NoticeState, RequiredDocument, SpaceRequest,
                                     Status, StatusLink, VesselCall)
from portal.shipments.times import NonexistentTime, port_to_utc, utc_to_port

bp = Blueprint("shipments", __name__, url_prefix="/shipments")


# --- helpers ----------------------------------------------------------------------------------------


def _shipment_or_404(shipment_id: int):
    return queries.load_shipment(shipment_id) or abort(404)


def _editable(shipment_id: int):
    shipment = _shipment_or_404(shipment_id)
    require("shipments.edit", shipment)
    return shipment


def _here(shipment, anchor: str = "") -> str:
    """The shipment's page at a section. (htmx follows a redirect by setting the location: a
    change of the #fragment alone would not reload the page, so the section is named in the
    query too.)"""
    if not anchor:
        return url_for("shipments.detail", shipment_id=shipment.id)
    return url_for("shipments.detail", shipment_id=shipment.id, section=anchor) + f"#{anchor}"


def base_url() -> str:
    """Where links in notices point: PORTAL_BASE_URL, else the address this request came to."""
    return current_app.config.get("PORTAL_BASE_URL") or request.host_url.rstrip("/")


def status_url(token: str) -> str:
    return base_url() + url_for("status.page", token=token)


def _port_time(local, port, field: str):
    """A time typed in a port's local time, as UTC; the clocks' skipped hour is refused."""
    try:
        return port_to_utc(local, port)
    except NonexistentTime:
        raise RuleViolation(_("This local time does not exist there (the clocks skip it)."), field) from None


def _call_options(calls, blank: str):
    return options([("", blank)] + [(c.id, f"{c.vessel_name} {c.voyage} · {c.port} · "
                                           f"ETD {utc_to_port(c.etd, c.port):%Y-%m-%d %H:%M}") for c in calls])


def _forms(shipment, **given):
    """The page's small forms, blank unless one comes back with what was typed."""
    container_choices = options([("", "—")] + [(c.id, c.number) for c in shipment.containers])
    calls = {leg.load_call for leg in shipment.legs} | {leg.discharge_call for leg in shipment.legs}
    call_choices = _call_options(sorted(calls, key=lambda c: c.eta), "—")
    forms = {
        "milestone_form": MilestoneForm(formdata=None), "container_form": ContainerForm(formdata=None),
        "leg_form": LegForm(formdata=None), "exception_form": ExceptionForm(formdata=None),
        "document_form": DocumentForm(formdata=None), "bl_form": BLRevisionForm(formdata=None),
        "courier_form": CourierForm(formdata=None), "free_time_form": FreeTimeForm(formdata=None),
        "space_form": SpaceForm(formdata=None), "link_form": LinkForm(formdata=None),
    } | given
    forms["milestone_form"].container_id.choices = container_choices
    forms["exception_form"].container_id.choices = container_choices
    forms["exception_form"].missed_call_id.choices = call_choices
    rebook = queries.calls_at(shipment.legs[0].load_port if shipment.legs else shipment.pol)
    forms["exception_form"].rebooked_call_id.choices = _call_options(rebook, "—")
    _leg_choices(shipment, forms["leg_form"])
    return forms


def _leg_choices(shipment, form: LegForm):
    if not form.load_port.data:
        form.load_port.data = shipment.legs[-1].discharge_port if shipment.legs else shipment.pol
    if not form.discharge_port.data:
        form.discharge_port.data = shipment.pod
    load_calls = queries.calls_at(form.load_port.data)
    form.load_call_id.choices = _call_options(load_calls, _("Choose the vessel"))
    chosen = next((c for c in load_calls if str(c.id) == str(form.load_call_id.data)), None)
    discharge_calls = [c for c in queries.calls_of_voyage(chosen) if c.port == form.discharge_port.data] \
        if chosen else queries.calls_at(form.discharge_port.data)
    form.discharge_call_id.choices = _call_options(discharge_calls, _("Choose the call"))


def _detail(shipment, status: int = 200, **given):
    secret = current_app.config["SECRET_KEY"]
    page = queries.shipment_page(shipment)
    moment = now()
    first_call = shipment.legs[0].load_call if shipment.legs else None
    links = [(link, documents_url(link, secret)) for link in page.links]
    return render_template(
        "shipments/detail.html", shipment=shipment, page=page, links=links, now=moment,
        due={d.id: rules.due_at(d.kind, first_call) for d in page.documents}, first_call=first_call,
        route_complete=rules.route_complete(shipment), handover_items=queries.handover_items_about(shipment.id),
        email_ready=tasks.smtp_configured(), DocumentKind=DocumentKind, BLRevisionKind=BLRevisionKind,
        **_forms(shipment, **given)), status


def documents_url(link, secret):
    return status_url(rules.link_token(link, secret)) if link.is_live(now()) else None


def _section(shipment, name: str, template: str, form, status: int):
    """A small form refused: its fragment again for htmx, else the whole page with it."""
    if is_fragment_request():
        forms = _forms(shipment, **{name: form})
        return render_template(template, shipment=shipment, form=forms[name], **forms), status
    return _detail(shipment, status, **{name: form})


def _change(shipment_id: int, change, message: str, anchor: str = "", form=None):
    """A button on the shipment's page: the rule through the one submit path; a refusal is a toast."""
    shipment = _editable(shipment_id)
    form = form or ActionForm()
    return submit(form, lambda: change(shipment, form), back=_here(shipment, anchor),
                  done=lambda _r: saved(message, _here(shipment, anchor)))


# --- the list ----------------------------------------------------------------------------------------


def _filters() -> queries.ShipmentFilters:
    mine = request.args.get("mine") == "1"
    days = request.args.get("departing")
    return queries.ShipmentFilters(
        q=text_arg("q"), status=text_arg("status", 20) or None, customer_code=normal_code(text_arg("customer", 12))
        or None, carrier=text_arg("carrier", 10) or None, pol=text_arg("pol", 5).upper() or None,
        pod=text_arg("pod", 5).upper() or None, mine_for=current_user.id if mine else None,
        exceptions=request.args.get("exceptions") == "1",
        departing_days=int(days) if days in ("3", "7", "14") else None)


@bp.get("")
@login_required
def index():
    require("shipments.list")
    filters = _filters()
    after = request.args.get("after")
    page = queries.list_shipments(filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, after=after, statuses=list(Status), now=now())
    if after:
        return render("shipments/index.html", "shipments/_rows.html", **context)
    return render("shipments/index.html", "shipments/_results.html", **context)


# --- booking ---------------------------------------------------------------------------------------------


def _prepare(form: ShipmentForm, customer_id=None):
    form.contact_id.choices = options([("", "—")] + [(c.id, c.name) for c in contacts_of(customer_id)])


def _values(form: ShipmentForm) -> dict:
    customer = customer_by_code(form.customer_code.data)
    if customer is None:
        raise RuleViolation(_("No customer has this code."), "customer_code")
    contact = contact_of(customer.id, parse_id(form.contact_id.data))
    values = {f: getattr(form, f).data for f in rules.SHIPMENT_FIELDS if hasattr(form, f)}
    values.update(customer_id=customer.id, contact_id=contact.id if contact else None,
                  container_type=form.container_type.data or None, carrier=form.carrier.data or None)
    return values


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require("shipments.create")
    form = ShipmentForm()
    if request.method == "GET":
        form.customer_code.data = normal_code(text_arg("customer", 12))
    customer = customer_by_code(form.customer_code.data)
    _prepare(form, customer.id if customer else None)
    return submit(form, lambda: rules.create_shipment(current_user, _values(form)),
                  done=lambda s: saved(_("Shipment %(number)s booked. Add the vessel and the containers next.",
                                         number=s.number), url_for("shipments.detail", shipment_id=s.id)),
                  again=lambda status: render("shipments/form.html", "shipments/_form.html", status, form=form,
                                              shipment=None))


@bp.post("/book/<id:quote_id>")
@login_required
def book(quote_id: int):
    """"Book" on a won quote: the shipment starts with the quote's lane, carrier, equipment, customer."""
    require("shipments.create")
    quote = load_quote(quote_id) or abort(404)
    return submit(ActionForm(), lambda: rules.book_from_quote(current_user, quote),
                  back=url_for("quotes.detail", quote_id=quote.id),
                  done=lambda s: saved(_("Shipment %(number)s booked from quote %(quote)s.", number=s.number,
                                         quote=quote.label), url_for("shipments.detail", shipment_id=s.id)))


@bp.route("/<id:shipment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(shipment_id: int):
    shipment = _editable(shipment_id)
    form = ShipmentForm(obj=shipment if request.method == "GET" else None)
    if request.method == "GET":
        form.customer_code.data = shipment.customer.code
        form.contact_id.data = str(shipment.contact_id or "")
    _prepare(form, shipment.customer_id)
    return submit(form, lambda: rules.update_shipment(current_user, shipment, form.version.data, _values(form)),
                  done=lambda _s: saved(_("Shipment %(number)s saved.", number=shipment.number), _here(shipment)),
                  again=lambda status: render("shipments/form.html", "shipments/_form.html", status, form=form,
                                              shipment=shipment))


@bp.get("/<id:shipment_id>")
@login_required
def detail(shipment_id: int):
    shipment = _shipment_or_404(shipment_id)
    require("shipments.view", shipment)
    return _detail(shipment)


@bp.post("/<id:shipment_id>/cancel")
@login_required
def cancel(shipment_id: int):
    return _change(shipment_id, lambda s, f: rules.cancel_shipment(current_user, s, f.version.data, f.reason.data),
                   _("Booking cancelled."), form=CancelForm())


@bp.post("/<id:shipment_id>/confirm")
@login_required
def confirm(shipment_id: int):
    return _change(shipment_id, lambda s, f: rules.confirm_booking(current_user, s, f.version.data),
                   _("Booking confirmed. The booking confirmation is ready to send."))


@bp.get("/<id:shipment_id>/confirmation")
@login_required
def confirmation(shipment_id: int):
    """The booking confirmation (訂艙確認書), printable, in the customer's language."""
    shipment = _shipment_or_404(shipment_id)
    require("shipments.view", shipment)
    view = documents.confirmation(shipment, queries.documents_of(shipment.id), company())
    if view is None:
        return saved(_("The booking is not confirmed yet."), _here(shipment), "error")
    lang = request.args.get("lang") if request.args.get("lang") in LANGUAGES else view.locale
    with force_locale(lang):
        return render_template("shipments/confirmation.html", c=view, lang=lang)


# --- route (legs) -------------------------------------------------------------------------------------------


def _call(value):
    call_id = parse_id(value)
    return db.session.get(VesselCall, call_id) if call_id else None


@bp.post("/<id:shipment_id>/legs")
@login_required
def leg_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = LegForm()
    return submit(form, lambda: rules.add_leg(current_user, shipment, form.load_port.data, form.discharge_port.data,
                                              _call(form.load_call_id.data), _call(form.discharge_call_id.data)),
                  done=lambda leg: saved(_("Leg %(n)d added: %(vessel)s.", n=leg.sequence, vessel=leg.load_call.label),
                                         _here(shipment, "route")),
                  again=lambda status: _section(shipment, "leg_form", "shipments/_leg_form.html", form, status))


@bp.get("/<id:shipment_id>/legs/calls")
@login_required
def leg_calls(shipment_id: int):
    """The leg form again with the vessel calls for the ports and the vessel chosen so far."""
    shipment = _editable(shipment_id)
    form = LegForm(formdata=request.args)
    _leg_choices(shipment, form)
    return render_fragment("shipments/_leg_form.html", shipment=shipment, form=form)


@bp.post("/<id:shipment_id>/legs/<id:leg_id>/delete")
@login_required
def leg_delete(shipment_id: int, leg_id: int):
    def remove(shipment, _form):
        leg = next((x for x in shipment.legs if x.id == leg_id), None) or abort(404)
        rules.remove_leg(current_user, shipment, leg)
    return _change(shipment_id, remove, _("Leg removed."), "route")


# --- containers -----------------------------------------------------------------------------------------------


def _container_values(form) -> dict:
    return {"number": form.number.data, "container_type": form.container_type.data, "seal_no": form.seal_no.data,
            "vgm_kg": form.vgm_kg.data}


@bp.post("/<id:shipment_id>/containers")
@login_required
def container_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = ContainerForm()
    return submit(form, lambda: rules.add_container(current_user, shipment, _container_values(form)),
                  done=lambda c: saved(_("Container %(number)s added.", number=c.number), _here(shipment, "containers")),
                  again=lambda status: _section(shipment, "container_form", "shipments/_container_form.html", form,
                                                status))


def _container_or_404(shipment, container_id: int) -> Container:
    return next((c for c in shipment.containers if c.id == container_id), None) or abort(404)


@bp.route("/<id:shipment_id>/containers/<id:container_id>/edit", methods=["GET", "POST"])
@login_required
def container_edit(shipment_id: int, container_id: int):
    shipment = _editable(shipment_id)
    container = _container_or_404(shipment, container_id)
    form = ContainerForm(obj=container if request.method == "GET" else None)
    return submit(form, lambda: rules.update_container(current_user, shipment, container, form.version.data,
                                                       _container_values(form)),
                  done=lambda _r: saved(_("Container %(number)s saved.", number=container.number),
                                        _here(shipment, "containers")),
                  again=lambda status: render("shipments/container_form.html", "shipments/_container_edit.html",
                                              status, shipment=shipment, container=container, form=form))


@bp.post("/<id:shipment_id>/containers/<id:container_id>/delete")
@login_required
def container_delete(shipment_id: int, container_id: int):
    def remove(shipment, _form):
        rules.remove_container(current_user, shipment, _container_or_404(shipment, container_id))
    return _change(shipment_id, remove, _("Container removed."), "containers")


# --- milestones -------------------------------------------------------------------------------------------------


@bp.post("/<id:shipment_id>/milestones")
@login_required
def milestone_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = _forms(shipment, milestone_form=MilestoneForm())["milestone_form"]

    def record():
        container = next((c for c in shipment.containers if str(c.id) == str(form.container_id.data)), None)
        kind = MilestoneKind.get(form.kind.data)
        port = form.port.data or None
        clock_port = port or (imports._port_for(shipment, kind) if kind else shipment.pol)
        return rules.record_milestone(current_user, shipment, kind, _port_time(form.at.data, clock_port, "at"),
                                      port=port, container=container)

    return submit(form, record,
                  done=lambda m: saved(_("%(milestone)s recorded.", milestone=m.kind.label),
                                       _here(shipment, "milestones")),
                  again=lambda status: _section(shipment, "milestone_form", "shipments/_milestone_form.html", form,
                                                status))


@bp.post("/<id:shipment_id>/milestones/<id:milestone_id>/delete")
@login_required
def milestone_delete(shipment_id: int, milestone_id: int):
    def remove(shipment, _form):
        milestone = next((m for m in shipment.milestones if m.id == milestone_id), None) or abort(404)
        rules.remove_milestone(current_user, shipment, milestone)
    return _change(shipment_id, remove, _("Milestone taken back."), "milestones")


# --- loading exceptions ---------------------------------------------------------------------------------------


def _exception_values(form) -> dict:
    return {"kind": form.kind.data, "container_id": parse_id(form.container_id.data),
            "missed_call_id": parse_id(form.missed_call_id.data), "reason": form.reason.data,
            "rebooked_call_id": parse_id(form.rebooked_call_id.data), "fee": form.fee.data,
            "fee_currency": form.fee_currency.data, "documents_cancelled": form.documents_cancelled.data,
            "redeclared": form.redeclared.data}


@bp.post("/<id:shipment_id>/exceptions")
@login_required
def exception_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = _forms(shipment, exception_form=ExceptionForm())["exception_form"]
    return submit(form, lambda: rules.record_exception(current_user, shipment, _exception_values(form)),
                  done=lambda e: saved(_("%(what)s recorded. Tell the customer next.", what=e.kind.label),
                                       _here(shipment, "exceptions")),
                  again=lambda status: _section(shipment, "exception_form", "shipments/_exception_form.html", form,
                                                status))


def _exception_or_404(shipment_id: int, exception_id: int) -> LoadingException:
    exception = db.session.get(LoadingException, exception_id)
    if exception is None or exception.shipment_id != shipment_id:
        abort(404)
    return exception


@bp.route("/<id:shipment_id>/exceptions/<id:exception_id>/edit", methods=["GET", "POST"])
@login_required
def exception_edit(shipment_id: int, exception_id: int):
    shipment = _editable(shipment_id)
    exception = _exception_or_404(shipment.id, exception_id)
    form = _forms(shipment, exception_form=ExceptionForm(obj=exception if request.method == "GET" else None))[
        "exception_form"]
    if request.method == "GET":
        for field in ("container_id", "missed_call_id", "rebooked_call_id"):
            getattr(form, field).data = str(getattr(exception, field) or "")
    return submit(form, lambda: rules.update_exception(current_user, shipment, exception, form.version.data,
                                                       _exception_values(form)),
                  done=lambda _r: saved(_("Exception saved."), _here(shipment, "exceptions")),
                  again=lambda status: render("shipments/exception_form.html", "shipments/_exception_edit.html",
                                              status, shipment=shipment, exception=exception, form=form))


@bp.post("/<id:shipment_id>/exceptions/<id:exception_id>/resolve")
@login_required
def exception_resolve(shipment_id: int, exception_id: int):
    return _change(shipment_id, lambda s, f: rules.resolve_exception(
        current_user, s, _exception_or_404(s.id, exception_id), f.version.data), _("Exception closed."), "exceptions")


@bp.post("/<id:shipment_id>/exceptions/<id:exception_id>/tell")
@login_required
def exception_tell(shipment_id: int, exception_id: int):
    shipment = _editable(shipment_id)
    exception = _exception_or_404(shipment.id, exception_id)
    secret = current_app.config["SECRET_KEY"]

    def tell():
        token = rules.ensure_links(current_user, [shipment], secret)[shipment.id]
        draft = documents.exception_notice(shipment, exception, status_url(token), company())
        return rules.tell_customer(current_user, shipment, exception, draft, tasks.smtp_configured())

    return submit(ActionForm(), tell, back=_here(shipment, "exceptions"),
                  done=lambda notice: _notices_made([notice], _here(shipment, "notices")))


def _notices_made(notices, target: str):
    queued = sum(1 for n in notices if n.state == NoticeState.QUEUED)
    by_hand = len(notices) - queued
    if queued:
        tasks.send_notices()
        flash(ngettext("%(num)d notice queued for e-mail.", "%(num)d notices queued for e-mail.", queued), "success")
    if by_hand:
        flash(ngettext("%(num)d notice to send by hand: copy it into WeChat or LINE, then mark it sent.",
                       "%(num)d notices to send by hand: copy them into WeChat or LINE, then mark them sent.",
                       by_hand), "info")
    return saved(None, target)


# --- documents, B/L work, free time, space ----------------------------------------------------------------------


def _document_or_404(shipment_id: int, document_id: int) -> RequiredDocument:
    document = db.session.get(RequiredDocument, document_id)
    if document is None or document.shipment_id != shipment_id:
        abort(404)
    return document


@bp.post("/<id:shipment_id>/documents")
@login_required
def document_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = DocumentForm()
    return submit(form, lambda: rules.require_document(current_user, shipment, form.kind.data),
                  done=lambda d: saved(_("%(document)s added to what the customer owes.", document=d.kind.label),
                                       _here(shipment, "documents")),
                  again=lambda status: _section(shipment, "document_form", "shipments/_document_form.html", form,
                                                status))


@bp.post("/<id:shipment_id>/documents/<id:document_id>/received")
@login_required
def document_received(shipment_id: int, document_id: int):
    return _change(shipment_id, lambda s, f: rules.receive_document(current_user, s, _document_or_404(s.id, document_id)),
                   _("Document received."), "documents")


@bp.post("/<id:shipment_id>/documents/<id:document_id>/delete")
@login_required
def document_delete(shipment_id: int, document_id: int):
    return _change(shipment_id, lambda s, f: rules.drop_document(current_user, s, _document_or_404(s.id, document_id)),
                   _("Document taken off the list."), "documents")


@bp.post("/<id:shipment_id>/bl")
@login_required
def bl_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = BLRevisionForm()
    return submit(form, lambda: rules.add_bl_revision(current_user, shipment, form.kind.data, form.description.data,
                                                      form.fee.data, form.fee_currency.data),
                  done=lambda r: saved(_("%(what)s recorded.", what=r.kind.label), _here(shipment, "bl")),
                  again=lambda status: _section(shipment, "bl_form", "shipments/_bl_form.html", form, status))


@bp.post("/<id:shipment_id>/courier")
@login_required
def courier_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = CourierForm()
    return submit(form, lambda: rules.dispatch_originals(current_user, shipment, form.courier.data,
                                                         form.tracking_no.data, form.originals.data,
                                                         form.addressee.data),
                  done=lambda d: saved(_("Originals sent: %(courier)s %(number)s.", courier=d.courier,
                                         number=d.tracking_no), _here(shipment, "bl")),
                  again=lambda status: _section(shipment, "courier_form", "shipments/_courier_form.html", form,
                                                status))


@bp.post("/<id:shipment_id>/free-time")
@login_required
def free_time_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = FreeTimeForm()
    return submit(form, lambda: rules.request_free_time(current_user, shipment, form.kind.data,
                                                        form.requested_days.data, form.carrier_reference.data),
                  done=lambda _r: saved(_("Free time requested from the carrier."), _here(shipment, "free-time")),
                  again=lambda status: _section(shipment, "free_time_form", "shipments/_free_time_form.html", form,
                                                status))


@bp.post("/<id:shipment_id>/free-time/<id:request_id>/decide")
@login_required
def free_time_decide(shipment_id: int, request_id: int):
    def decide(shipment, form):
        found = db.session.get(FreeTimeRequest, request_id)
        if found is None or found.shipment_id != shipment.id:
            abort(404)
        rules.decide_free_time(current_user, shipment, found, form.version.data, form.approved_days.data)
    return _change(shipment_id, decide, _("The carrier's answer is recorded."), "free-time",
                   form=FreeTimeDecisionForm())


@bp.post("/<id:shipment_id>/space")
@login_required
def space_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = SpaceForm()
    return submit(form, lambda: rules.request_space(current_user, shipment, form.reason.data),
                  done=lambda _r: saved(_("Urgent space requested from the carrier."), _here(shipment, "space")),
                  again=lambda status: _section(shipment, "space_form", "shipments/_space_form.html", form, status))


@bp.post("/<id:shipment_id>/space/<id:request_id>/decide")
@login_required
def space_decide(shipment_id: int, request_id: int):
    def decide(shipment, form):
        found = db.session.get(SpaceRequest, request_id)
        if found is None or found.shipment_id != shipment.id:
            abort(404)
        rules.decide_space(current_user, shipment, found, form.version.data, form.granted.data == "yes",
                           form.outcome.data)
    return _change(shipment_id, decide, _("The carrier's answer is recorded."), "space", form=SpaceDecisionForm())


# --- status links -----------------------------------------------------------------------------------------------


@bp.post("/<id:shipment_id>/links")
@login_required
def link_add(shipment_id: int):
    shipment = _editable(shipment_id)
    form = LinkForm()
    return submit(form, lambda: rules.create_link(current_user, shipment, current_app.config["SECRET_KEY"],
                                                  form.note.data, form.expires_on.data),
                  done=lambda _r: saved(_("Status link made: copy it or e-mail it to the customer."),
                                        _here(shipment, "links")),
                  again=lambda status: _section(shipment, "link_form", "shipments/_link_form.html", form, status))


@bp.post("/<id:shipment_id>/links/<id:link_id>/revoke")
@login_required
def link_revoke(shipment_id: int, link_id: int):
    def revoke(shipment, _form):
        link = db.session.get(StatusLink, link_id)
        if link is None or link.shipment_id != shipment.id:
            abort(404)
        rules.revoke_link(current_user, shipment, link)
    return _change(shipment_id, revoke, _("Link revoked: it now opens nothing."), "links")


@bp.post("/notices/<id:notice_id>/sent")
@login_required
def notice_sent(notice_id: int):
    """A notice sent by hand (WeChat, LINE, phone): who, when and how."""
    require("shipments.notify")
    notice = queries.load_notice(notice_id) or abort(404)
    form = SentByHandForm()
    back = request.form.get("next") or ""
    target = back if back.startswith("/shipments/") and not back.startswith("//") else (
        _here(notice.shipments[0], "notices") if notice.shipments else url_for("shipments.index"))
    return submit(form, lambda: rules.mark_sent_by_hand(current_user, notice, form.version.data, form.channel.data),
                  back=target, done=lambda _r: saved(_("Marked as sent."), target))


# --- vessel calls and schedule changes --------------------------------------------------------------------------


def _call_filters() -> queries.CallFilters:
    return queries.CallFilters(q=text_arg("q"), port=text_arg("port", 5).upper() or None,
                               carrier=text_arg("carrier", 10) or None, date_from=date_arg("from"),
                               date_to=date_arg("to"), changed=request.args.get("changed") == "1")


@bp.get("/vessels")
@login_required
def vessels():
    require("shipments.list")
    filters = _call_filters()
    after = request.args.get("after")
    page = queries.list_calls(filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, after=after, now=now())
    if after:
        return render("shipments/vessels.html", "shipments/_call_rows.html", **context)
    if not is_fragment_request():
        context["recent_changes"] = queries.recent_changes(8)
    return render("shipments/vessels.html", "shipments/_call_results.html", **context)


def _call_values(form, fields) -> dict:
    port = form.port.data
    values = {f: getattr(form, f).data for f in fields if hasattr(form, f)}
    for name in form.TIMES:
        values[name] = _port_time(getattr(form, name).data, port, name)
    values["carrier"] = form.carrier.data or None
    return values


@bp.route("/vessels/new", methods=["GET", "POST"])
@login_required
def vessel_new():
    require("shipments.vessels")
    form = CallForm()
    return submit(form, lambda: rules.create_call(current_user, _call_values(form, rules.CALL_FIELDS)),
                  done=lambda c: saved(_("Vessel call %(vessel)s at %(port)s saved.", vessel=c.label, port=c.port),
                                       url_for("shipments.vessel", call_id=c.id)),
                  again=lambda status: render("shipments/call_form.html", "shipments/_call_form.html", status,
                                              form=form, call=None))


def _call_or_404(call_id: int) -> VesselCall:
    return queries.load_call(call_id) or abort(404)


@bp.get("/vessels/<id:call_id>")
@login_required
def vessel(call_id: int):
    require("shipments.list")
    call = _call_or_404(call_id)
    form = ScheduleForm(formdata=None)
    for name in ("eta", "etb", "etd"):
        getattr(form, name).data = utc_to_port(getattr(call, name), call.port)
    return render("shipments/vessel.html", "shipments/vessel.html", call=call, form=form,
                  rotation=queries.calls_of_voyage(call), shipments=queries.shipments_on(call, active_only=False),
                  now=now())


@bp.route("/vessels/<id:call_id>/edit", methods=["GET", "POST"])
@login_required
def vessel_edit(call_id: int):
    require("shipments.vessels")
    call = _call_or_404(call_id)
    form = CallEditForm(obj=call if request.method == "GET" else None)
    if request.method == "GET":
        for name in form.TIMES:
            getattr(form, name).data = utc_to_port(getattr(call, name), call.port)
    return submit(form, lambda: rules.update_call(current_user, call, form.version.data,
                                                  _call_values(form, rules.EDITABLE_CALL_FIELDS)),
                  done=lambda _c: saved(_("Vessel call saved."), url_for("shipments.vessel", call_id=call.id)),
                  again=lambda status: render("shipments/call_form.html", "shipments/_call_form.html", status,
                                              form=form, call=call))


@bp.post("/vessels/<id:call_id>/schedule")
@login_required
def vessel_schedule(call_id: int):
    """R-S4: new times with the reason; next, the customers it affects and their notices."""
    require("shipments.vessels")
    call = _call_or_404(call_id)
    form = ScheduleForm()

    def change():
        return rules.change_schedule(current_user, call, form.version.data, _port_time(form.eta.data, call.port, "eta"),
                                     _port_time(form.etb.data, call.port, "etb"),
                                     _port_time(form.etd.data, call.port, "etd"), form.reason.data,
                                     form.explanation.data)

    def again(status):
        fresh = _call_or_404(call_id)
        return render("shipments/vessel.html", "shipments/_schedule_form.html", status, call=fresh, form=form,
                      rotation=queries.calls_of_voyage(fresh), shipments=queries.shipments_on(fresh, False), now=now())

    return submit(form, change, again=again,
                  done=lambda ch: saved(_("Schedule changed. Tell the customers on this vessel."),
                                        url_for("shipments.change", change_id=ch.id)))


@bp.get("/vessels/changes/<id:change_id>")
@login_required
def change(change_id: int):
    """R-S4: every shipment and customer on the changed call, with their language and contacts,
    and a notice drafted per customer in the customer's language."""
    require("shipments.list")
    found = queries.load_change(change_id) or abort(404)
    notices = queries.notices_of_change(found.id)
    drafts = []
    if not notices:
        secret = current_app.config["SECRET_KEY"]
        shipments = queries.shipments_on(found.call)
        links = {}
        for shipment in shipments:
            live = rules.live_link(shipment, secret)
            links[shipment.id] = status_url(live[1]) if live else None
        drafts = documents.schedule_notices(found, shipments, links, company())
    return render("shipments/change.html", "shipments/change.html", change=found, drafts=drafts, notices=notices,
                  email_ready=tasks.smtp_configured(), now=now())


@bp.post("/vessels/changes/<id:change_id>/notify")
@login_required
def change_notify(change_id: int):
    require("shipments.notify")
    found = queries.load_change(change_id) or abort(404)
    secret = current_app.config["SECRET_KEY"]
    here = url_for("shipments.change", change_id=found.id)

    def notify():
        if found.notified_at is not None:
            raise RuleViolation(_("The customers were told about this change already."))
        shipments = queries.shipments_on(found.call)
        tokens = rules.ensure_links(current_user, shipments, secret)
        drafts = documents.schedule_notices(found, shipments, {k: status_url(v) for k, v in tokens.items()},
                                            company())
        return rules.notify_schedule_change(current_user, found, drafts, tasks.smtp_configured())

    return submit(ActionForm(), notify, back=here, done=lambda notices: _notices_made(notices, here))


# --- imports and integrations -----------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_milestones():
    require("shipments.import")
    form = ImportForm()
    problems = []

    def run():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise RuleViolation(_("Choose a .csv or .xlsx file."), "file")
        try:
            rows = imports.read_rows(upload.filename, upload.read())
            return imports.import_rows(current_user, rows)
        except imports.FileRefused as refused:
            problems.extend(refused.errors)
            raise RuleViolation(ngettext("%(num)d row could not be imported; nothing was saved.",
                                         "%(num)d rows could not be imported; nothing was saved.",
                                         len(refused.errors)), "file") from None

    return submit(form, run,
                  done=lambda n: saved(ngettext("%(num)d milestone imported.", "%(num)d milestones imported.", n),
                                       url_for("shipments.import_milestones")),
                  again=lambda status: render("shipments/import.html", "shipments/import.html", status, form=form,
                                              problems=problems, columns=imports.COLUMNS))


@bp.route("/integrations", methods=["GET", "POST"])
@login_required
def integrations():
    require("shipments.integrations")
    form = IntegrationForm()
    made = {}

    def create():
        integration, token = rules.create_integration(current_user, form.name.data, form.carrier.data or None)
        made.update(integration=integration, token=token)
        return integration

    def show(status, **extra):
        return render("shipments/integrations.html", "shipments/integrations.html", status, form=form,
                      integrations=queries.integrations(), **extra)

    # The token is shown once, on the answer to the post that made it; only its digest is kept.
    return submit(form, create, again=show,
                  done=lambda _i: show(201, new_token=made["token"], new_integration=made["integration"],
                                       endpoint=base_url() + url_for("events_api.events")))


@bp.post("/integrations/<id:integration_id>/revoke")
@login_required
def integration_revoke(integration_id: int):
    require("shipments.integrations")
    integration = db.session.get(Integration, integration_id) or abort(404)
    here = url_for("shipments.integrations")
    return submit(ActionForm(), lambda: rules.revoke_integration(current_user, integration), back=here,
                  done=lambda _r: saved(_("Token revoked: the integration can no longer post."), here))


# --- a block on the quote's page (core.links panels) ---------------------------------------------------------


def quote_panel(quote) -> str:
    """The bookings a quote became, and "Book" while it is won."""
    if not can(current_user, "shipments.list"):
        return ""
    bookings = queries.bookings_of_quote(quote.id)
    bookable = quote.status == QuoteStatus.WON and quote.is_current and can(current_user, "shipments.book",
                                                                            quote.customer)
    if not bookings and not bookable:
        return ""
    return render_template("shipments/_quote_panel.html", quote=quote, bookings=bookings, bookable=bookable)

