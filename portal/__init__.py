"""The customer-service portal: create_app() builds the Flask application."""
from pathlib import Path

from flask import Flask

from portal import config as portal_config
from portal.extensions import babel, csrf, db, htmx, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(portal_config.INSTANCE), instance_relative_config=True)
    app.config.update(portal_config.from_environment())
    if config:
        app.config.update(config)

    from portal.core import database, errors, htmx as htmx_responses, i18n, jobs, security, urls
    from portal.core.policy import can
    from portal.reference import names as reference_names

    app.url_map.converters["id"] = database.IdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    jobs.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            database.configure_sqlite(db.engine)

    # Trimmed {% trans %} blocks at run time, as babel.cfg extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(can=can)
    i18n.register(app)
    urls.register(app)
    errors.register(app)
    reference_names.register(app)

    # Features, lowest layer first: each registers its blueprint, template names, timeline
    # source, navigation count and signal receivers in its init_app.
    from portal import models  # noqa: F401  (every model known to SQLAlchemy and Alembic)
    from portal import auth, customers, demo, handover, quotes, rates
    from portal.core.views import bp as core_bp

    app.register_blueprint(core_bp)
    for feature in (auth, customers, rates, handover, quotes, demo):
        feature.init_app(app)

    app.after_request(htmx_responses.after_request)
    app.after_request(security.add_security_headers)

    return app
