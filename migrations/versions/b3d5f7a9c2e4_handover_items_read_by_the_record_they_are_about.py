"""Handover items read by the record they are about (a shipment's or a quote's page)

Revision ID: b3d5f7a9c2e4
Revises: 8e4f2a6c1b57
Create Date: 2026-12-03 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c2e4'
down_revision = '8e4f2a6c1b57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_handover_item_subject', 'handover_item', ['subject_type', 'subject_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_handover_item_subject', table_name='handover_item')
