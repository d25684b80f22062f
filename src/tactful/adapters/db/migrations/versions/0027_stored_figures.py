"""stored dashboard figures: each page's figures as the worker last computed them

Revision ID: 0027
Revises: 0026

At 1,000,000 decisions a first view of the overview computed its statistics from the raw
order log and took 10-16 s; the worker now computes the standard pages' figures every few
minutes and keeps them here (one row per page, period and segment), so a first view reads
one row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_figures",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_figures")),
    )


def downgrade() -> None:
    op.drop_table("stored_figures")
