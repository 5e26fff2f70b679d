"""Search on PostgreSQL: each kind's GIN index also holds the record id, so a search reads the
newest records' matches first instead of every match

Revision ID: 8e4f2a6c1b57
Revises: 5c1e7a9b3d20
Create Date: 2026-12-03 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e4f2a6c1b57'
down_revision = '5c1e7a9b3d20'
branch_labels = None
depends_on = None


def _search_indexes(bind) -> list[tuple[str, str]]:
    """(index name, kind) of each GIN index over the search documents."""
    rows = bind.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_document' "
        "AND indexname LIKE 'ix\\_search\\_document\\_%%' AND indexdef ILIKE '%%USING gin%%'").all()
    return [(name, name.removeprefix("ix_search_document_")) for name, _definition in rows]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return   # SQLite's FTS5 index already answers newest first
    # btree_gin lets a GIN index hold the record id beside the tokens (a trusted extension: the
    # database's owner may create it).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for name, kind in _search_indexes(bind):
        op.execute(f'DROP INDEX "{name}"')
        op.execute(f"CREATE INDEX {name} ON search_document USING gin (token_array, record_id) "
                   f"WHERE kind = '{kind}'")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name, kind in _search_indexes(bind):
        op.execute(f'DROP INDEX "{name}"')
        op.execute(f"CREATE INDEX {name} ON search_document USING gin (token_array) WHERE kind = '{kind}'")
