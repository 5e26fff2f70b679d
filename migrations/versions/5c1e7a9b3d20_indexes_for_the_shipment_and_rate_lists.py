"""Indexes for the shipment and rate lists: each filter read in its list's order

Revision ID: 5c1e7a9b3d20
Revises: a9bbea023686
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9b3d20'
down_revision = 'a9bbea023686'
branch_labels = None
depends_on = None

RATE_INDEXES = (
    ('ix_rate_carrier_sort_key_id', ['carrier', 'sort_key', 'id']),
    ('ix_rate_pol_sort_key_id', ['pol', 'sort_key', 'id']),
    ('ix_rate_pod_sort_key_id', ['pod', 'sort_key', 'id']),
    ('ix_rate_lane_sort_key_id', ['pol', 'pod', 'sort_key', 'id']),
)


def upgrade():
    # "My customers" shipments: the customer's owner kept with the shipment (moved with the customer
    # by the rules), so the owner's shipments are read newest booking first through one index.
    # shipment is the parent of many tables: the column is added in place, then filled.
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in place (no table copy under the child tables).
        op.execute('ALTER TABLE shipment ADD COLUMN customer_owner_id INTEGER REFERENCES "user" (id)')
    else:
        op.add_column('shipment', sa.Column('customer_owner_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_shipment_customer_owner_id_user', 'shipment', 'user', ['customer_owner_id'], ['id'])
    op.execute('UPDATE shipment SET customer_owner_id = '
               '(SELECT customer.owner_id FROM customer WHERE customer.id = shipment.customer_id)')
    op.create_index('ix_shipment_customer_owner_booked_at_id', 'shipment', ['customer_owner_id', 'booked_at', 'id'])
    op.create_index('ix_shipment_customer_owner_etd_id', 'shipment', ['customer_owner_id', 'etd', 'id'])
    # The outbox's due messages in the order they go out (ties by id, on PostgreSQL too).
    op.drop_index('ix_outbox_message_state_next', table_name='outbox_message')
    op.create_index('ix_outbox_message_state_next', 'outbox_message', ['state', 'next_attempt_at', 'id'])
    # Schedule changes nobody has told the customers about (the navigation count).
    op.create_index('ix_schedule_change_untold', 'schedule_change', ['notified_at', 'changed_at'])
    # The rate list narrowed to a carrier, a port or a lane, in its order. A range on valid_to alone
    # served no list in its order (the list walks its sort key and filters the validity).
    for name, columns in RATE_INDEXES:
        op.create_index(name, 'rate', columns)
    # A carrier's lane in list order (the quote's rate look-ups read it too, and sort their few rows).
    op.drop_index('ix_rate_lane', table_name='rate')
    op.create_index('ix_rate_lane', 'rate', ['pol', 'pod', 'carrier', 'sort_key', 'id'])
    op.drop_index('ix_rate_valid_to_id', table_name='rate')


def downgrade():
    op.create_index('ix_rate_valid_to_id', 'rate', ['valid_to', 'id'])
    op.drop_index('ix_rate_lane', table_name='rate')
    op.create_index('ix_rate_lane', 'rate', ['pol', 'pod', 'carrier', 'valid_to'])
    for name, _columns in reversed(RATE_INDEXES):
        op.drop_index(name, table_name='rate')
    op.drop_index('ix_schedule_change_untold', table_name='schedule_change')
    op.drop_index('ix_outbox_message_state_next', table_name='outbox_message')
    op.create_index('ix_outbox_message_state_next', 'outbox_message', ['state', 'next_attempt_at'])
    op.drop_index('ix_shipment_customer_owner_etd_id', table_name='shipment')
    op.drop_index('ix_shipment_customer_owner_booked_at_id', table_name='shipment')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE shipment DROP COLUMN customer_owner_id')
    else:
        op.drop_constraint('fk_shipment_customer_owner_id_user', 'shipment', type_='foreignkey')
        op.drop_column('shipment', 'customer_owner_id')
