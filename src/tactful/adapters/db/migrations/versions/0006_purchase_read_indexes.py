"""purchase reads: customer orders by time, order lines covering SKU and source

Revision ID: 0006
Revises: 0005

A decision reads a known customer's orders stamp (count and newest) and, on their first
visit, every line they bought. `ix_orders_customer_id_created_at` (customer, created_at,
order_id) answers both from the index, in the order the lines query groups by, and replaces
`ix_orders_customer_id`, whose every use it serves (same leading column).
`ix_order_lines_order_id_line_no_sku` holds what that query reads of a line, so no line
is read from the table: a customer's lines sit together in a few index pages (about a
third off a first read's lines query, see decision_inputs.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_customer_id_created_at",
        "orders",
        ["customer_id", "created_at", "order_id"],
        unique=False,
    )
    op.drop_index("ix_orders_customer_id", table_name="orders")
    op.create_index(
        "ix_order_lines_order_id_line_no_sku",
        "order_lines",
        ["order_id", "line_no", "sku", "source"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_order_id_line_no_sku", table_name="order_lines")
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"], unique=False)
    op.drop_index("ix_orders_customer_id_created_at", table_name="orders")
