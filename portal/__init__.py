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

    from portal.core import database, errors, htmx as htmx_responses, i18n, security, urls
    from portal.core.policy import can

    app.url_map.converters["id"] = database.IdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            database.configure_sqlite(db.engine)

    # Trimmed {% trans %} blocks at run time, as babel.cfg extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(can=can)
    i18n.register(app)
    urls.register(app)
    errors.register(app)

    from portal import models  # noqa: F401  (every model known to SQLAlchemy and Alembic)
    from portal.auth import bp as auth_bp, cli as auth_cli
    from portal.auth.forms import role_label, team_label
    from portal.auth.views import enforce_idle_timeout
    from portal.core.views import bp as core_bp
    from portal.customers import bp as customers_bp
    from portal.demo import cli as demo_cli
    from portal.handover import bp as handover_bp
    from portal.quotes import bp as quotes_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(handover_bp)
    app.register_blueprint(quotes_bp)
    app.jinja_env.globals.update(role_label=role_label, team_label=team_label)
    app.cli.add_command(auth_cli.users)
    app.cli.add_command(demo_cli.demo)

    app.before_request(enforce_idle_timeout)
    app.after_request(htmx_responses.after_request)
    app.after_request(security.add_security_headers)

    return app
