"""Quotes and quote history, with supervisor approval (R-Q1 to R-Q10)."""
from flask_babel import lazy_gettext as _l

from portal.core import audit, nav, search, timeline
from portal.core.policy import can
from portal.quotes import queries, rules, tasks  # noqa: F401  (tasks: the scheduled jobs)
from portal.quotes.models import Direction, Mode, Status
from portal.quotes.views import bp


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
                                 response_too_slow=rules.response_too_slow, Direction=Direction, Mode=Mode)
    timeline.add_source(app, queries.timeline_entries, kind="quote", label=_l("Quotes"))
    search.register(app, queries.search_source())
    nav.add_counter(app, "quotes", _nav_count)
    audit.describe_values(app, "status", Status)
