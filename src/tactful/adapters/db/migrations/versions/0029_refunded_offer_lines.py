"""refunded offer lines in the dashboard rollups: `rollup_offer_stats.refunded_lines`

Revision ID: 0029
Revises: 0028

The overview's funnel gains its last step, paid offer lines refunded (in full or by line).
The rollups built before are cleared (as 0019 did): reports read the raw log until the next
run of `tactful rollups` (or the worker) rebuilds every day with the new column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLLUPS = ("rollup_exposures", "rollup_offers", "rollup_activity", "rollup_offer_stats")


def upgrade() -> None:
    for name in (*_ROLLUPS, "rollup_range"):
        op.execute(sa.text(f"DELETE FROM {name}"))
    with op.batch_alter_table("rollup_offer_stats") as batch:
        batch.add_column(
            sa.Column("refunded_lines", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("rollup_offer_stats") as batch:
        batch.drop_column("refunded_lines")
