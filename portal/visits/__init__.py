"""Customer visits and the contact log, contact cadence by grade, dormant-customer reactivation,
planned visits and their calendar feed, complaint cases and review meetings, care reminders
(R-V1 to R-V7)."""
from flask_babel import lazy_gettext as _l, ngettext

from portal.auth import holdings
from portal.core import audit, contacts, links, nav, search, timeline
from portal.core.clock import now, today
from portal.core.policy import can
from portal.customers.signals import customer_created, customers_reassigned, grade_changed
from portal.visits import care, queries, rules, tasks  # noqa: F401  (tasks: the scheduled jobs)
from portal.visits.models import (CaseState, Channel, ClaimState, Outcome, Purpose, ReactivationState, Severity,
                                  VisitState)
from portal.visits.views import allow_evidence_uploads, bp, desk_panel, month_title, panel, weekday_names


def _nav_count(user):
    """Supervisors: urgent complaints past their first-response hour. Agents: their customers
    overdue for a contact or revisit."""
    from flask import current_app
    if can(user, "visits.team"):
        return nav.NavCount(queries.late_responses(now()), str(_l("Urgent complaints without a first response in time")))
    if can(user, "visits.use"):
        day = today(current_app.config["PORTAL_TIMEZONE"])
        return nav.NavCount(queries.overdue_count(user.id, day), str(_l("Customers overdue for a contact or revisit")))
    return None


def _held(user_ids):
    """What a leaver still holds in visits (open cases, next actions, action items, upcoming visits)."""
    return {user_id: holdings.Holding(count, ngettext("%(num)d piece of visits work", "%(num)d pieces of visits work",
                                                      count), "visits.hand_over", {"user_id": user_id},
                                      "visits.hand_over")
            for user_id, count in queries.held_by(user_ids, now()).items()}


def init_app(app) -> None:
    app.register_blueprint(bp)
    # Before anything reads a request's body (the CSRF check), so an evidence upload may be larger.
    app.before_request_funcs.setdefault(None, []).insert(0, allow_evidence_uploads)
    app.jinja_env.globals.update(VisitChannel=Channel, VisitPurpose=Purpose, CaseState=CaseState,
                                 CaseSeverity=Severity, VisitState=VisitState, ReactivationState=ReactivationState,
                                 occasion_label=care.occasion_label, month_title=month_title,
                                 weekday_names=weekday_names)
    timeline.add_source(app, queries.timeline_contacts, kind="contact", label=_l("Contact log"))
    timeline.add_source(app, queries.timeline_visits, kind="visit", label=_l("Visits"))
    timeline.add_source(app, queries.timeline_cases, kind="case", label=_l("Complaints"))
    for source in queries.search_sources():
        search.register(app, source)
    nav.add_counter(app, "visits", _nav_count)
    holdings.add_counter(app, _held)
    links.add_subject_kind(app, links.SubjectKind(
        name="complaint_case", label=_l("Complaint case"), find=queries.find_case, describe=queries.describe_cases,
        hint=_l("The complaint case number, for example CC2026-0001")))
    links.add_panel(app, "customer", panel)
    links.add_panel(app, "handover_desk", desk_panel)
    for field, choice in (("purpose", Purpose), ("claim_state", ClaimState), ("outcome", Outcome)):
        audit.describe_values(app, field, choice)
    # R-V1: contacts reported by features below (a quote's follow-up) join the log; R-V2: new
    # customers and grade changes move the cadence; R-H4: customers moving owner bring their work.
    contacts.contact_made.connect(rules.on_contact_reported)
    customer_created.connect(rules.on_customer_created)
    grade_changed.connect(rules.on_grade_changed)
    customers_reassigned.connect(rules.on_customers_reassigned)
    _cli(app)


def _cli(app) -> None:
    import click
    from flask.cli import AppGroup

    from portal.extensions import db
    group = AppGroup("visits", help="Visits: contact cadence and the reactivation queue.")

    @group.command("refresh-cadence", help="Compute every customer's contact and revisit due dates (R-V2).")
    @click.option("--missing", is_flag=True, help="Only customers that have none yet (after an upgrade or a bulk load).")
    def refresh(missing):
        from flask import current_app
        with current_app.test_request_context():
            count = rules.refresh_missing_cadence() if missing else rules.refresh_all_cadence()
            db.session.commit()
        click.echo(f"{count} customers' cadence computed.")

    @group.command("find-dormant", help="Queue customers silent for the configured number of days (R-V3).")
    def dormant():
        from flask import current_app
        with current_app.test_request_context():
            count = rules.list_dormant()
            db.session.commit()
        click.echo(f"{count} dormant customers joined the reactivation queue.")

    app.cli.add_command(group)
