"""payments: order refunds, gateway webhook events, payments in flight, disputes

Revision ID: 0009
Revises: 0008

`POST /v1/orders/{id}/refunds` stores each refund once by id (`order_refunds`; `refunds` is the
test gateway's own ledger); Stripe webhooks are handled once by event id (`webhook_events`), make
the order of a PaymentIntent once it succeeded (`pending_payments`) and mark disputes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "order_refunds",
        sa.Column("refund_id", sa.String(length=255), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gateway_ref", sa.Text(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_order_refunds")),
    )
    op.create_index("ix_order_refunds_order_id", "order_refunds", ["order_id"])
    op.create_table(
        "webhook_events",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_webhook_events")),
    )
    op.create_table(
        "pending_payments",
        sa.Column("payment_ref", sa.String(length=255), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("payment_ref", name=op.f("pk_pending_payments")),
    )
    op.create_index("ix_pending_payments_order_id", "pending_payments", ["order_id"])
    op.create_table(
        "order_disputes",
        sa.Column("dispute_id", sa.String(length=255), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("dispute_id", name=op.f("pk_order_disputes")),
    )
    op.create_index("ix_order_disputes_order_id", "order_disputes", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_disputes_order_id", table_name="order_disputes")
    op.drop_table("order_disputes")
    op.drop_index("ix_pending_payments_order_id", table_name="pending_payments")
    op.drop_table("pending_payments")
    op.drop_table("webhook_events")
    op.drop_index("ix_order_refunds_order_id", table_name="order_refunds")
    op.drop_table("order_refunds")
