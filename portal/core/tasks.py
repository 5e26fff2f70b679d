"""Upkeep of the database itself."""
from portal.core.jobs import crontab, periodic
from portal.extensions import db


@periodic(crontab(minute="17"))
def optimize_database() -> str:
    """SQLite: refresh the planner's statistics where the data has changed (PRAGMA optimize,
    as SQLite advises for long-lived connections). PostgreSQL's autovacuum does this itself."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA optimize")
        return "optimized"
    return "left to autovacuum"
