"""offer responses by time: the dashboard's daily answers over a span's raw edges

Revision ID: 0022
Revises: 0021

The dashboard's activity reads the answers given in [since, until) for the hours its daily
rollups do not hold yet (today's); without an index on `offer_responses.at` that read scanned
every answer ever logged (EXPLAIN: SCAN offer_responses). Answers arrive in time order, so
the index is appended to.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_offer_responses_at", "offer_responses", ["at"])


def downgrade() -> None:
    op.drop_index("ix_offer_responses_at", table_name="offer_responses")
