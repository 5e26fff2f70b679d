"""The company's details on customers' documents; agents' phone numbers

Revision ID: 74295d79d443
Revises: 4225339ddd85
Create Date: 2026-11-30 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '74295d79d443'
down_revision = '4225339ddd85'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('company_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('name_zh_hant', sa.String(length=160), nullable=False),
    sa.Column('name_zh_hans', sa.String(length=160), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=False),
    sa.Column('address_zh_hant', sa.String(length=300), nullable=False),
    sa.Column('address_zh_hans', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('logo_type', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_profile'))
    )
    # user is the parent of many tables: the column is added in place.
    op.add_column('user', sa.Column('phone', sa.String(length=40), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "user" DROP COLUMN phone')
    else:
        op.drop_column('user', 'phone')
    op.drop_table('company_profile')
