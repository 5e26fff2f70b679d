"""Shift handover: my shift, the note editor, acknowledgement, the board, history, shift settings."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.models import User
from portal.auth.rules import staff_owners
from portal.core.database import parse_id
from portal.core.forms import options, save_form
from portal.core.i18n import local_to_utc, utc_to_local
from portal.core.htmx import redirect_to, render, render_fragment
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core.text import clean_text
from portal.core.timeutil import utcnow
from portal.core.urls import date_arg, text_arg
from portal.customers.models import Customer
from portal.extensions import db
from portal.handover import rules
from portal.handover.forms import (AddendumForm, ItemForm, ShiftForm, StartNoteForm, category_label,
                                   priority_label)
from portal.handover.models import Shift

bp = Blueprint("handover", __name__, url_prefix="/handover")
bp.add_app_template_global(priority_label)
bp.add_app_template_global(category_label)


@bp.app_context_processor
def handover_badge():
    """The navigation's count of notes waiting for the user."""
    if current_user.is_authenticated and can(current_user, "handover.use"):
        return {"handover_waiting": rules.waiting_for(current_user)}
    return {"handover_waiting": 0}


def _note_or_404(note_id: int):
    return rules.load_note(note_id) or abort(404)


def _entry_or_404(note, item_id: int):
    for entry in note.entries:
        if entry.item_id == item_id:
            return entry
    abort(404)


def _today() -> date:
    found = rules.shift_at(utcnow())
    return found[1] if found else utcnow().date()


def _start_form():
    form = StartNoteForm()
    form.shift_id.choices = options((s.id, shift_name(s)) for s in rules.active_shifts())
    form.recipient_id.choices = options([("", _("Choose a colleague"))] + [
        (u.id, u.display_name) for u in staff_owners() if u.id != current_user.id])
    if request.method == "GET":
        found = rules.shift_at(utcnow())
        if found:
            form.shift_id.data, form.shift_date.data = found[0].id, found[1]
        else:
            form.shift_date.data = utcnow().date()
    return form


def shift_name(shift: Shift) -> str:
    from flask_babel import get_locale
    return shift.name_zh if str(get_locale()).startswith("zh") else shift.name_en


bp.add_app_template_global(shift_name)


@bp.get("")
@login_required
def index():
    require("handover.use")
    since = utcnow() - timedelta(hours=24)
    return render("handover/index.html", "handover/index.html",
                  received=rules.received_notes(current_user, since),
                  written=rules.written_notes(current_user, since),
                  draft=rules.current_draft(current_user), start_form=_start_form(), now=utcnow())


@bp.post("/notes")
@login_required
def start():
    require("handover.use")
    form = _start_form()
    if form.validate_on_submit():
        recipient_id, shift_id = parse_id(form.recipient_id.data), parse_id(form.shift_id.data)
        recipient = db.session.get(User, recipient_id) if recipient_id else None
        shift = db.session.get(Shift, shift_id) if shift_id else None
        try:
            if shift is None or not shift.active:
                raise RuleViolation(_("Choose the shift."), "shift_id")
            note, carried = rules.start_note(current_user, shift, form.shift_date.data, recipient, form.team.data or None)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_rule_error(violation)
        else:
            db.session.commit()
            if carried:
                flash(ngettext("%(num)d open item carried over from the notes you took over.",
                               "%(num)d open items carried over from the notes you took over.", carried), "info")
            return redirect_to(url_for("handover.note", note_id=note.id))
    since = utcnow() - timedelta(hours=24)
    return render("handover/index.html", "handover/_start_form.html", 422, start_form=form,
                  received=rules.received_notes(current_user, since),
                  written=rules.written_notes(current_user, since), draft=None, now=utcnow())


def _note_context(note, **extra):
    context = dict(note=note, now=utcnow(), item_form=ItemForm(formdata=None),
                   addendum_form=AddendumForm(formdata=None), my_customers=_my_customers())
    return context | extra


def _my_customers():
    return db.session.execute(sa.select(Customer.code, Customer.name_zh, Customer.name_en)
                              .where(Customer.owner_id == current_user.id).order_by(Customer.code)).all()


@bp.get("/notes/<id:note_id>")
@login_required
def note(note_id: int):
    note = _note_or_404(note_id)
    require("handover.view", note)
    return render("handover/note.html", "handover/note.html", **_note_context(note))


@bp.post("/notes/<id:note_id>/summary")
@login_required
def summary(note_id: int):
    """Auto-save of the draft's remarks while the writer types."""
    note = _note_or_404(note_id)
    require("handover.write", note)
    if "summary" not in request.form:
        abort(400)
    text = request.form["summary"]
    try:
        rules.save_summary(current_user, note, clean_text(text))
    except RuleViolation as violation:
        db.session.rollback()
        return render_fragment("handover/_saved.html", 422, error=violation.message)
    db.session.commit()
    if not request.htmx:
        return redirect_to(url_for("handover.note", note_id=note.id))
    return render_fragment("handover/_saved.html", saved_at=note.updated_at)


def _items(note, status=200, item_form=None):
    note = _note_or_404(note.id) if status == 200 else note
    body, status = render_fragment("handover/_items.html", status, **_note_context(note, **(
        {"item_form": item_form} if item_form else {})))
    return make_response(body, status, retarget="#items", reswap="outerHTML")


def _item_values(form):
    customer_id = None
    if form.customer_code.data:
        customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == form.customer_code.data))
        if customer_id is None:
            raise RuleViolation(_("No customer has this code."), "customer_code")
    return {"text": form.text.data, "priority": form.priority.data, "category": form.category.data,
            "customer_id": customer_id, "due_at": local_to_utc(form.due_at.data)}


@bp.post("/notes/<id:note_id>/items")
@login_required
def item_add(note_id: int):
    note = _note_or_404(note_id)
    require("handover.write", note)
    form = ItemForm()
    if save_form(form, lambda: rules.add_item(current_user, note, _item_values(form))) is None:
        if not request.htmx:
            return redirect_to(url_for("handover.note", note_id=note.id))
        return _items(note)
    return _items(_note_or_404(note_id), 422, form)


@bp.route("/notes/<id:note_id>/items/<id:item_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(note_id: int, item_id: int):
    note = _note_or_404(note_id)
    require("handover.write", note)
    entry = _entry_or_404(note, item_id)
    item = entry.item
    if not rules.is_fresh(item, note):
        abort(409)
    form = ItemForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.customer_code.data = item.customer.code if item.customer else ""
        form.due_at.data = utc_to_local(item.due_at)
    status = save_form(form, lambda: rules.update_item(current_user, note, item, form.version.data,
                                                       _item_values(form)))
    if status is None:
        if not request.htmx:
            return redirect_to(url_for("handover.note", note_id=note.id))
        return _items(note)
    return render("handover/item_form.html", "handover/_item_form.html", status, note=note, entry=entry, form=form)


def _item_action(note_id: int, item_id: int, permission: str, action):
    note = _note_or_404(note_id)
    require(permission, note if permission == "handover.write" else None)
    if permission != "handover.write":
        require("handover.view", note)
    entry = _entry_or_404(note, item_id)
    try:
        action(note, entry.item)
    except RuleViolation as violation:  # StaleRecord included: the refusal says why
        db.session.rollback()
        flash(violation.message, "error")
        if not request.htmx:
            return redirect_to(url_for("handover.note", note_id=note_id))
        return _items(note)
    db.session.commit()
    if not request.htmx:
        return redirect_to(url_for("handover.note", note_id=note_id))
    return _items(note)


@bp.post("/notes/<id:note_id>/items/<id:item_id>/delete")
@login_required
def item_delete(note_id: int, item_id: int):
    return _item_action(note_id, item_id, "handover.write",
                        lambda note, item: rules.remove_item(current_user, note, item))


@bp.post("/notes/<id:note_id>/items/<id:item_id>/move")
@login_required
def item_move(note_id: int, item_id: int):
    offset = -1 if request.form.get("direction") == "up" else 1
    return _item_action(note_id, item_id, "handover.write",
                        lambda note, item: rules.move_item(current_user, note, item, offset))


@bp.post("/notes/<id:note_id>/items/<id:item_id>/close")
@login_required
def item_close(note_id: int, item_id: int):
    def close(note, item):
        rules.close_item(current_user, item, request.form.get("version"))
        flash(_("Item closed on every note it stands on."), "success")
    return _item_action(note_id, item_id, "handover.close_item", close)


@bp.post("/notes/<id:note_id>/items/<id:item_id>/reopen")
@login_required
def item_reopen(note_id: int, item_id: int):
    return _item_action(note_id, item_id, "handover.close_item",
                        lambda note, item: rules.reopen_item(current_user, item, request.form.get("version")))


def _note_action(note_id: int, action, success: str):
    """Submit or acknowledge: the rule says why it refuses (own note, twice, ...), in words."""
    note = _note_or_404(note_id)
    require("handover.use")
    require("handover.view", note)
    try:
        action(note)
    except RuleViolation as violation:
        db.session.rollback()
        return _refused(note, violation.message)
    db.session.commit()
    flash(success, "success")
    return redirect_to(url_for("handover.note", note_id=note.id))


def _refused(note, message):
    flash(message, "error")
    if request.htmx:
        return make_response("", 409)
    return redirect_to(url_for("handover.note", note_id=note.id))


@bp.post("/notes/<id:note_id>/submit")
@login_required
def submit(note_id: int):
    return _note_action(note_id, lambda n: rules.submit_note(current_user, n),
                        _("Note handed over. It shows as unacknowledged until it is taken over."))


@bp.post("/notes/<id:note_id>/acknowledge")
@login_required
def acknowledge(note_id: int):
    return _note_action(note_id, lambda n: rules.acknowledge(current_user, n),
                        _("Handover acknowledged. Its open items are yours to carry."))


@bp.post("/notes/<id:note_id>/carry")
@login_required
def carry(note_id: int):
    note = _note_or_404(note_id)
    require("handover.write", note)
    carried, closed = rules.carry_over_open_items(current_user, note)
    db.session.commit()
    if carried:
        flash(ngettext("%(num)d open item carried over.", "%(num)d open items carried over.", carried), "success")
    else:
        flash(_("No open items are waiting to be carried over."), "info")
    if closed:
        flash(ngettext("%(num)d item was closed meanwhile and was not carried.",
                       "%(num)d items were closed meanwhile and were not carried.", closed), "info")
    return redirect_to(url_for("handover.note", note_id=note.id))


@bp.post("/notes/<id:note_id>/addenda")
@login_required
def addendum(note_id: int):
    note = _note_or_404(note_id)
    require("handover.addendum", note)
    form = AddendumForm()
    if form.validate_on_submit():
        rules.add_addendum(current_user, note, form.text.data)
        db.session.commit()
        flash(_("Addendum added."), "success")
        return redirect_to(url_for("handover.note", note_id=note.id))
    return render("handover/note.html", "handover/_addenda.html", 422, **_note_context(note, addendum_form=form))


@bp.get("/board")
@login_required
def board():
    require("handover.board")
    return render("handover/board.html", "handover/board.html", notes=rules.board(_today()), now=utcnow())


@bp.get("/history")
@login_required
def history():
    require("handover.history")
    agent = request.args.get("agent", "")
    customer_code = text_arg("customer", 12).upper()
    customer_id = db.session.scalar(sa.select(Customer.id).where(Customer.code == customer_code)) \
        if customer_code else None
    filters = rules.NoteFilters(
        date_from=date_arg("from"), date_to=date_arg("to"),
        agent_id=parse_id(agent),
        customer_id=customer_id if customer_code else None, q=request.args.get("q", "")[:100])
    if customer_code and customer_id is None:
        filters.customer_id = -1  # an unknown code matches nothing, not everything
    after = request.args.get("after")
    page = rules.history(filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, agents=staff_owners(), customer_code=customer_code,
                   agent_arg=agent, now=utcnow(), after=after)
    if after:
        return render("handover/history.html", "handover/_history_rows.html", **context)
    return render("handover/history.html", "handover/_history_results.html", **context)


# --- shift definitions (admin) -----------------------------------------------------------------


@bp.get("/shifts")
@login_required
def shifts():
    require("handover.shifts")
    all_shifts = db.session.scalars(sa.select(Shift).order_by(Shift.position, Shift.starts_at)).all()
    return render("handover/shifts.html", "handover/shifts.html", shifts=all_shifts)


@bp.route("/shifts/new", methods=["GET", "POST"])
@bp.route("/shifts/<id:shift_id>", methods=["GET", "POST"])
@login_required
def shift_edit(shift_id: int | None = None):
    require("handover.shifts")
    shift = db.session.get(Shift, shift_id) if shift_id else None
    if shift_id and shift is None:
        abort(404)
    form = ShiftForm(obj=shift if request.method == "GET" else None)
    if request.method == "GET" and shift is None:
        form.timezone.data = current_app.config["PORTAL_TIMEZONE"]
    status = save_form(form, lambda: rules.save_shift(current_user, shift, form.version.data, form.values()))
    if status is None:
        flash(_("Shift saved."), "success")
        return redirect_to(url_for("handover.shifts"))
    return render("handover/shift_form.html", "handover/_shift_form.html", status, form=form, shift=shift)
