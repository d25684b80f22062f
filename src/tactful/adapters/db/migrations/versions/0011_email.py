"""email: sequence versions, enrolments, the outbox, suppressions, preferences, interactions

Revision ID: 0011
Revises: 0010

Email sequences (`tactful sequences load`, `POST /v1/sequences`) are stored per version; the
worker enrols customers once per (sequence, customer, trigger) and sends each step once per
enrolment (unique `(enrolment_key, step)`), claiming due mails by lease.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sequence_versions",
        sa.Column("sequence_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sequence_id", "version", name=op.f("pk_sequence_versions")),
    )
    op.create_table(
        "email_enrolments",
        sa.Column("enrolment_key", sa.String(400), nullable=False),
        sa.Column("sequence_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("trigger_key", sa.String(200), nullable=False),
        sa.Column("trigger_at", _TS, nullable=False),
        sa.Column("enrolled_at", _TS, nullable=False),
        sa.Column("held_out", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("exit_reason", sa.String(32), nullable=True),
        sa.Column("ended_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("enrolment_key", name=op.f("pk_email_enrolments")),
    )
    op.create_index(
        "ix_email_enrolments_customer_state", "email_enrolments", ["customer_id", "state"]
    )
    op.create_index(
        "ix_email_enrolments_sequence_state",
        "email_enrolments",
        ["sequence_id", "state", "customer_id"],
    )
    op.create_table(
        "email_outbox",
        sa.Column(
            "mail_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("enrolment_key", sa.String(400), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=True),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("sent_at", _TS, nullable=True),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("offered", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("mail_id", name=op.f("pk_email_outbox")),
    )
    op.create_index(
        "uq_email_outbox_enrolment_step", "email_outbox", ["enrolment_key", "step"], unique=True
    )
    op.create_index("ix_email_outbox_state_due", "email_outbox", ["state", "due_at"])
    op.create_index("ix_email_outbox_customer_sent", "email_outbox", ["customer_id", "sent_at"])
    op.create_index("ix_email_outbox_claim", "email_outbox", ["claim_token"])
    op.create_table(
        "email_suppressions",
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_email_suppressions")),
    )
    op.create_table(
        "email_preferences",
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("paused_until", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_email_preferences")),
    )
    op.create_table(
        "email_interactions",
        sa.Column("mail_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_index("ix_email_interactions_mail", "email_interactions", ["mail_id", "kind"])


def downgrade() -> None:
    for table in (
        "email_interactions",
        "email_preferences",
        "email_suppressions",
        "email_outbox",
        "email_enrolments",
        "sequence_versions",
    ):
        op.drop_table(table)
