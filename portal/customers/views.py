"""Customers: list with search and filters, create, edit, detail with contacts, owner, grade, credit."""
from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htmx_flask import make_response

from portal.auth.models import User
from portal.auth.rules import book_holders
from portal.core import audit
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import is_fragment_request, render, render_fragment, trigger
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core import timeline as timelines
from portal.core.clock import today
from portal.core.urls import text_arg
from portal.customers import queries, rules
from portal.customers.forms import BookHandoverForm, ContactForm, CreditForm, CustomerForm, GradeForm, OwnerForm
from portal.customers.models import Contact
from portal.extensions import db

bp = Blueprint("customers", __name__, url_prefix="/customers")

CHANGED = "customerChanged"  # panels of the detail page refresh on this event



def _customer_or_404(customer_id: int):
    return queries.load_customer(customer_id) or abort(404)


def _contact_or_404(customer, contact_id: int) -> Contact:
    for contact in customer.contacts:
        if contact.id == contact_id:
            return contact
    abort(404)


def _user(value) -> User | None:
    user_id = parse_id(value)
    return db.session.get(User, user_id) if user_id else None


def _owner_choices():
    return options((u.id, u.display_name) for u in book_holders())


def _filters_from_request() -> queries.CustomerFilters:
    args = request.args
    owner = args.get("owner", "")
    owner_id = current_user.id if owner == "me" else parse_id(owner)
    return queries.CustomerFilters(
        q=text_arg("q"), kind=args.get("kind") or None, grade=args.get("grade") or None,
        owner_id=owner_id, vip=args.get("vip") == "1", state_owned=args.get("state_owned") == "1")


@bp.get("")
@login_required
def index():
    require("customers.list")
    filters = _filters_from_request()
    sort = request.args.get("sort", "name")
    sort = sort if sort in queries.SORTS else "name"
    descending = request.args.get("dir") == "desc"
    after = request.args.get("after")
    page = queries.list_customers(filters, sort, descending, after, current_app.config["PAGE_SIZE"])
    context = dict(page=page, filters=filters, sort=sort, descending=descending, after=after,
                   owner_arg=request.args.get("owner", ""))
    if after:
        # "Show more": the next rows replace the button row.
        return render("customers/index.html", "customers/_rows.html", **context)
    if not is_fragment_request():
        if can(current_user, "customers.reassign"):
            context["owners"], context["orphaned"] = queries.owners_and_orphaned_books()
        else:
            context["owners"] = book_holders()
    return render("customers/index.html", "customers/_results.html", **context)


def _form_page(form, customer, status):
    return render("customers/form.html", "customers/_form.html", status, form=form, customer=customer)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require("customers.create")
    form = CustomerForm()
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    def create():
        owner = _user(form.owner_id.data)
        if form.owner_id.raw_data and form.owner_id.raw_data[0] and owner is None:
            raise RuleViolation(_("Choose an active agent or supervisor."), "owner_id")
        return rules.create_customer(current_user, form.profile(), form.grade.data, owner)

    return submit(
        form, create,
        done=lambda customer: saved(_("Customer %(name)s created.", name=customer.display_name),
                                    url_for("customers.detail", customer_id=customer.id)),
        again=lambda status: _form_page(form, None, status))


@bp.route("/<id:customer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.edit", customer)
    form = CustomerForm(obj=customer if request.method == "GET" else None)
    return submit(
        form, lambda: rules.update_customer(current_user, customer, form.version.data, form.profile()),
        done=lambda _c: saved(_("Changes to %(name)s saved.", name=customer.display_name),
                              url_for("customers.detail", customer_id=customer.id)),
        again=lambda status: _form_page(form, customer, status))


def _panel_forms(customer):
    owner_form = OwnerForm(formdata=None, version=customer.version, owner_id=customer.owner_id)
    owner_form.owner_id.choices = _owner_choices()
    return dict(owner_form=owner_form,
                grade_form=GradeForm(formdata=None, version=customer.version, grade=customer.grade),
                credit_form=CreditForm(formdata=None, obj=customer))


def _audit_context(customer) -> dict:
    entries = audit.entries_for(customer)
    return {"audit_entries": entries, "user_names": audit.user_names(entries)}


@bp.get("/<id:customer_id>")
@login_required
def detail(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.view", customer)
    return render("customers/detail.html", "customers/detail.html", customer=customer,
                  contact_form=ContactForm(formdata=None), grades=queries.grade_history(customer),
                  today=today(current_app.config["PORTAL_TIMEZONE"]), **_timeline_context(customer),
                  **(_audit_context(customer) if can(current_user, "audit.view") else {}),
                  **_panel_forms(customer))


@bp.get("/<id:customer_id>/history")
@login_required
def history(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("audit.view", customer)
    return render_fragment("customers/_audit.html", customer=customer, **_audit_context(customer))


def _timeline_context(customer) -> dict:
    """R-V4: one page of the customer's timeline, of the kinds asked for (?kind=, repeatable)."""
    known = dict(timelines.kinds(current_app))
    wanted = {k for k in request.args.getlist("kind") if k in known}
    page = timelines.timeline_page(current_app, customer.id, current_user, wanted or None, request.args.get("after"),
                                   current_app.config["PAGE_SIZE"])
    return {"timeline": page.items, "timeline_page": page, "timeline_kinds": known, "timeline_wanted": wanted}


@bp.get("/<id:customer_id>/timeline")
@login_required
def timeline(customer_id: int):
    """The timeline panel (after a change, or filtered by kind); with ?after=, its next entries."""
    customer = _customer_or_404(customer_id)
    require("customers.view", customer)
    context = _timeline_context(customer)
    template = "customers/_timeline_entries.html" if request.args.get("after") else "customers/_timeline.html"
    return render_fragment(template, customer=customer, **context)


def _account_panel(customer_id: int, status: int = 200, **forms):
    """The account panel (owner, grade, credit); after a change, the page's other panels refresh."""
    customer = _customer_or_404(customer_id)
    body, status = render_fragment("customers/_account.html", status, customer=customer,
                                   grades=queries.grade_history(customer), **(_panel_forms(customer) | forms))
    response = make_response(body, status)
    return trigger(response, CHANGED) if status == 200 else response


def _account_post(customer_id: int, form, form_name: str, apply, message):
    return submit(form, apply,
                  done=lambda _result: (flash(message(), "success"), _account_panel(customer_id))[1],
                  again=lambda status: _account_panel(customer_id, status, **{form_name: form}))


@bp.post("/<id:customer_id>/owner")
@login_required
def reassign(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.reassign", customer)
    form = OwnerForm()
    form.owner_id.choices = _owner_choices()
    new_owner = _user(form.owner_id.data)
    # R-H4: the move and the new owner's handover note are one change.
    return _account_post(customer_id, form, "owner_form",
                         lambda: rules.reassign_owner(current_user, customer, new_owner, form.version.data),
                         lambda: _("%(customer)s now belongs to %(owner)s, with a handover note listing its open "
                                   "items.", customer=customer.display_name, owner=new_owner.display_name))


@bp.post("/<id:customer_id>/grade")
@login_required
def grade(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.grade", customer)
    form = GradeForm()
    return _account_post(customer_id, form, "grade_form",
                         lambda: rules.change_grade(current_user, customer, form.grade.data, form.reason.data,
                                                    form.version.data),
                         lambda: _("Grade changed to %(grade)s.", grade=form.grade.data))


@bp.post("/<id:customer_id>/credit")
@login_required
def credit(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.credit", customer)
    form = CreditForm()
    return _account_post(customer_id, form, "credit_form",
                         lambda: rules.set_credit(current_user, customer, form.version.data,
                                                  form.credit_terms_days.data, form.credit_limit.data,
                                                  form.credit_currency.data),
                         lambda: _("Credit terms saved."))


# --- contacts, edited inline ----------------------------------------------------------------


def _contacts(customer_id: int, status=200, contact_form=None):
    customer = _customer_or_404(customer_id)
    body, status = render_fragment("customers/_contacts.html", status, customer=customer,
                                   contact_form=contact_form or ContactForm(formdata=None))
    # Whatever element asked (a row's form, the add form), the whole section is replaced.
    response = make_response(body, status, retarget="#contacts", reswap="outerHTML")
    return trigger(response, CHANGED) if status == 200 and request.method == "POST" else response


def _contact_saved(customer_id: int, message: str):
    if not request.htmx:
        return saved(message, url_for("customers.detail", customer_id=customer_id))
    flash(message, "success")
    return _contacts(customer_id)


@bp.post("/<id:customer_id>/contacts")
@login_required
def contact_add(customer_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.edit", customer)
    form = ContactForm()
    return submit(form, lambda: rules.add_contact(current_user, customer, form.values()),
                  done=lambda contact: _contact_saved(customer_id, _("Contact %(name)s added.", name=contact.name)),
                  again=lambda status: _contacts(customer_id, status, form))


@bp.get("/<id:customer_id>/contacts/<id:contact_id>")
@login_required
def contact_show(customer_id: int, contact_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.view", customer)
    return render_fragment("customers/_contact.html", customer=customer, contact=_contact_or_404(customer, contact_id))


@bp.route("/<id:customer_id>/contacts/<id:contact_id>/edit", methods=["GET", "POST"])
@login_required
def contact_edit(customer_id: int, contact_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.edit", customer)
    contact = _contact_or_404(customer, contact_id)
    form = ContactForm(obj=contact if request.method == "GET" else None)
    return submit(
        form, lambda: rules.update_contact(current_user, customer, contact, form.version.data, form.values()),
        done=lambda _c: _contact_saved(customer_id, _("Contact %(name)s saved.", name=contact.name)),
        again=lambda status: render("customers/contact_form.html", "customers/_contact_form.html", status,
                                    customer=customer, contact=contact, form=form))


@bp.post("/<id:customer_id>/contacts/<id:contact_id>/delete")
@login_required
def contact_delete(customer_id: int, contact_id: int):
    customer = _customer_or_404(customer_id)
    require("customers.edit", customer)
    contact = _contact_or_404(customer, contact_id)
    name = contact.name
    return submit(ActionForm(), lambda: rules.remove_contact(current_user, customer, contact),
                  done=lambda _r: _contact_saved(customer_id, _("Contact %(name)s removed.", name=name)),
                  back=url_for("customers.detail", customer_id=customer_id))


# --- a leaver's book (R-H4) ---------------------------------------------------------------------------


def _book_form(leaver: User, colleagues: list[User]) -> BookHandoverForm:
    if request.method == "POST":
        form = BookHandoverForm()
    else:
        form = BookHandoverForm(formdata=None, data={"rows": [
            {"customer_id": c.id, "version": c.version, "receiver_id": ""} for c in queries.book_of(leaver.id)]})
    choices = options([("", _("— stays for now"))] + [(u.id, u.display_name) for u in colleagues])
    for row in form.rows:
        row.receiver_id.choices = choices
    form.share_among.choices = options((u.id, u.display_name) for u in colleagues)
    return form


def _book_plan(form: BookHandoverForm, colleagues: list[User]) -> tuple[dict[int, User], dict[int, int]]:
    """The posted rows as {customer id: receiver} and {customer id: version seen}."""
    by_id = {u.id: u for u in colleagues}
    plan, versions = {}, {}
    for row in form.rows:
        customer_id, version = parse_id(row.customer_id.data), parse_id(row.version.data)
        if customer_id is None:
            continue
        versions[customer_id] = version
        receiver_id = parse_id(row.receiver_id.data)
        if row.receiver_id.data and receiver_id not in by_id:
            raise RuleViolation(_("Choose a colleague from the list for each customer."))
        if receiver_id:
            plan[customer_id] = by_id[receiver_id]
    return plan, versions


def _share(form: BookHandoverForm, colleagues: list[User], customers: dict) -> bool:
    """Fill in the rows without a receiver, evenly among the colleagues ticked (nothing saved)."""
    chosen = [u for u in colleagues if u.id in set(form.share_among.data or [])]
    if not chosen:
        form.share_among.errors = [_("Tick one or more colleagues to share the customers among.")]
        return False
    open_rows = {parse_id(r.customer_id.data): r for r in form.rows if not r.receiver_id.data}
    plan = rules.spread([customers[i] for i in open_rows if i in customers], chosen)
    for customer_id, receiver in plan.items():
        open_rows[customer_id].receiver_id.data = str(receiver.id)
    return True


@bp.route("/book/<id:user_id>", methods=["GET", "POST"])
@login_required
def book(user_id: int):
    """Hand over a colleague's book: all or some of their customers, to one or several
    colleagues, in one change with a handover note for each receiver."""
    require("customers.reassign")
    leaver = _user(user_id) or abort(404)
    colleagues = [u for u in book_holders() if u.id != leaver.id]
    form = _book_form(leaver, colleagues)
    customers = queries.customers_by_id(parse_id(r.customer_id.data) for r in form.rows)

    def page(status):
        return render("customers/book.html", "customers/_book_form.html", status, form=form, leaver=leaver,
                      customers=customers, colleagues=colleagues)

    if request.method == "POST" and request.form.get("action") == "share":
        shared = form.validate_on_submit() and _share(form, colleagues, customers)
        return page(200 if shared else 422)

    def hand_over():
        plan, versions = _book_plan(form, colleagues)
        return rules.hand_over_book(current_user, leaver, plan, versions)

    def done(shares):
        summary = _(", ").join(f"{u.display_name} ({n})" for u, n in sorted(shares.items(), key=lambda s: s[0].display_name))
        return saved(_("Customers handed over: %(shares)s. Each receiver has a handover note to acknowledge.",
                       shares=summary), url_for("customers.book", user_id=leaver.id))

    return submit(form, hand_over, done=done, again=page)
