"""The company the portal works for: its name, address, phone, e-mail and logo, on every document
a customer receives (quotations, booking confirmations, status pages, notices). Set by an admin
(/admin/company), or in the environment (PORTAL_COMPANY_*) until then."""
from flask import g

from portal.company import queries
from portal.company.views import bp


def company() -> queries.Company:
    """For templates: the company's details, read once per request."""
    if "company" not in g:
        g.company = queries.company()
    return g.company


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(company=company)
