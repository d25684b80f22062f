"""shared state: the shown-offer budget spent atomically, and change counters per cache

Revision ID: 0010
Revises: 0009

Several server processes (and the CLI) share one database: the weekly offer budget is
spent by an insert-or-ignore per (customer, offer, day) under a per-customer lock, and every
in-memory cache (catalogue, models) compares a version number that writers bump.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_budget_spends",
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("offer_key", sa.String(length=300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "customer_id", "offer_key", "day", name=op.f("pk_offer_budget_spends")
        ),
    )
    op.create_index(
        "ix_offer_budget_spends_customer_at", "offer_budget_spends", ["customer_id", "at"]
    )
    op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )


def downgrade() -> None:
    op.drop_table("change_counters")
    op.drop_index("ix_offer_budget_spends_customer_at", table_name="offer_budget_spends")
    op.drop_table("offer_budget_spends")
