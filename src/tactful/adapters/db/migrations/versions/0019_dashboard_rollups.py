"""dashboard rollups: daily activity and offer figures, exposures' moment and channel

Revision ID: 0019
Revises: 0018

The dashboard's chart, funnel and offers read whole days from these (built by `tactful
rollups` from the raw log, like the measurement rollups of 0016), and the decisions page's
newest-first list walks an index on `decisions.at` (appended in time order, so cheap to
keep). The rollups built before are cleared: the next run rebuilds every day with the new
columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVITY = ("decisions", "held_out", "impressions", "accepted", "declined", "offer_revenue")
_OFFER_STATS = (
    "impressions", "accepted", "declined", "dismissed", "paid", "revenue", "refunded",
)  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_decisions_at", "decisions", ["at"])
    for name in ("rollup_exposures", "rollup_offers", "rollup_range"):
        op.execute(sa.text(f"DELETE FROM {name}"))
    with op.batch_alter_table("rollup_exposures") as batch:
        batch.add_column(sa.Column("moment", sa.String(length=32)))
        batch.add_column(sa.Column("channel", sa.String(length=32)))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("country", sa.String(length=64)))
    op.create_table(
        "rollup_activity",
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _ACTIVITY),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_rollup_activity")),
    )
    op.create_table(
        "rollup_offer_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("moment", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _OFFER_STATS),
        sa.PrimaryKeyConstraint("day", "sku", "kind", "moment", name=op.f("pk_rollup_offer_stats")),
    )


def downgrade() -> None:
    op.drop_table("rollup_offer_stats")
    op.drop_table("rollup_activity")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("country")
    with op.batch_alter_table("rollup_exposures") as batch:
        batch.drop_column("channel")
        batch.drop_column("moment")
    op.drop_index("ix_decisions_at", table_name="decisions")
