"""Customers and contacts: the record every screen hangs off."""
from flask_babel import lazy_gettext as _l, ngettext

from portal.auth import holdings
from portal.core import audit, search, timeline
from portal.core.i18n import Language, country_name, zone_name
from portal.customers import forms, queries, rules
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
    # How the change history reads (macros/audit.html).
    audit.describe_fields(app, audit.form_labels(forms.CustomerForm, forms.ContactForm, forms.CreditForm,
                                                 forms.GradeForm)
                          | {"owner_id": _l("Owner"), "grade": _l("Grade"), "number": _l("Number"),
                             "status": _l("Status"), "customers": _l("Customers")})
    for field, choice in (("kind", Kind), ("source", Source), ("preferred_locale", Language), ("grade", Grade)):
        audit.describe_values(app, field, choice, "customer")
    audit.describe_values(app, "country", country_name, "customer")
    audit.describe_values(app, "timezone", zone_name, "customer")
    audit.describe_users(app, "owner_id")
