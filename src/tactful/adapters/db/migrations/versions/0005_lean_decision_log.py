"""decision log: drop the customer indexes no query reads

Revision ID: 0005
Revises: 0004

Every decision writes a row to `decisions` and one to `offer_impressions` per offer shown,
and each index on a random key (the customer) dirties a page of its own per row. Nothing
reads either table by customer: cooldowns and budgets read the customer's offer events
(`ix_events_customer_at`), responses find impressions by their primary key, and analysis
scans by time. Dropping the two indexes takes two of the five random page writes out of an
average decision's commit (bench/http_decisions.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_customer_at")
    with op.batch_alter_table("offer_impressions", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_impressions_customer_at")


def downgrade() -> None:
    with op.batch_alter_table("offer_impressions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offer_impressions_customer_at", ["customer_id", "at"], unique=False
        )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_customer_at", ["customer_id", "at"], unique=False)
