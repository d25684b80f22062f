"""offer responses by time, order lines by offer: the raw edges of rolled-up spans

Revision ID: 0023
Revises: 0022

The dashboard's activity reads the answers given in [since, until) for the hours its daily
rollups do not hold yet (today's); without an index on `offer_responses.at` that read scanned
every answer ever logged (EXPLAIN: SCAN offer_responses). Answers arrive in time order, so
the index is appended to. The conversions of a span credit order lines that name their
offer (one-click upsells) to its impression: looked up by `order_lines.offer_id` through a
partial index (only such lines, so the imported history costs it nothing), instead of every
line of the offered SKU (about 1.7 s CPU per rolled-up day on the 1M-decision bench store).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_offer_responses_at", "offer_responses", ["at"])
    named = sa.text("offer_id IS NOT NULL")
    op.create_index(
        "ix_order_lines_offer_id",
        "order_lines",
        ["offer_id"],
        sqlite_where=named,
        postgresql_where=named,
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_offer_id", table_name="order_lines")
    op.drop_index("ix_offer_responses_at", table_name="offer_responses")
