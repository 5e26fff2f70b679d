"""Race-free running numbers (quote numbers and the like): a counter row per series, advanced
inside the caller's transaction so two simultaneous saves never get the same number."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class Counter(db.Model):
    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def next_value(series: str) -> int:
    """The next number of series (1, 2, ...). The UPDATE holds the row until the transaction ends:
    a second writer waits for it (PostgreSQL row lock; SQLite's writers queue at BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:   # (each dialect's module loads only where it is used)
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(Counter).values(name=series, value=0).on_conflict_do_nothing(index_elements=["name"]))
    return db.session.execute(
        sa.update(Counter).where(Counter.name == series).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()
