"""Quotes and quote history, with supervisor approval (R-Q1 to R-Q10)."""
from flask_babel import lazy_gettext as _l

from portal.core import audit, links, nav, search, timeline
from portal.core.policy import can
from portal.customers.signals import customer_changed
from portal.quotes import queries, rules, tasks  # noqa: F401  (tasks: the scheduled jobs)
from portal.quotes.documents import incoterm_text
from portal.quotes.models import Direction, LineSource, Mode, Status
from portal.quotes.views import bp
from portal.reference import CONTAINER_TYPE_BY_CODE


def _nav_count(user):
    """Supervisors: quotes waiting for approval. Agents: follow-ups due."""
    if can(user, "quotes.approve"):
        return nav.NavCount(queries.pending_count(), str(_l("Quotes waiting for your approval")))
    if can(user, "quotes.create"):
        return nav.NavCount(queries.reminders_count(user), str(_l("Follow-ups due")))
    return None


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(quote_totals=rules.totals, quote_line_amount=rules.line_amount,
                                 response_too_slow=rules.response_too_slow, Direction=Direction, Mode=Mode, Status=Status,
                                 LineSource=LineSource, incoterm_text=incoterm_text,
                                 special_equipment=lambda code: bool(
                                     code in CONTAINER_TYPE_BY_CODE and CONTAINER_TYPE_BY_CODE[code].special))
    timeline.add_source(app, queries.timeline_entries, kind="quote", label=_l("Quotes"))
    # A handover item may be about a quote (handover asks core.links; it never imports quotes).
    links.add_subject_kind(app, links.SubjectKind(
        name="quote", label=_l("Quote"), find=queries.find_subject, describe=queries.describe_subjects,
        hint=_l("The quote number, for example Q2611-00012")))
    search.register(app, queries.search_source())
    nav.add_counter(app, "quotes", _nav_count)
    audit.describe_values(app, "status", Status, "quote")
    # R-Q1: an approval given for the customer as it was is void once its kind, names or contacts change.
    customer_changed.connect(rules.on_customer_changed)
