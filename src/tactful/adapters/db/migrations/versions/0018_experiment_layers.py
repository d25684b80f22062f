"""experiment layers, moments, traffic slices, stop records, and the variant of each decision

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("experiments") as batch:
        batch.add_column(
            sa.Column("layer", sa.String(length=64), nullable=False, server_default="default")
        )
        batch.add_column(sa.Column("moments", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("traffic", sa.Integer(), nullable=False, server_default="100"))
        batch.add_column(
            sa.Column("traffic_start", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("stop_record", sa.JSON(), nullable=True))
    op.create_table(
        "decision_variants",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", "experiment_id", name=op.f("pk_decision_variants")),
    )
    op.create_index(
        "ix_decision_variants_experiment_at", "decision_variants", ["experiment_id", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_decision_variants_experiment_at", table_name="decision_variants")
    op.drop_table("decision_variants")
    with op.batch_alter_table("experiments") as batch:
        for column in ("stop_record", "traffic_start", "traffic", "moments", "layer"):
            batch.drop_column(column)
