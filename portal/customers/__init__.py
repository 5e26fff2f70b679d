"""Customers and contacts: the record every screen hangs off."""
from portal.core import search, timeline
from portal.customers import queries
from portal.customers.models import Grade, Kind, Source
from portal.customers.views import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(Kind=Kind, Grade=Grade, Source=Source)
    timeline.add_source(app, queries.timeline_entries)
    search.register(app, queries.search_source())
