"""Shift names in each of the portal's languages; time zones people pick by a real ID

Revision ID: 4225339ddd85
Revises: 69bda21e36be
Create Date: 2026-11-30 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4225339ddd85'
down_revision = '69bda21e36be'
branch_labels = None
depends_on = None

SHIFT = sa.table("shift", sa.column("id", sa.Integer), sa.column("name_zh_hant", sa.String),
                 sa.column("name_zh_hans", sa.String))
USER = sa.table("user", sa.column("timezone", sa.String))


def upgrade():
    # In place (shift is the parent of handover notes): a rename and a column, no table rebuild.
    op.execute('ALTER TABLE shift RENAME COLUMN name_zh TO name_zh_hant')
    op.add_column('shift', sa.Column('name_zh_hans', sa.String(length=40), server_default='', nullable=False))
    # The Simplified name from the Traditional one (OpenCC); an admin can change it afterwards.
    import opencc
    convert = opencc.OpenCC("t2s").convert
    bind = op.get_bind()
    for shift_id, name in bind.execute(sa.select(SHIFT.c.id, SHIFT.c.name_zh_hant)).all():
        bind.execute(SHIFT.update().where(SHIFT.c.id == shift_id).values(name_zh_hans=convert(name or "")))
    # Europe/Rotterdam was offered by mistake: it is no time zone (the Netherlands are Europe/Amsterdam).
    op.execute(USER.update().where(USER.c.timezone == "Europe/Rotterdam").values(timezone="Europe/Amsterdam"))
    op.execute(sa.text("UPDATE shift SET timezone = 'Europe/Amsterdam' WHERE timezone = 'Europe/Rotterdam'"))


def downgrade():
    op.execute('ALTER TABLE shift RENAME COLUMN name_zh_hant TO name_zh')
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE shift DROP COLUMN name_zh_hans')
    else:
        op.drop_column('shift', 'name_zh_hans')
