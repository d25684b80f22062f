"""each customer's orders per day: `rollup_orders`

Revision ID: 0031
Revises: 0030

`tactful report` totalled each exposed customer's orders over the span and the 90-day
pre-period from the raw orders joined to their lines (0.57 s of server time on the 1M
PostgreSQL bench store). The rollup job now also writes each customer's orders, gross, units
and latest order per day and currency for the days (and today's hours) it rolls up; the
totals read them there and the rest raw, and read refunds by order as before. This fills the
table for the days the rollups already hold.
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from tactful.adapters.db.order_rollups import roll_orders
from tactful.adapters.db.tables import Timestamp

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_range = sa.table(
    "rollup_range",
    sa.column("name", sa.String(16)),
    sa.column("first_day", sa.Date()),
    sa.column("end_day", sa.Date()),
    sa.column("hours_until", Timestamp),
)


def upgrade() -> None:
    op.create_table(
        "rollup_orders",
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), nullable=False)
            for name in ("orders", "gross", "units")
        ),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "day", "currency", name=op.f("pk_rollup_orders")),
    )
    held = op.get_bind().execute(sa.select(_range).where(_range.c.name == "measure")).first()
    if held is None:
        return
    roll_orders(op.get_bind(), first_day=held.first_day, end_day=held.end_day)
    if held.hours_until is not None:
        roll_orders(
            op.get_bind(),
            first_day=held.end_day,
            end_day=held.end_day + timedelta(days=1),
            until=held.hours_until,
        )


def downgrade() -> None:
    op.drop_table("rollup_orders")
