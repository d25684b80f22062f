"""sliding_counters: the publishable rate limit's two windows, one row per caller

Revision ID: 0025
Revises: 0024

The publishable rate limit counted fixed clock minutes (`rate_counters`), which admit twice
the limit across a minute's end. It now estimates a sliding minute from the current window
and the previous one, decided and counted by one upsert on the caller's row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sliding_counters",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("previous", sa.BigInteger(), nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.Column("stale_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sliding_counters")),
    )
    op.create_index("ix_sliding_counters_stale_at", "sliding_counters", ["stale_at"])


def downgrade() -> None:
    op.drop_index("ix_sliding_counters_stale_at", table_name="sliding_counters")
    op.drop_table("sliding_counters")
