"""Shift handover: notes from one shift to the next, items that carry until closed (R-H1 to R-H4)."""
from flask_babel import lazy_gettext as _l

from portal.core import nav, search, timeline
from portal.core.policy import can
from portal.customers.signals import customers_reassigned
from portal.handover import queries, rules
from portal.handover.models import NoteKind, NoteState
from portal.handover.views import bp, shift_name


def _nav_count(user):
    if can(user, "handover.use"):
        return nav.NavCount(queries.waiting_for(user), str(_l("Waiting for you to acknowledge")))
    return None


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(shift_name=shift_name, is_fresh=rules.is_fresh, NoteKind=NoteKind,
                                 NoteState=NoteState)
    timeline.add_source(app, queries.timeline_entries, kind="handover", label=_l("Shift handover"))
    search.register(app, queries.search_source())
    nav.add_counter(app, "handover", _nav_count)
    # R-H4: customers that move owner bring their open items along, in the same transaction.
    customers_reassigned.connect(rules.on_customers_reassigned)
