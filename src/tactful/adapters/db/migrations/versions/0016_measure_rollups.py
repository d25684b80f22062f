"""measurement rollups: customers' first decision per day, offers' outcomes per day shown

Revision ID: 0016
Revises: 0015

Reports over a million decisions read these instead of the raw log for the whole days they
hold (`tactful rollups` rebuilds them from the raw log, so they give identical numbers); the
raw log answers for the days around them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTS = ("impressions", "accepted", "declined", "dismissed", "converted", "ignored")


def upgrade() -> None:
    op.create_table(
        "rollup_exposures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "customer_id", name=op.f("pk_rollup_exposures")),
    )
    op.create_table(
        "rollup_offers",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("moment", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in (*_COUNTS, "net_revenue")),
        sa.PrimaryKeyConstraint("day", "kind", "sku", "moment", name=op.f("pk_rollup_offers")),
    )
    op.create_table(
        "rollup_range",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_range")),
    )


def downgrade() -> None:
    op.drop_table("rollup_range")
    op.drop_table("rollup_offers")
    op.drop_table("rollup_exposures")
