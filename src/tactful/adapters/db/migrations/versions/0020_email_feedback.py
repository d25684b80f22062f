"""email complaints (ARF feedback reports) and first opens (the optional pixel)

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_complaints",
        sa.Column("complaint_key", sa.String(length=200), primary_key=True),
        sa.Column("mail_id", sa.BigInteger()),
        sa.Column("address", sa.String(length=320)),
        sa.Column("customer_id", sa.String(length=128)),
        sa.Column("feedback_type", sa.String(length=32), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_email_complaints_customer", "email_complaints", ["customer_id"])
    op.create_table(
        "email_opens",
        sa.Column("mail_id", sa.BigInteger(), primary_key=True),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_opens")
    op.drop_index("ix_email_complaints_customer", table_name="email_complaints")
    op.drop_table("email_complaints")
