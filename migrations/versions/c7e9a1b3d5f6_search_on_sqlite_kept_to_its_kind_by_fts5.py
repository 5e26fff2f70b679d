"""Search on SQLite: every document also holds its kind's token, so FTS5 itself keeps a search to
its kind (portal.core.search.kind_token)

Revision ID: c7e9a1b3d5f6
Revises: b3d5f7a9c2e4
Create Date: 2026-12-03 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7e9a1b3d5f6'
down_revision = 'b3d5f7a9c2e4'
branch_labels = None
depends_on = None

# kind_token(kind) in SQL: '0kind' and the kind without its underscores
KIND_TOKEN = "'0kind' || replace(kind, '_', '')"


def _rewrite(statement: str) -> None:
    """Change every document with the FTS5 triggers set aside, then rebuild the FTS5 index once
    (row by row through the triggers, a million documents would take an hour)."""
    bind = op.get_bind()
    triggers = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_document'").all()
    for name, _definition in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    op.execute(statement)
    # FTS5 keeps up to 'hashsize' of new terms in memory between segment writes: raised for the
    # rebuild (far fewer segments to merge), then back to its default.
    op.execute(f"INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', {256 * 2**20})")
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    op.execute(f"INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', {2**20})")
    # The rebuild leaves many segments on one level: the next write would merge them all at once
    # (FTS5's crisis merge), holding the write lock for longer than writers wait. Merged now.
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    for _name, definition in triggers:
        op.execute(definition)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return   # PostgreSQL keeps a GIN index per kind
    _rewrite(f"UPDATE search_document SET tokens = rtrim({KIND_TOKEN} || ' ' || tokens) "
             f"WHERE tokens IS NOT {KIND_TOKEN} AND tokens NOT LIKE {KIND_TOKEN} || ' %'")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    _rewrite(f"UPDATE search_document SET tokens = CASE WHEN tokens = {KIND_TOKEN} THEN '' "
             f"ELSE substr(tokens, length({KIND_TOKEN}) + 2) END "
             f"WHERE tokens = {KIND_TOKEN} OR tokens LIKE {KIND_TOKEN} || ' %'")
