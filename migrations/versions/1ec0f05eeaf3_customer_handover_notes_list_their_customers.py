"""Customer handover notes list their customers (a leaver's book shared among colleagues)

Revision ID: 1ec0f05eeaf3
Revises: 27cf8260b1fa
Create Date: 2026-11-30 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1ec0f05eeaf3'
down_revision = '27cf8260b1fa'
branch_labels = None
depends_on = None

NOTE = sa.table("handover_note", sa.column("id", sa.Integer), sa.column("customer_id", sa.Integer))
MOVED = sa.table("handover_note_customer", sa.column("note_id", sa.Integer), sa.column("customer_id", sa.Integer))


def upgrade():
    op.create_table('handover_note_customer',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_handover_note_customer_customer_id_customer')),
    sa.ForeignKeyConstraint(['note_id'], ['handover_note.id'], name=op.f('fk_handover_note_customer_note_id_handover_note'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'customer_id', name=op.f('pk_handover_note_customer'))
    )
    op.create_index('ix_handover_note_customer_customer', 'handover_note_customer', ['customer_id', 'note_id'], unique=False)
    op.execute(MOVED.insert().from_select(["note_id", "customer_id"],
                                          sa.select(NOTE.c.id, NOTE.c.customer_id).where(NOTE.c.customer_id.isnot(None))))
    # SQLite rebuilds the table (a column in a foreign key cannot be dropped in place); its
    # children's rows stay, as foreign keys are off while migrating (migrations/env.py).
    with op.batch_alter_table('handover_note', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_handover_note_customer_id_customer'), type_='foreignkey')
        batch_op.drop_column('customer_id')


def downgrade():
    with op.batch_alter_table('handover_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_handover_note_customer_id_customer'), 'customer',
                                    ['customer_id'], ['id'])
    # A note that moved several customers keeps the first of them.
    first = sa.select(sa.func.min(MOVED.c.customer_id)).where(MOVED.c.note_id == NOTE.c.id).scalar_subquery()
    op.execute(NOTE.update().values(customer_id=first))
    op.drop_index('ix_handover_note_customer_customer', table_name='handover_note_customer')
    op.drop_table('handover_note_customer')

