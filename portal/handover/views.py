"""Shift handover: my shift, the note editor, acknowledgement, the board, history, shift settings."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.models import User
from portal.auth.rules import book_holders
from portal.core import links
from portal.core.clock import now
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import render, render_fragment
from portal.core.i18n import local_to_utc, utc_to_local
from portal.core.policy import require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.customers.models import Customer
from portal.customers.queries import customer_id_for_code, normal_code
from portal.extensions import db
from portal.handover import queries, rules
from portal.handover.forms import (AddendumForm, ItemActionForm, ItemForm, MoveForm, ShiftForm, StartNoteForm,
                                   SummaryForm)
from portal.handover.models import Shift

bp = Blueprint("handover", __name__, url_prefix="/handover")


def _note_or_404(note_id: int):
    return queries.load_note(note_id) or abort(404)


def _entry_or_404(note, item_id: int):
    for entry in note.entries:
        if entry.item_id == item_id:
            return entry
    abort(404)


def _today() -> date:
    found = rules.shift_at(now())
    return found[1] if found else now().date()


def shift_name(shift: Shift) -> str:
    """The shift's name in the reader's language."""
    from flask_babel import get_locale
    return shift.name_in(str(get_locale()))


def _start_form():
    form = StartNoteForm()
    shifts = rules.active_shifts()
    form.shift_id.choices = options((s.id, shift_name(s)) for s in shifts)
    form.recipient_id.choices = options([("", _("Choose a colleague"))] + [
        (u.id, u.display_name) for u in book_holders() if u.id != current_user.id])
    if request.method == "GET":
        found = rules.shift_at(now(), shifts)
        if found:
            form.shift_id.data, form.shift_date.data = found[0].id, found[1]
        else:
            form.shift_date.data = now().date()
    return form


def _desk(status=200, start_form=None):
    since = now() - timedelta(hours=24)
    return render("handover/index.html", "handover/_start_form.html" if start_form else "handover/index.html", status,
                  received=queries.received_notes(current_user, since),
                  written=queries.written_notes(current_user, since),
                  draft=queries.current_draft(current_user), start_form=start_form or _start_form(), now=now())


@bp.get("")
@login_required
def index():
    require("handover.use")
    return _desk()


@bp.post("/notes")
@login_required
def start():
    require("handover.use")
    form = _start_form()

    def begin():
        shift_id, recipient_id = parse_id(form.shift_id.data), parse_id(form.recipient_id.data)
        shift = db.session.get(Shift, shift_id) if shift_id else None
        if shift is None or not shift.active:
            raise RuleViolation(_("Choose the shift."), "shift_id")
        recipient = db.session.get(User, recipient_id) if recipient_id else None
        return rules.start_note(current_user, shift, form.shift_date.data, recipient, form.team.data or None)

    def started(result):
        note, carried = result
        if carried:
            flash(ngettext("%(num)d open item carried over from the notes you took over.",
                           "%(num)d open items carried over from the notes you took over.", carried), "info")
        return saved(None, url_for("handover.note", note_id=note.id))

    return submit(form, begin, done=started, again=lambda status: _desk(status, form))


def _item_form(blank: bool = False):
    form = ItemForm(formdata=None) if blank else ItemForm()
    form.subject_type.choices = options([("", "—")] + [(k.name, k.label) for k in links.subject_kinds().values()])
    return form


def _note_context(note, **extra):
    context = dict(note=note, now=now(), item_form=_item_form(blank=True),
                   addendum_form=AddendumForm(formdata=None), my_customers=_my_customers(),
                   subjects=links.describe_subjects((e.item.subject_type, e.item.subject_id) for e in note.entries))
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
    form = SummaryForm()
    if "summary" not in request.form:
        abort(400)

    def again(status):
        errors = form.summary.errors or form.form_errors
        return render_fragment("handover/_saved.html", status, error=errors[0] if errors else None)

    def done(_result):
        if not request.htmx:
            return saved(None, url_for("handover.note", note_id=note.id))
        return render_fragment("handover/_saved.html", saved_at=note.updated_at)

    return submit(form, lambda: rules.save_summary(current_user, note, form.summary.data or ""), done=done, again=again)


def _items(note_id: int, status=200, item_form=None):
    """The note's item list, re-read; a refusal (422) keeps what was typed in the add form."""
    note = _note_or_404(note_id)
    body, status = render_fragment("handover/_items.html", status, **_note_context(note, **(
        {"item_form": item_form} if item_form else {})))
    return make_response(body, status, retarget="#items", reswap="outerHTML")


def _items_saved(note_id: int, message: str | None = None):
    if not request.htmx:
        return saved(message, url_for("handover.note", note_id=note_id))
    if message:
        flash(message, "success")
    return _items(note_id)


def _item_values(form):
    customer_id = None
    if form.customer_code.data:
        customer_id = customer_id_for_code(form.customer_code.data)
        if customer_id is None:
            raise RuleViolation(_("No customer has this code."), "customer_code")
    subject_type = subject_id = None
    if form.subject_ref.data:
        subject_type = form.subject_type.data or None
        if subject_type is None:
            raise RuleViolation(_("Choose what the item is about."), "subject_type")
        subject_id = links.find_subject(subject_type, form.subject_ref.data)
        if subject_id is None:
            raise RuleViolation(_("Nothing of that kind has this number."), "subject_ref")
    return {"text": form.text.data, "priority": form.priority.data, "category": form.category.data,
            "customer_id": customer_id, "due_at": local_to_utc(form.due_at.data), "subject_type": subject_type,
            "subject_id": subject_id}


@bp.post("/notes/<id:note_id>/items")
@login_required
def item_add(note_id: int):
    note = _note_or_404(note_id)
    require("handover.write", note)
    form = _item_form()
    return submit(form, lambda: rules.add_item(current_user, note, _item_values(form)),
                  done=lambda _item: _items_saved(note_id),
                  again=lambda status: _items(note_id, status, form))


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
    form.subject_type.choices = _item_form(blank=True).subject_type.choices
    if request.method == "GET":
        form.customer_code.data = item.customer.code if item.customer else ""
        form.due_at.data = utc_to_local(item.due_at)
        subject = links.describe_subjects([(item.subject_type, item.subject_id)]).get((item.subject_type,
                                                                                       item.subject_id))
        form.subject_type.data, form.subject_ref.data = item.subject_type or "", subject.reference if subject else ""
    return submit(form, lambda: rules.update_item(current_user, note, item, form.version.data, _item_values(form)),
                  done=lambda _r: _items_saved(note_id),
                  again=lambda status: render("handover/item_form.html", "handover/_item_form.html", status,
                                              note=note, entry=entry, form=form))


def _item_action(note_id: int, item_id: int, change, form=None, message=None, writing=False):
    """A button on one item (remove, move, close, reopen): a refusal is a toast, the list re-reads."""
    note = _note_or_404(note_id)
    require("handover.write" if writing else "handover.close_item", note if writing else None)
    require("handover.view", note)
    item = _entry_or_404(note, item_id).item
    form = form or ActionForm()
    return submit(form, lambda: change(note, item, form), done=lambda _r: _items_saved(note_id, message),
                  back=url_for("handover.note", note_id=note_id))


@bp.post("/notes/<id:note_id>/items/<id:item_id>/delete")
@login_required
def item_delete(note_id: int, item_id: int):
    return _item_action(note_id, item_id, lambda note, item, f: rules.remove_item(current_user, note, item),
                        writing=True)


@bp.post("/notes/<id:note_id>/items/<id:item_id>/move")
@login_required
def item_move(note_id: int, item_id: int):
    return _item_action(note_id, item_id,
                        lambda note, item, f: rules.move_item(current_user, note, item,
                                                              -1 if f.direction.data == "up" else 1),
                        form=MoveForm(), writing=True)


@bp.post("/notes/<id:note_id>/items/<id:item_id>/close")
@login_required
def item_close(note_id: int, item_id: int):
    return _item_action(note_id, item_id, lambda note, item, f: rules.close_item(current_user, item, f.version.data),
                        form=ItemActionForm(), message=_("Item closed on every note it stands on."))


@bp.post("/notes/<id:note_id>/items/<id:item_id>/reopen")
@login_required
def item_reopen(note_id: int, item_id: int):
    return _item_action(note_id, item_id, lambda note, item, f: rules.reopen_item(current_user, item, f.version.data),
                        form=ItemActionForm())


def _note_action(note_id: int, change, message: str):
    """Submit or acknowledge: the rule says why it refuses (own note, twice, ...), as a toast."""
    note = _note_or_404(note_id)
    require("handover.use")
    require("handover.view", note)
    here = url_for("handover.note", note_id=note.id)
    return submit(ActionForm(), lambda: change(note), done=lambda _r: saved(message, here), back=here)


@bp.post("/notes/<id:note_id>/submit")
@login_required
def submit_note(note_id: int):
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

    def carried(result):
        carried, closed = result
        if carried:
            flash(ngettext("%(num)d open item carried over.", "%(num)d open items carried over.", carried), "success")
        else:
            flash(_("No open items are waiting to be carried over."), "info")
        if closed:
            flash(ngettext("%(num)d item was closed meanwhile and was not carried.",
                           "%(num)d items were closed meanwhile and were not carried.", closed), "info")
        return saved(None, url_for("handover.note", note_id=note.id))

    return submit(ActionForm(), lambda: rules.carry_over_open_items(current_user, note), done=carried,
                  back=url_for("handover.note", note_id=note.id))


@bp.post("/notes/<id:note_id>/addenda")
@login_required
def addendum(note_id: int):
    note = _note_or_404(note_id)
    require("handover.addendum", note)
    form = AddendumForm()
    return submit(form, lambda: rules.add_addendum(current_user, note, form.text.data),
                  done=lambda _a: saved(_("Addendum added."), url_for("handover.note", note_id=note.id)),
                  again=lambda status: render("handover/note.html", "handover/_addenda.html", status,
                                              **_note_context(note, addendum_form=form)))


@bp.get("/board")
@login_required
def board():
    """Unacknowledged notes of any age first (paged), then what was taken over today and yesterday."""
    require("handover.board")
    after = request.args.get("after")
    waiting = queries.board_waiting(after, current_app.config["PAGE_SIZE"])
    if after:
        return render("handover/board.html", "handover/_board_waiting.html", waiting=waiting, now=now())
    return render("handover/board.html", "handover/board.html", waiting=waiting,
                  recent=queries.board_recent(_today()), now=now())


@bp.get("/history")
@login_required
def history():
    require("handover.history")
    agent = request.args.get("agent", "")
    customer_code = normal_code(text_arg("customer", 12))
    filters = queries.NoteFilters(
        date_from=date_arg("from"), date_to=date_arg("to"), agent_id=parse_id(agent),
        customer_code=customer_code or None, q=text_arg("q"))
    after = request.args.get("after")
    page = queries.history(current_user, filters, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, customer_code=customer_code, agent_arg=agent, now=now(), after=after)
    if after:
        return render("handover/history.html", "handover/_history_rows.html", **context)
    context["agents"] = book_holders()
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
    return submit(form, lambda: rules.save_shift(current_user, shift, form.version.data, form.values()),
                  done=lambda _s: saved(_("Shift saved."), url_for("handover.shifts")),
                  again=lambda status: render("handover/shift_form.html", "handover/_shift_form.html", status,
                                              form=form, shift=shift))
