"""checkout tables: pages, the test gateway's cards and charges, idempotency, funnel state

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkout_pages",
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_checkout_pages")),
    )
    op.create_table(
        "payment_methods",
        sa.Column("payment_method_id", sa.String(64), nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("customer_ref", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(32), nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("behaviour", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("payment_method_id", name=op.f("pk_payment_methods")),
    )
    op.create_table(
        "charges",
        sa.Column("charge_id", sa.String(64), nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("payment_method_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("failure_code", sa.String(64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("charge_id", name=op.f("pk_charges")),
        sa.UniqueConstraint("gateway", "idempotency_key", name=op.f("uq_charges_gateway")),
    )
    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.String(64), nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("charge_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.charge_id"], name=op.f("fk_refunds_charge_id_charges")
        ),
        sa.PrimaryKeyConstraint("refund_id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("gateway", "idempotency_key", name=op.f("uq_refunds_gateway")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("completed_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "checkout_orders",
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("page_slug", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("gateway", sa.String(32), nullable=False),
        sa.Column("payment_method_id", sa.String(64), nullable=False),
        sa.Column("card_label", sa.String(64), nullable=False),
        sa.Column("purchased_at", _TS, nullable=False),
        sa.Column("attribution", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.order_id"],
            name=op.f("fk_checkout_orders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_checkout_orders")),
    )
    op.create_index("ix_checkout_orders_page_slug", "checkout_orders", ["page_slug"])
    op.create_table(
        "checkout_offer_responses",
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("charge_id", sa.String(64), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.Column("answered_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["checkout_orders.order_id"],
            name=op.f("fk_checkout_offer_responses_order_id_checkout_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "offer_id", name=op.f("pk_checkout_offer_responses")),
        sa.UniqueConstraint(
            "order_id", "line_no", name=op.f("uq_checkout_offer_responses_order_id")
        ),
    )
    op.create_table(
        "checkout_charges",
        sa.Column("charge_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("offer_id", sa.String(64), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["checkout_orders.order_id"],
            name=op.f("fk_checkout_charges_order_id_checkout_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charge_id", name=op.f("pk_checkout_charges")),
        sa.UniqueConstraint("order_id", "offer_id", name=op.f("uq_checkout_charges_order_id")),
    )


def downgrade() -> None:
    op.drop_table("checkout_charges")
    op.drop_table("checkout_offer_responses")
    op.drop_index("ix_checkout_orders_page_slug", table_name="checkout_orders")
    op.drop_table("checkout_orders")
    op.drop_table("idempotency_keys")
    op.drop_table("refunds")
    op.drop_table("charges")
    op.drop_table("payment_methods")
    op.drop_table("checkout_pages")
