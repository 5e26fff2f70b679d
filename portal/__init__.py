"""The customer-service portal: create_app() builds the Flask application."""
import os
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

from portal import config as portal_config
from portal.extensions import babel, compress, csrf, db, htmx, limiter, login_manager

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(portal_config.INSTANCE), instance_relative_config=True)
    app.config.update(portal_config.from_environment())
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL compiles a query it prices high (a search over a million documents) to machine
        # code before running it: tens of milliseconds on a request that needs a few.
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault("options", "-c jit=off")

    from portal.core import (audit, database, errors, htmx as htmx_responses, i18n, jobs, links, nav, search,
                             security, static, urls)
    from portal.core.policy import can
    from portal.reference import names as reference_names

    app.url_map.converters["id"] = database.IdConverter
    db.init_app(app)
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" or app.config.get("TESTING"):
        # Migrations are the command line's (`flask db upgrade`); a web worker does without Alembic.
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    compress.init_app(app)
    jobs.init_app(app)
    search.init_app(app)
    limiter.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            database.configure_sqlite(db.engine)

    # Trimmed {% trans %} blocks at run time, as babel.cfg extracts them; block tags leave no
    # blank lines behind (a list page is half whitespace otherwise).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if not app.config.get("TESTING"):
        # Compiled templates kept between restarts (a worker renders its first page sooner).
        cache = Path(app.instance_path) / "jinja-cache"
        cache.mkdir(parents=True, exist_ok=True)
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(cache))
    static.register(app)
    nav.register(app)
    app.jinja_env.globals.update(can=can)
    i18n.register(app)
    audit.register(app)
    urls.register(app)
    links.register(app)
    errors.register(app)
    reference_names.register(app)

    # Features, lowest layer first: each registers its blueprint, template names, timeline
    # source, navigation count and signal receivers in its init_app.
    from portal import models  # noqa: F401  (every model known to SQLAlchemy and Alembic)
    from portal.core import tasks  # noqa: F401  (the database's upkeep job)
    from portal import auth, company, customers, handover, quotes, rates, shipments, visits
    from portal.core.views import bp as core_bp
    from portal.reference.views import bp as reference_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(reference_bp)
    for feature in (auth, company, customers, rates, handover, quotes, shipments, visits):
        feature.init_app(app)
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" or app.config.get("TESTING"):
        # The demo and bench commands (and their word lists) are the command line's: a web worker
        # does without them.
        from portal import demo
        demo.init_app(app)

    app.after_request(htmx_responses.after_request)
    app.after_request(security.add_security_headers)

    return app
