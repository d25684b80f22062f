"""today's hours in the rollups: `rollup_range.hours_until`

Revision ID: 0028
Revises: 0027

The daily rollups hold whole days; a report's span that ends late in a day read that day's
hours raw from the log (up to a day of impressions, answers and purchases: about 0.75-0.9 s
on the 1M-decision bench store at midnight's edge). The worker now also rolls up the hours of
the day the whole days end at as they pass, into that day's rows of `rollup_exposures` and
`rollup_offers`, and notes here how far they go ([midnight, hours_until)); reports read the
rest of the day, at most an hour or so, raw. NULL: none of that day is rolled up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rollup_range") as batch_op:
        batch_op.add_column(sa.Column("hours_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rollup_range") as batch_op:
        batch_op.drop_column("hours_until")
