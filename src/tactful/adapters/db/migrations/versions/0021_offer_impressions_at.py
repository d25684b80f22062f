"""offer impressions by time: the reports' funnel and conversions of a span's raw edges

Revision ID: 0021
Revises: 0020

The reports and the dashboard read whole days from the daily rollups and the hours around
them (today's, say) from the raw log: impressions shown in [since, until). Without an index on
`offer_impressions.at` each such read scanned every impression ever logged; impressions are
appended in time order, so the index is cheap to keep.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_offer_impressions_at", "offer_impressions", ["at"])


def downgrade() -> None:
    op.drop_index("ix_offer_impressions_at", table_name="offer_impressions")
