import logging
from logging.config import fileConfig

from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def include_object(obj, name, type_, reflected, compare_to):
    """The search index's engine-specific parts (SQLite's FTS5 tables, PostgreSQL's token array
    and its GIN indexes) are made by hand in migrations: autogenerate leaves them alone."""
    if type_ == "table" and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "token_array":
        return False
    if type_ == "index" and name.startswith("ix_search_document_"):
        return False
    return True


def _rebuild_search_if_asked(connection):
    """The search index, rebuilt once the database is at the head revision (where the portal's
    own code matches the tables: portal.core.search) when a migration asked for it, or when
    the index is empty beside existing records (an upgrade that passed the migration asking in
    an earlier run)."""
    asked = config.attributes.pop("rebuild_search", False)
    from alembic.script import ScriptDirectory
    from sqlalchemy.orm import Session
    from portal.core import search
    at_head = set(context.get_context().get_current_heads()) == set(ScriptDirectory.from_config(config).get_heads())
    if not at_head or not current_app.extensions.get("search_sources"):
        if asked:
            logger.warning("The search index needs `flask search rebuild` once the upgrade reaches the head.")
        return
    with Session(bind=connection) as session:
        if not (asked or search.index_missing(session)):
            return
        counts = search.rebuild(session=session, commit=False)
        session.commit()
    if connection.in_transaction():
        connection.commit()
    logger.info("Search index rebuilt: %s", counts)


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives
    conf_args.setdefault("include_object", include_object)

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table on SQLite: it copies it, drops the old one and
            # renames the copy. With foreign keys on, the drop deletes the rows of every child
            # table (ON DELETE CASCADE) or fails; so they are off while migrating (the pragma only
            # takes effect outside a transaction, hence the driver connection) and checked after.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose parent is gone: {broken[:10]}")
        _rebuild_search_if_asked(connection)
        if connection.in_transaction():
            connection.commit()
        if sqlite:
            # Never hand a connection without foreign keys back to the pool: the next one is
            # made afresh, with them on (portal.core.database.configure_sqlite).
            connection.invalidate()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
