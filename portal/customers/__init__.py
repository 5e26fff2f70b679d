"""Customers and contacts: the record every screen hangs off."""
from flask_babel import lazy_gettext as _l, ngettext

from portal.auth import holdings
from portal.core import search, timeline
from portal.customers import queries, rules
from portal.customers.models import Grade, Kind, Source
from portal.customers.views import bp


def _books(user_ids):
    """R-H4: the customers a user owns must be handed over before the user leaves."""
    return {user_id: holdings.Holding(count, ngettext("%(num)d customer", "%(num)d customers", count),
                                      "customers.book", {"user_id": user_id}, "customers.reassign")
            for user_id, count in queries.book_sizes(user_ids).items()}


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(Kind=Kind, Grade=Grade, Source=Source, agreement_state=rules.agreement_state)
    timeline.add_source(app, queries.timeline_entries, kind="customer", label=_l("Account"))
    search.register(app, queries.search_source())
    holdings.add_counter(app, _books)
