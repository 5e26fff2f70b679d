"""A customer's time zone (its quotations are dated in it)

Revision ID: a9bbea023686
Revises: d2631f8946d1
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9bbea023686'
down_revision = 'd2631f8946d1'
branch_labels = None
depends_on = None


def upgrade():
    # customer is the parent of many tables: the column is added in place. None means the
    # customer's country's zone (where the country has one), so existing customers need no value.
    op.add_column('customer', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE customer DROP COLUMN timezone')
    else:
        op.drop_column('customer', 'timezone')
