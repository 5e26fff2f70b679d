"""Visits: the desk (cadence lists, next actions, visits, cases waiting), the contact log, the calendar
and its iCalendar feed, the reactivation queue, complaint cases, review meetings, care reminders,
the team view and the settings. Thin: parse, ask the policy, call a rule through submit(), render."""
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, render_template, request, url_for
from babel.dates import format_skeleton, get_day_names
from flask_babel import get_locale, gettext as _, ngettext
from flask_login import current_user, login_required
from htmx_flask import make_response
from werkzeug.exceptions import RequestEntityTooLarge

from portal.auth.models import User
from portal.auth.rules import book_holders
from portal.core.clock import now, today
from portal.core.database import parse_id
from portal.core.forms import ActionForm, options, saved, submit
from portal.core.htmx import is_fragment_request, render, trigger
from portal.core.i18n import force_locale, local_to_utc, utc_to_local
from portal.core.policy import can, require
from portal.core.rules import RuleViolation
from portal.core.urls import date_arg, text_arg
from portal.customers.models import Contact, Customer
from portal.customers.queries import customer_by_code, load_customer, normal_code
from portal.extensions import csrf, db, limiter
from portal.visits import care, feed, queries, rules, workdays
from portal.visits.forms import (AttemptForm, CallbackForm, CancelForm, CaseForm, ClaimForm, ContactLogForm,
                                 EvidenceForm, GreetForm, HandlerForm, HandOverForm, MeetingForm, RespondForm,
                                 ResolveForm, SettingsForm, VisitForm, VisitOutcomeForm)
from portal.visits.models import ActionItem, CaseState, Channel, ComplaintCase, ContactEntry, Outcome, Purpose

bp = Blueprint("visits", __name__, url_prefix="/visits")

CHANGED = "customerChanged"     # the customer page's panels (the timeline) refresh on this event


def _today() -> date:
    return today(current_app.config["PORTAL_TIMEZONE"])


def month_title(day: date) -> str:
    """"December 2026", "2026年12月": a month named the way the reader's language names it."""
    return format_skeleton("yMMMM", day, locale=str(get_locale()))


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated in the reader's language (weeks start on Monday)."""
    names = get_day_names("abbreviated", locale=str(get_locale()))
    return [names[n] for n in range(7)]


def _size() -> int:
    return current_app.config["PAGE_SIZE"]


def _people():
    return options((u.id, u.display_name) for u in book_holders())


def _contacts(customer: Customer | None, blank: str = "—"):
    return options([("", blank)] + [(c.id, c.name) for c in (customer.contacts if customer else [])])


def _customer(code: str | None, field: str = "customer") -> Customer:
    """The customer a typed code names, with its contacts, or a refusal next to the field."""
    found = customer_by_code(code)
    if found is None:
        raise RuleViolation(_("No customer has this code."), field)
    return load_customer(found.id)


def _user(value) -> User | None:
    user_id = parse_id(value)
    return db.session.get(User, user_id) if user_id else None


def _owner_arg() -> int | None:
    """Whose lists: ?owner=<id> for a supervisor, else the reader's own."""
    wanted = parse_id(request.args.get("owner"))
    if wanted and wanted != current_user.id and can(current_user, "visits.team"):
        return wanted
    return current_user.id


# --- the desk ------------------------------------------------------------------------------------


def _due_page(owner_id: int, which: str, after: str | None = None, size: int | None = None):
    return queries.due_list(owner_id, which, _today(), after, size or _size())


@bp.get("")
@login_required
def index():
    """An agent's desk: customers overdue, due today and in the next seven days (R-V2), next
    actions, the week's visits, complaints waiting for a first response, agreements ending."""
    require("visits.use")
    day, moment = _today(), now()
    owner_id = current_user.id
    start, end = rules.day_bounds(day, day + timedelta(days=6), current_app.config["PORTAL_TIMEZONE"])
    return render("visits/index.html", "visits/index.html", day=day, now=moment,
                  counts=queries.due_counts(owner_id, day),
                  lists={which: _due_page(owner_id, which, size=10) for which in queries.DUE_LISTS},
                  actions=queries.next_actions(owner_id, size=10),
                  visits=queries.calendar(owner_id, start, end),
                  waiting=queries.waiting_for_response(owner_id, limit=10),
                  agreements=queries.agreements_ending(owner_id, day, limit=10))


@bp.get("/due")
@login_required
def due():
    """One cadence list (overdue, today, week), an agent's or, for a supervisor, a colleague's."""
    require("visits.use")
    which = request.args.get("which") if request.args.get("which") in queries.DUE_LISTS else "overdue"
    owner_id = _owner_arg()
    after = request.args.get("after")
    page = _due_page(owner_id, which, after)
    context = dict(page=page, which=which, owner=db.session.get(User, owner_id), day=_today())
    if after:
        return render("visits/due.html", "visits/_due_rows.html", **context)
    return render("visits/due.html", "visits/_due_results.html", **context)


@bp.get("/actions")
@login_required
def actions():
    """The reader's next actions still to do, by due date (their "Show more")."""
    require("visits.use")
    page = queries.next_actions(current_user.id, request.args.get("after"), _size())
    return render("visits/actions.html", "visits/_action_rows.html", page=page, day=_today())


# --- the contact log (R-V1) ------------------------------------------------------------------------


def _log_filters() -> queries.LogFilters:
    code = normal_code(text_arg("customer", 12))
    customer = customer_by_code(code) if code else None
    return queries.LogFilters(q=text_arg("q"), agent_id=parse_id(request.args.get("agent")),
                              customer_id=customer.id if customer else (-1 if code else None),
                              channel=text_arg("channel", 10) or None, purpose=text_arg("purpose", 24) or None)


@bp.get("/log")
@login_required
def log():
    require("visits.view")
    filters = _log_filters()
    after = request.args.get("after")
    page = queries.contact_log(filters, after, _size())
    context = dict(page=page, filters=filters, customer_code=normal_code(text_arg("customer", 12)),
                   agent_arg=request.args.get("agent", ""), day=_today())
    if after:
        return render("visits/log.html", "visits/_log_rows.html", **context)
    if not is_fragment_request():
        context["agents"] = book_holders()
    return render("visits/log.html", "visits/_log_results.html", **context)


def _prepare_contact_form(form: ContactLogForm, customer: Customer | None):
    form.contact_id.choices = _contacts(customer)
    form.next_owner_id.choices = _people()
    if request.method == "GET":
        primary = next((c for c in customer.contacts if c.is_primary), None) if customer else None
        form.contact_id.data = primary.id if primary else None
        form.next_owner_id.data = current_user.id


def _contact_fields(form) -> rules.ContactFields:
    return rules.ContactFields(
        channel=form.channel.data, purpose=form.purpose.data, notes=form.notes.data or "",
        at=local_to_utc(form.at.data) if form.at.data else None, contact_id=form.contact_id.data,
        contact_name=form.contact_name.data or "", outcome=form.outcome.data or "",
        satisfaction=form.satisfaction.data or None, next_action=form.next_action.data or "",
        next_due_on=form.next_due_on.data, next_owner=_user(form.next_owner_id.data) if form.next_owner_id.data
        else None)


@bp.route("/log/new", methods=["GET", "POST"])
@login_required
def log_new():
    """Log a contact for a customer named by its code."""
    require("visits.use")
    form = ContactLogForm()
    code = form.customer.data if request.method == "POST" else normal_code(text_arg("customer", 12))
    found = customer_by_code(code) if code else None
    customer = load_customer(found.id) if found else None
    _prepare_contact_form(form, customer)
    if request.method == "GET" and customer:
        form.customer.data = customer.code
        purpose = request.args.get("purpose")
        if Purpose.get(purpose):
            form.purpose.data = purpose

    def apply():
        return rules.log_contact(current_user, _customer(form.customer.data), _contact_fields(form))

    return submit(form, apply,
                  done=lambda entry: saved(_("Contact with %(customer)s logged.",
                                             customer=entry.customer.display_name),
                                           url_for("visits.entry", entry_id=entry.id)),
                  again=lambda status: render("visits/log_form.html", "visits/_log_form.html", status, form=form,
                                              customer=customer))


def panel(customer) -> str:
    """The customer page's visits panel (core.links): where the customer stands on its cadence,
    its upcoming visits and open complaints, and the inline form to log a call."""
    if not can(current_user, "visits.view"):
        return ""
    form = ContactLogForm(formdata=None)
    _prepare_contact_form(form, customer)
    return _panel_html(customer, form)


def _panel_html(customer, form, opened: bool = False) -> str:
    return render_template("visits/_customer_panel.html", customer=customer, form=form, opened=opened,
                           cadence=queries.cadence_of(customer.id), day=_today(),
                           upcoming=queries.upcoming_visits(customer.id, now()),
                           open_cases=queries.open_cases_of(customer.id))


@bp.route("/customers/<id:customer_id>/contact", methods=["GET", "POST"])
@login_required
def log_call(customer_id: int):
    """R-V1 from the customer's page: log a call in a few actions; the panel and the timeline
    refresh in place (a plain form goes back to the customer's page)."""
    customer = load_customer(customer_id) or abort(404)
    require("visits.log", customer)
    form = ContactLogForm()
    _prepare_contact_form(form, customer)

    def again(status):
        if request.htmx:
            return make_response(_panel_html(customer, form, opened=True), status)
        return render("visits/log_form.html", "visits/log_form.html", status, form=form, customer=customer,
                      fixed_customer=True)

    def done(entry):
        message = _("Contact with %(customer)s logged.", customer=customer.display_name)
        if not request.htmx:
            return saved(message, url_for("customers.detail", customer_id=customer.id))
        flash(message, "success")
        fresh = ContactLogForm(formdata=None)
        _prepare_contact_form(fresh, customer)
        fresh.contact_id.data = form.contact_id.data
        return trigger(make_response(_panel_html(load_customer(customer.id), fresh)), CHANGED)

    if request.method == "GET":
        return again(200)
    return submit(form, lambda: rules.log_contact(current_user, customer, _contact_fields(form)), done=done,
                  again=again)


@bp.get("/log/<id:entry_id>")
@login_required
def entry(entry_id: int):
    found = queries.load_entry(entry_id) or abort(404)
    require("visits.view")
    return render("visits/entry.html", "visits/entry.html", entry=found, day=_today(),
                  meeting=queries.meeting_of(found.id) if found.channel == Channel.MEETING else None)


@bp.post("/log/<id:entry_id>/done")
@login_required
def next_done(entry_id: int):
    found = db.session.get(ContactEntry, entry_id) or abort(404)
    require("visits.next_action", found)
    form = ActionForm()
    back = request.form.get("back") if (request.form.get("back") or "").startswith("/visits") else \
        url_for("visits.entry", entry_id=found.id)
    return submit(form, lambda: rules.finish_next_action(current_user, found, form.version.data),
                  done=lambda _e: saved(_("Next action done."), back), back=back)


# --- planned visits and the calendar ---------------------------------------------------------------------------


def _calendar_args(agents: list[User]):
    """agents: the chooser's book holders, where the agent asked for is looked up first."""
    view = "week" if request.args.get("view") == "week" else "month"
    day = date_arg("day") or _today()
    who = request.args.get("agent", "me")
    agent = current_user
    if who == "team":
        agent = None
    elif wanted := parse_id(who):
        agent = next((u for u in agents if u.id == wanted), None) or db.session.get(User, wanted) or current_user
    return view, day, who if agent is None or agent.id != current_user.id else "me", agent


@bp.get("/calendar")
@login_required
def calendar():
    """Planned and done visits by month or week (weeks start on Monday), an agent's or the team's."""
    require("visits.use")
    agents = book_holders()
    view, day, who, agent = _calendar_args(agents)
    if view == "week":
        first = rules.start_of_week(day)
        last = first + timedelta(days=6)
        shown_first, shown_last = first, last
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        shown_first = rules.start_of_week(first)
        shown_last = rules.start_of_week(last) + timedelta(days=6)
    zone = current_user.timezone or current_app.config["PORTAL_TIMEZONE"]
    start, end = rules.day_bounds(shown_first, shown_last, zone)
    items = queries.calendar(agent.id if agent else None, start, end)
    by_day: dict[date, list] = {}
    for item in items:
        by_day.setdefault(rules.local_date(item.starts_at, zone), []).append(item)
    days = [shown_first + timedelta(days=n) for n in range((shown_last - shown_first).days + 1)]
    if view == "week":
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
    else:
        previous, following = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
    return render("visits/calendar.html", "visits/calendar.html", view=view, day=day, first=first, last=last,
                  days=days, by_day=by_day, who=who, agent=agent, agents=agents, today=_today(),
                  previous=previous, following=following, festivals=dict(
                      (d, name) for name, d in workdays.festivals_between(shown_first, shown_last)))


def _prepare_visit_form(form: VisitForm, customer: Customer | None):
    form.contact_id.choices = _contacts(customer)
    form.agent_id.choices = _people()
    if request.method == "GET" and form.agent_id.data is None:
        form.agent_id.data = current_user.id


def _visit_fields(form: VisitForm) -> rules.VisitFields:
    return rules.VisitFields(starts_at=local_to_utc(form.starts_at.data), ends_at=local_to_utc(form.ends_at.data),
                             purpose=form.purpose.data, place=form.place.data or "",
                             contact_id=form.contact_id.data, agenda=form.agenda.data or "")


@bp.route("/calendar/new", methods=["GET", "POST"])
@login_required
def visit_new():
    require("visits.use")
    form = VisitForm()
    code = form.customer.data if request.method == "POST" else normal_code(text_arg("customer", 12))
    found = customer_by_code(code) if code else None
    customer = load_customer(found.id) if found else None
    _prepare_visit_form(form, customer)
    if request.method == "GET":
        form.customer.data = customer.code if customer else ""
        start = date_arg("day")
        if start:
            form.starts_at.data = datetime.combine(start, datetime.min.time()).replace(hour=10)
            form.ends_at.data = form.starts_at.data + timedelta(hours=1)
        if customer:
            form.place.data = customer.address or ""

    def apply():
        target = _customer(form.customer.data)
        agent = _user(form.agent_id.data) if can(current_user, "visits.team") and form.agent_id.data else None
        return rules.plan_visit(current_user, target, _visit_fields(form), agent)

    return submit(form, apply,
                  done=lambda v: saved(_("Visit to %(customer)s planned.", customer=v.customer.display_name),
                                       url_for("visits.calendar", day=utc_to_local(v.starts_at).date().isoformat(),
                                               agent="me" if v.agent_id == current_user.id else v.agent_id)),
                  again=lambda status: render("visits/visit_form.html", "visits/_visit_form.html", status, form=form,
                                              visit=None))


def _visit_or_404(visit_id: int):
    return queries.load_visit(visit_id) or abort(404)


@bp.get("/calendar/<id:visit_id>")
@login_required
def visit(visit_id: int):
    found = _visit_or_404(visit_id)
    require("visits.view")
    outcome = VisitOutcomeForm(formdata=None, version=found.version)
    outcome.next_owner_id.choices = _people()
    outcome.next_owner_id.data = current_user.id
    return render("visits/visit.html", "visits/visit.html", visit=found, now=now(), outcome_form=outcome,
                  cancel_form=CancelForm(formdata=None, version=found.version))


@bp.route("/calendar/<id:visit_id>/edit", methods=["GET", "POST"])
@login_required
def visit_edit(visit_id: int):
    found = _visit_or_404(visit_id)
    require("visits.visit", found)
    if request.method == "GET":
        form = VisitForm(formdata=None, obj=found, version=found.version, customer=found.customer.code,
                         starts_at=utc_to_local(found.starts_at), ends_at=utc_to_local(found.ends_at))
    else:
        form = VisitForm()
        form.customer.data = found.customer.code
    _prepare_visit_form(form, found.customer)
    return submit(form, lambda: rules.reschedule_visit(current_user, found, form.version.data, _visit_fields(form)),
                  done=lambda v: saved(_("Visit saved."), url_for("visits.visit", visit_id=v.id)),
                  again=lambda status: render("visits/visit_form.html", "visits/_visit_form.html", status, form=form,
                                              visit=found))


@bp.post("/calendar/<id:visit_id>/cancel")
@login_required
def visit_cancel(visit_id: int):
    found = _visit_or_404(visit_id)
    require("visits.visit", found)
    form = CancelForm()
    return submit(form, lambda: rules.cancel_visit(current_user, found, form.version.data, form.reason.data),
                  done=lambda v: saved(_("Visit cancelled."), url_for("visits.visit", visit_id=v.id)),
                  back=url_for("visits.visit", visit_id=found.id))


@bp.post("/calendar/<id:visit_id>/done")
@login_required
def visit_done(visit_id: int):
    """The visit took place: what was discussed, its outcome and satisfaction join the log."""
    found = _visit_or_404(visit_id)
    require("visits.visit", found)
    form = VisitOutcomeForm()
    form.next_owner_id.choices = _people()

    def apply():
        fields = rules.ContactFields(
            channel=Channel.VISIT, purpose=found.purpose, notes=form.notes.data or "",
            outcome=form.outcome.data or "", satisfaction=form.satisfaction.data or None,
            next_action=form.next_action.data or "", next_due_on=form.next_due_on.data,
            next_owner=_user(form.next_owner_id.data) if form.next_owner_id.data else None)
        return rules.record_visit(current_user, found, form.version.data, fields)

    return submit(form, apply,
                  done=lambda e: saved(_("Visit to %(customer)s recorded.", customer=found.customer.display_name),
                                       url_for("visits.entry", entry_id=e.id)),
                  again=lambda status: render("visits/visit.html", "visits/visit.html", status, visit=found,
                                              now=now(), outcome_form=form,
                                              cancel_form=CancelForm(formdata=None, version=found.version)))


# --- the calendar feed (iCalendar) -------------------------------------------------------------------------------


def _feed_url(token: str) -> str:
    base = current_app.config["PORTAL_BASE_URL"]
    path = url_for("visits.ics", token=token)
    return f"{base}{path}" if base else url_for("visits.ics", token=token, _external=True)


@bp.route("/calendar/feed", methods=["GET", "POST"])
@login_required
def feed_page():
    """The reader's private calendar address: make one (a new one ends the old), copy it, revoke it."""
    require("visits.feed")
    form = ActionForm()
    secret = current_app.config["SECRET_KEY"]

    def show(status=200):
        live = queries.live_feed_of(current_user.id)
        url = _feed_url(rules.feed_token(live, secret)) if live else None
        return render("visits/feed.html", "visits/feed.html", status, feed=live, url=url, form=form)

    if request.method == "GET":
        return show()
    return submit(form, lambda: rules.make_feed(current_user, secret),
                  done=lambda _r: saved(_("Your calendar address is ready: add it to your calendar app."),
                                        url_for("visits.feed_page")),
                  back=url_for("visits.feed_page"))


@bp.post("/calendar/feed/revoke")
@login_required
def feed_revoke():
    require("visits.feed")
    return submit(ActionForm(), lambda: rules.revoke_feed(current_user),
                  done=lambda _r: saved(_("Calendar address revoked: calendars that used it get nothing more."),
                                        url_for("visits.feed_page")),
                  back=url_for("visits.feed_page"))


def _missed(response) -> bool:
    return response.status_code == 404


@bp.get("/feed/<token>.ics")
@csrf.exempt
@limiter.limit(lambda: current_app.config["STATUS_MISS_LIMIT"], deduct_when=_missed, scope="calendar-miss")
@limiter.limit(lambda: current_app.config["STATUS_RATE_LIMIT"], scope="calendar-feed")
def ics(token: str):
    """The subscribable calendar of a user's visits: no login; a wrong or revoked token is a 404."""
    if not rules.FEED_TOKEN.fullmatch(token or ""):
        abort(404)
    found = queries.feed_for_digest(rules.token_digest(token))
    if found is None or found.revoked_at is not None:
        abort(404)
    user = db.session.get(User, found.user_id)
    if user is None or not user.active:
        abort(404)
    moment = now()
    visits = queries.agent_visits(user.id, moment - timedelta(days=90), moment + timedelta(days=400))
    lang = user.locale if user.locale in ("en", "zh_Hant", "zh_Hans") else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        body = feed.calendar_of(user, visits, current_app.config, moment)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="visits.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- reactivation (R-V3) --------------------------------------------------------------------------------------


@bp.get("/reactivation")
@login_required
def reactivation():
    """Dormant customers to win back, the longest silent first; supervisors see everyone's."""
    require("visits.use")
    team = can(current_user, "visits.team")
    wanted = request.args.get("agent", "me" if not team else "")
    owner_id = current_user.id if wanted == "me" or not team else parse_id(wanted)
    after = request.args.get("after")
    page = queries.reactivation_queue(owner_id, after, _size())
    since = now() - timedelta(days=90)
    context = dict(page=page, agent_arg=wanted, since=since, now=now(), day=_today())
    if after:
        return render("visits/reactivation.html", "visits/_reactivation_rows.html", **context)
    results = queries.reactivation_results(since, None if team else current_user.id)
    people = {u.id: u for u in book_holders()}
    context.update(results=[(people[i], r) for i, r in results.items() if i in people], agents=list(people.values()),
                   dormant_days=rules.settings().dormant_days, Outcome=Outcome)
    return render("visits/reactivation.html", "visits/_reactivation_results.html", **context)


@bp.route("/reactivation/<id:target_id>", methods=["GET", "POST"])
@login_required
def reactivation_work(target_id: int):
    target = queries.load_reactivation(target_id) or abort(404)
    require("visits.use")
    form = AttemptForm(formdata=None, version=target.version) if request.method == "GET" else AttemptForm()
    form.contact_id.choices = _contacts(target.customer)
    if request.method == "GET":
        primary = next((c for c in target.customer.contacts if c.is_primary), None)
        form.contact_id.data = primary.id if primary else None
    if request.method == "POST":
        require("visits.reactivate", target)

    def apply():
        visit = None
        if form.outcome.data == Outcome.VISIT_BOOKED:
            visit = rules.VisitFields(starts_at=local_to_utc(form.starts_at.data),
                                      ends_at=local_to_utc(form.ends_at.data), place=form.place.data or "")
        return rules.work_reactivation(current_user, target, form.version.data, rules.AttemptFields(
            channel=form.channel.data, outcome=form.outcome.data, notes=form.notes.data or "",
            contact_id=form.contact_id.data, next_step=form.next_step.data or "",
            next_step_on=form.next_step_on.data, visit=visit))

    return submit(form, apply,
                  done=lambda a: saved(_("%(customer)s: %(outcome)s.", customer=target.customer.display_name,
                                         outcome=a.outcome.label), url_for("visits.reactivation")),
                  again=lambda status: render("visits/reactivation_work.html", "visits/_attempt_form.html", status,
                                              target=target, form=form, Outcome=Outcome))


# --- complaint cases (R-V6) ----------------------------------------------------------------------------------------


def _case_filters() -> queries.CaseFilters:
    state = request.args.get("state", "open")
    owner = request.args.get("owner", "")
    return queries.CaseFilters(q=text_arg("q"), state=state if state in ("open", *CaseState) else None,
                               owner_id=current_user.id if owner == "me" else parse_id(owner),
                               severity=text_arg("severity", 10) or None)


@bp.get("/cases")
@login_required
def cases():
    require("cases.view")
    filters = _case_filters()
    after = request.args.get("after")
    page = queries.cases(filters, after, _size())
    context = dict(page=page, filters=filters, owner_arg=request.args.get("owner", ""), now=now(),
                   state_arg=request.args.get("state", "open"))
    if after:
        return render("visits/cases.html", "visits/_case_rows.html", **context)
    if not is_fragment_request():
        context.update(agents=book_holders(), waiting=queries.waiting_for_response(
            None if can(current_user, "visits.team") else current_user.id, limit=10))
    return render("visits/cases.html", "visits/_case_results.html", **context)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def case_new():
    require("cases.open")
    form = CaseForm()
    form.owner_id.choices = options([("", _("The customer's owner"))] + [(u.id, u.display_name)
                                                                          for u in book_holders()])
    if request.method == "GET":
        form.customer.data = normal_code(text_arg("customer", 12))
        form.received_at.data = utc_to_local(now()).replace(second=0, microsecond=0)
        form.shipment_ref.data = text_arg("shipment", 30) or None
        form.quote_ref.data = text_arg("quote", 30) or None

    def apply():
        customer = _customer(form.customer.data)
        fields = rules.CaseFields(
            channel=form.channel.data, category=form.category.data, severity=form.severity.data,
            summary=form.summary.data or "", description=form.description.data or "",
            received_at=local_to_utc(form.received_at.data) if form.received_at.data else None,
            reported_by=form.reported_by.data or "", shipment_ref=form.shipment_ref.data or "",
            quote_ref=form.quote_ref.data or "")
        return rules.open_case(current_user, customer, fields, _user(form.owner_id.data))

    return submit(form, apply,
                  done=lambda c: saved(_("Complaint %(number)s recorded.", number=c.number),
                                       url_for("visits.case", case_id=c.id)),
                  again=lambda status: render("visits/case_form.html", "visits/_case_form.html", status, form=form))


def _case_or_404(case_id: int) -> ComplaintCase:
    return queries.load_case(case_id) or abort(404)


def _case_forms(case, **given):
    claim = ClaimForm(formdata=None, version=case.version, claim_state=case.claim_state,
                      claim_amount=case.claim_amount, claim_currency=case.claim_currency)
    handler = HandlerForm(formdata=None, version=case.version, owner_id=case.owner_id)
    handler.owner_id.choices = _people()
    forms = dict(respond_form=RespondForm(formdata=None, version=case.version),
                 evidence_form=EvidenceForm(formdata=None),
                 resolve_form=ResolveForm(formdata=None, version=case.version, root_cause=case.root_cause,
                                          solution=case.solution, prevention=case.prevention),
                 claim_form=claim, handler_form=handler,
                 callback_form=CallbackForm(formdata=None, version=case.version))
    return forms | given


def _case_page(case_id: int, status: int = 200, **given):
    case = _case_or_404(case_id)
    return render("visits/case.html", "visits/case.html", status, case=case, now=now(),
                  max_mb=rules.megabytes(current_app.config["EVIDENCE_MAX_BYTES"]), **_case_forms(case, **given))


@bp.get("/cases/<id:case_id>")
@login_required
def case(case_id: int):
    found = _case_or_404(case_id)
    require("cases.view", found)
    return _case_page(case_id)


def _case_post(case_id: int, form, form_name: str, apply, message):
    found = _case_or_404(case_id)
    require("cases.work", found)
    return submit(form, lambda: apply(found),
                  done=lambda _r: saved(message(found), url_for("visits.case", case_id=case_id)),
                  again=lambda status: _case_page(case_id, status, **{form_name: form}))


@bp.post("/cases/<id:case_id>/respond")
@login_required
def case_respond(case_id: int):
    form = RespondForm()
    return _case_post(case_id, form, "respond_form",
                      lambda c: rules.respond(current_user, c, form.version.data, form.note.data),
                      lambda c: _("First response to %(number)s recorded.", number=c.number))


# An evidence upload may be larger than any other post (MAX_CONTENT_LENGTH): its route reads up to
# the largest evidence file and a little for the form around it. The limit is set before anything
# reads the body (the CSRF check does), by a hook the app runs first (see init_app).
EVIDENCE_FORM_OVERHEAD = 64 * 1024


def allow_evidence_uploads() -> None:
    if request.endpoint == "visits.case_evidence":
        request.max_content_length = current_app.config["EVIDENCE_MAX_BYTES"] + EVIDENCE_FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file larger than any evidence may be is refused on the case's page, in words."""
    case_id = (request.view_args or {}).get("case_id")
    if request.endpoint != "visits.case_evidence" or not case_id or not current_user.is_authenticated:
        from portal.core.errors import handle_http_error
        return handle_http_error(error)
    form = EvidenceForm(formdata=None)
    form.file.errors = [_("This file is larger than %(limit)s MB, the most an evidence file may be.",
                          limit=rules.megabytes(current_app.config["EVIDENCE_MAX_BYTES"]))]
    body, status = _case_page(case_id, 422, evidence_form=form)
    return body, status


@bp.post("/cases/<id:case_id>/evidence")
@login_required
def case_evidence(case_id: int):
    """R-V6: evidence files, type and size checked."""
    found = _case_or_404(case_id)
    require("cases.work", found)
    form = EvidenceForm()

    def apply():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise RuleViolation(_("Choose a file: a photo (JPEG, PNG, HEIC, WebP) or a PDF."), "file")
        return rules.add_evidence(current_user, found, upload.filename, upload.read(), form.description.data or "")

    return submit(form, apply,
                  done=lambda e: saved(_("%(file)s added to %(number)s.", file=e.filename, number=found.number),
                                       url_for("visits.case", case_id=case_id)),
                  again=lambda status: _case_page(case_id, status, evidence_form=form))


@bp.get("/cases/<id:case_id>/evidence/<id:evidence_id>")
@login_required
def evidence(case_id: int, evidence_id: int):
    found = queries.evidence_of(case_id, evidence_id) or abort(404)
    require("cases.view")
    data = rules.read_evidence(found)
    if data is None:
        abort(404)
    response = Response(data, mimetype=found.content_type)
    disposition = "inline" if found.content_type != "application/pdf" else "attachment"
    from urllib.parse import quote
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(found.filename)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<id:case_id>/resolve")
@login_required
def case_resolve(case_id: int):
    form = ResolveForm()
    return _case_post(case_id, form, "resolve_form",
                      lambda c: rules.resolve(current_user, c, form.version.data, form.root_cause.data,
                                              form.solution.data, form.prevention.data),
                      lambda c: _("%(number)s resolved: call the customer back to close it.", number=c.number))


@bp.post("/cases/<id:case_id>/claim")
@login_required
def case_claim(case_id: int):
    form = ClaimForm()
    return _case_post(case_id, form, "claim_form",
                      lambda c: rules.update_claim(current_user, c, form.version.data, form.claim_state.data,
                                                   form.claim_amount.data, form.claim_currency.data),
                      lambda c: _("Claim saved."))


@bp.post("/cases/<id:case_id>/handler")
@login_required
def case_handler(case_id: int):
    found = _case_or_404(case_id)
    require("visits.team")
    form = HandlerForm()
    form.owner_id.choices = _people()
    return submit(form, lambda: rules.reassign_case(current_user, found, form.version.data,
                                                    _user(form.owner_id.data)),
                  done=lambda c: saved(_("%(name)s now handles %(number)s.", name=c.owner.display_name,
                                         number=c.number), url_for("visits.case", case_id=case_id)),
                  again=lambda status: _case_page(case_id, status, handler_form=form))


@bp.post("/cases/<id:case_id>/callback")
@login_required
def case_callback(case_id: int):
    form = CallbackForm()
    return _case_post(case_id, form, "callback_form",
                      lambda c: rules.call_back(current_user, c, form.version.data, form.satisfaction.data,
                                                form.note.data, form.channel.data),
                      lambda c: _("%(number)s closed after the satisfaction call-back.", number=c.number))


# --- operations review meetings ---------------------------------------------------------------------------------------


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def meeting_new():
    require("visits.use")
    form = MeetingForm()
    people = _people()
    for row in form.actions:
        row.owner_id.choices = options([("", "—")] + [(c.value, c.label) for c in people])
    if request.method == "GET":
        form.customer.data = normal_code(text_arg("customer", 12))
        form.held_at.data = utc_to_local(now()).replace(second=0, microsecond=0)

    def apply():
        customer = _customer(form.customer.data)
        actions = [rules.ActionFields(text=row.text.data or "", owner=_user(row.owner_id.data), due_on=row.due_on.data)
                   for row in form.actions if (row.text.data or "").strip() or row.due_on.data or row.owner_id.data]
        return rules.record_meeting(current_user, customer, local_to_utc(form.held_at.data) if form.held_at.data
                                    else None, form.minutes.data, actions, form.place.data or "",
                                    form.attendees_ours.data or "", form.attendees_customer.data or "",
                                    form.satisfaction.data or None)

    return submit(form, apply,
                  done=lambda m: saved(_("Review meeting with %(customer)s recorded.",
                                         customer=m.customer.display_name),
                                       url_for("visits.meeting", meeting_id=m.id)),
                  again=lambda status: render("visits/meeting_form.html", "visits/_meeting_form.html", status,
                                              form=form))


@bp.get("/meetings/<id:meeting_id>")
@login_required
def meeting(meeting_id: int):
    found = queries.load_meeting(meeting_id) or abort(404)
    require("visits.view")
    return render("visits/meeting.html", "visits/meeting.html", meeting=found, day=_today())


@bp.post("/actions/<id:item_id>/done")
@login_required
def action_done(item_id: int):
    item = db.session.get(ActionItem, item_id) or abort(404)
    require("visits.action_item", item)
    form = ActionForm()
    back = request.form.get("back") if (request.form.get("back") or "").startswith(("/handover", "/visits")) else \
        url_for("visits.meeting", meeting_id=item.meeting_id)
    return submit(form, lambda: rules.finish_action_item(current_user, item, form.version.data),
                  done=lambda _i: saved(_("Action item done."), back), back=back)


def desk_panel(user) -> str:
    """On the handover desk (core.links): the reader's open action items from review meetings,
    until they are done."""
    if not can(user, "visits.use"):
        return ""
    items = queries.open_action_items(user.id)
    return render_template("visits/_desk_actions.html", items=items, day=_today()) if items else ""


# --- care reminders (R-V7) ---------------------------------------------------------------------------------------------


@bp.get("/care")
@login_required
def care_page():
    """Whom to greet this week: contacts' birthdays and the festivals, with a greeting drafted in
    each contact's language."""
    require("visits.use")
    day = _today()
    first = rules.start_of_week(day)
    last = first + timedelta(days=6)
    team = can(current_user, "visits.team") and request.args.get("agent") == "team"
    owner_id = None if team else current_user.id
    birthdays = queries.birthdays(owner_id, first, last)
    # Festivals are greeted in the week before and the week of the day itself.
    festivals = workdays.festivals_between(first, last + timedelta(days=7))
    after = request.args.get("after")
    page = queries.festival_page(owner_id, after, _size()) if festivals else None
    rows = care.rows(birthdays, festivals, page.items if page else [], current_user)
    context = dict(day=day, first=first, last=last, rows=rows, festivals=festivals, page=page, team=team)
    if after:
        return render("visits/care.html", "visits/_care_rows.html", **context)
    return render("visits/care.html", "visits/care.html", **context)


@bp.post("/care/greet")
@login_required
def care_greet():
    require("visits.use")
    form = GreetForm()
    contact = db.session.get(Contact, parse_id(form.contact_id.data) or 0)

    def apply():
        if contact is None:
            raise RuleViolation(_("Choose a contact to greet."))
        return rules.greet(current_user, contact, form.occasion.data, form.channel.data, form.text.data)

    return submit(form, apply, done=lambda e: saved(_("Greeting to %(name)s logged.", name=e.contact_name),
                                                    url_for("visits.care_page")),
                  back=url_for("visits.care_page"))


# --- the team, settings, a leaver's work -----------------------------------------------------------------------------


@bp.get("/team")
@login_required
def team():
    """Supervisors: each agent's cadence lists, revisits on cadence, contacts and satisfaction,
    reactivation results and complaint cases (R-V2, R-V3, R-V5, R-V6)."""
    require("visits.team")
    since = now() - timedelta(days=90)
    return render("visits/team.html", "visits/team.html", rows=queries.team(_today(), since), since=since,
                  late=queries.waiting_for_response(None, limit=20), now=now(), Outcome=Outcome)


def _settings_form():
    rules_by_grade = {r.grade: r for r in rules.cadence_rules().values()}
    current = rules.settings()
    if request.method == "POST":
        return SettingsForm(), rules_by_grade, current
    data = {"dormant_days": current.dormant_days, "version": current.version}
    for grade, rule in rules_by_grade.items():
        g = grade.lower()
        data.update({f"contact_{g}": rule.contact_days, f"revisit_{g}": rule.revisit_days, f"version_{g}": rule.version})
    return SettingsForm(formdata=None, data=data), rules_by_grade, current


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    require("visits.settings")
    form, rules_by_grade, current = _settings_form()

    def apply():
        cadence = {g: (getattr(form, f"contact_{g.lower()}").data, getattr(form, f"revisit_{g.lower()}").data)
                   for g in rules.DEFAULT_CADENCE}
        versions = {g: getattr(form, f"version_{g.lower()}").data for g in rules.DEFAULT_CADENCE}
        return rules.update_settings(current_user, cadence, versions, form.dormant_days.data, form.version.data)

    def done(_result):
        from portal.visits import tasks
        tasks.refresh_cadence()
        return saved(_("Cadence saved: every customer's due dates follow it."), url_for("visits.settings"))

    return submit(form, apply, done=done,
                  again=lambda status: render("visits/settings.html", "visits/settings.html", status, form=form,
                                              rules_by_grade=rules_by_grade))


@bp.route("/hand-over/<id:user_id>", methods=["GET", "POST"])
@login_required
def hand_over(user_id: int):
    """A leaver's open visits work (cases, next actions, action items, upcoming visits) to a colleague."""
    require("visits.hand_over")
    leaver = db.session.get(User, user_id) or abort(404)
    form = HandOverForm()
    form.receiver_id.choices = options([("", "—")] + [(u.id, u.display_name) for u in book_holders()
                                                      if u.id != leaver.id])

    def done(moved):
        total = sum(moved.values())
        return saved(ngettext("%(num)d piece of work handed over.", "%(num)d pieces of work handed over.", total),
                     url_for("visits.hand_over", user_id=leaver.id))

    return submit(form, lambda: rules.hand_over_work(current_user, leaver, _user(form.receiver_id.data)), done=done,
                  again=lambda status: render("visits/hand_over.html", "visits/hand_over.html", status, form=form,
                                              leaver=leaver, held=queries.held_by([leaver.id], now()).get(leaver.id, 0)))

