"""Rate cards, pricing permission, approvals bound to a fingerprint, provisional and declined quotes

Existing quotes migrate as follows. The "self-sourced rate" checkbox becomes derived: a quote's
ocean freight or all-in lines are "own channel" where the box was ticked and "rate card" where it
was not (their buy and minimum rates came from the route department before the portal kept
cards); every other line is a local charge at its cost as entered. The next save prices them from
the cards. Approvals given before they were bound to a fingerprint cannot be checked against what
they covered, so approved quotes not yet sent wait for a supervisor again (recorded in the audit
log, by the system).

Revision ID: 8d09ba6d6cc8
Revises: 74295d79d443
Create Date: 2026-11-29 23:47:54.467489

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d09ba6d6cc8'
down_revision = '74295d79d443'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['user.id'], name=op.f('fk_rate_import_applied_by_id_user')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_rate_import_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_import'))
    )
    op.create_table('rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=10), nullable=False),
    sa.Column('pol', sa.String(length=5), nullable=False),
    sa.Column('pod', sa.String(length=5), nullable=False),
    sa.Column('via', sa.String(length=5), nullable=False),
    sa.Column('equipment', sa.String(length=8), nullable=False),
    sa.Column('charge_code', sa.String(length=10), nullable=False),
    sa.Column('buy_rate', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('sell_rate', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('min_sell_rate', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('free_time_days', sa.Integer(), nullable=True),
    sa.Column('transit_days', sa.Integer(), nullable=True),
    sa.Column('cutoff_weekday', sa.Integer(), nullable=True),
    sa.Column('remarks', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('source_agent_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('sort_key', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_rate_changed_by_id_user')),
    sa.ForeignKeyConstraint(['import_id'], ['rate_import.id'], name=op.f('fk_rate_import_id_rate_import'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_agent_id'], ['user.id'], name=op.f('fk_rate_source_agent_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate')),
    sa.UniqueConstraint('carrier', 'pol', 'pod', 'via', 'equipment', 'charge_code', 'valid_from', name='uq_rate_key_valid_from')
    )
    with op.batch_alter_table('rate', schema=None) as batch_op:
        batch_op.create_index('ix_rate_lane', ['pol', 'pod', 'carrier', 'valid_to'], unique=False)
        batch_op.create_index('ix_rate_sort_key_id', ['sort_key', 'id'], unique=False)
        batch_op.create_index('ix_rate_valid_to_id', ['valid_to', 'id'], unique=False)

    with op.batch_alter_table('approval_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))

    # charge_line is no table's parent: rebuilding it on SQLite (to add the foreign key) drops nothing else.
    with op.batch_alter_table('charge_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_sell_rate', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='local', nullable=False))
        batch_op.add_column(sa.Column('rate_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_charge_line_rate_id_rate'), 'rate', ['rate_id'], ['id'], ondelete='SET NULL')

    _derive_line_sources()
    _reopen_unbound_approvals()

    # quote and user are parents of other tables: on SQLite they are altered in place, never rebuilt
    # (a rebuild drops the table, and with foreign keys on that deletes its children). Dropping a
    # column in place needs SQLite 3.35 or later.
    op.add_column('quote', sa.Column('provisional', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('quote', sa.Column('approval_fingerprint', sa.String(length=64), nullable=True))
    op.add_column('quote', sa.Column('holding_reply_at', sa.DateTime(), nullable=True))
    op.add_column('quote', sa.Column('declined_reason', sa.String(length=300), nullable=True))
    _drop_column('quote', 'self_sourced_rate')
    op.add_column('user', sa.Column('pricing', sa.Boolean(), server_default='0', nullable=False))


def _drop_column(table: str, column: str):
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
    else:
        op.drop_column(table, column)


def downgrade():
    _drop_column('user', 'pricing')
    op.add_column('quote', sa.Column('self_sourced_rate', sa.Boolean(), server_default='0', nullable=False))
    # The checkbox again, ticked where a line is from the agent's own channel; the new outcomes
    # become the nearest old ones.
    own = sa.select(CHARGE_LINE.c.quote_id).where(CHARGE_LINE.c.source == "own")
    op.execute(QUOTE_SELF.update().where(QUOTE_SELF.c.id.in_(own)).values(self_sourced_rate=sa.true()))
    op.execute(QUOTE.update().where(QUOTE.c.status == "provisional").values(status="sent"))
    op.execute(QUOTE.update().where(QUOTE.c.status == "declined").values(status="lost"))
    for column in ('declined_reason', 'holding_reply_at', 'approval_fingerprint', 'provisional'):
        _drop_column('quote', column)

    with op.batch_alter_table('charge_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_charge_line_rate_id_rate'), type_='foreignkey')
        batch_op.drop_column('rate_id')
        batch_op.drop_column('source')
        batch_op.drop_column('company_sell_rate')

    with op.batch_alter_table('approval_decision', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
        batch_op.drop_column('fingerprint')

    with op.batch_alter_table('rate', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_valid_to_id')
        batch_op.drop_index('ix_rate_sort_key_id')
        batch_op.drop_index('ix_rate_lane')

    op.drop_table('rate')
    op.drop_table('rate_import')


FREIGHT = ("OFR", "ALLIN")
CHARGE_LINE = sa.table("charge_line", sa.column("id", sa.Integer), sa.column("quote_id", sa.Integer),
                       sa.column("charge_code", sa.String), sa.column("source", sa.String))
QUOTE = sa.table("quote", sa.column("id", sa.Integer), sa.column("status", sa.String),
                 sa.column("is_current", sa.Boolean), sa.column("updated_at", sa.DateTime))
QUOTE_SELF = sa.table("quote", sa.column("id", sa.Integer), sa.column("self_sourced_rate", sa.Boolean))
AUDIT = sa.table("audit_entry", sa.column("at", sa.DateTime), sa.column("actor_id", sa.Integer),
                 sa.column("action", sa.String), sa.column("subject_type", sa.String),
                 sa.column("subject_id", sa.Integer), sa.column("parent_type", sa.String),
                 sa.column("parent_id", sa.Integer), sa.column("changes", sa.JSON))


def _derive_line_sources():
    self_sourced = sa.select(QUOTE_SELF.c.id).where(QUOTE_SELF.c.self_sourced_rate == sa.true())
    freight = CHARGE_LINE.c.charge_code.in_(FREIGHT)
    op.execute(CHARGE_LINE.update().where(freight, CHARGE_LINE.c.quote_id.in_(self_sourced)).values(source="own"))
    op.execute(CHARGE_LINE.update().where(freight, CHARGE_LINE.c.quote_id.not_in(self_sourced)).values(source="card"))


def _reopen_unbound_approvals():
    bind = op.get_bind()
    approved = bind.execute(sa.select(QUOTE.c.id).where(QUOTE.c.status == "approved",
                                                        QUOTE.c.is_current == sa.true())).scalars().all()
    if not approved:
        return
    moment = datetime.now(UTC).replace(tzinfo=None)
    op.execute(QUOTE.update().where(QUOTE.c.id.in_(approved)).values(status="pending", updated_at=moment))
    op.bulk_insert(AUDIT, [{"at": moment, "actor_id": None, "action": "status", "subject_type": "quote",
                            "subject_id": quote_id, "parent_type": "quote", "parent_id": quote_id,
                            "changes": {"status": ["approved", "pending"]}} for quote_id in approved])
