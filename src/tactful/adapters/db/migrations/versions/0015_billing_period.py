"""billing period: how often a subscription is billed (week, month, quarter, year)

Revision ID: 0015
Revises: 0014

The monthly-to-annual switch is offered from the same plan on a longer billing period;
products without one keep the old reading (same ladder and rank, a higher price).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases: no table copy (which on SQLite would cascade
    # through the price history's foreign key)
    op.add_column("products", sa.Column("billing_period", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("products", "billing_period")
