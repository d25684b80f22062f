"""Tables for checkout pages, payments, idempotency keys."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tactful.adapters.db.tables import Timestamp, metadata

checkout_pages = Table(
    "checkout_pages",
    metadata,
    Column("slug", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# The built-in `test` gateway's own storage: what a real provider would keep on its side.
payment_methods = Table(
    "payment_methods",
    metadata,
    Column("payment_method_id", String(64), primary_key=True),
    Column("gateway", String(32), nullable=False),
    Column("customer_ref", Text, nullable=False),
    Column("brand", String(32), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
    Column("behaviour", String(32), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

charges = Table(
    "charges",
    metadata,
    Column("charge_id", String(64), primary_key=True),
    Column("gateway", String(32), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("payment_method_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False),
    Column("failure_code", String(64)),
    Column("failure_message", Text),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("gateway", "idempotency_key"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", String(64), primary_key=True),
    Column("gateway", String(32), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("charge_id", String(64), ForeignKey("charges.charge_id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("gateway", "idempotency_key"),
)

# Request-level exactly-once: a key is claimed before work starts and holds the first result.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("result", JSON),
    Column("created_at", Timestamp, nullable=False),
    Column("completed_at", Timestamp),
)

checkout_orders = Table(
    "checkout_orders",
    metadata,
    Column(
        "order_id", String(128), ForeignKey("orders.order_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("page_slug", String(64), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("gateway", String(32), nullable=False),
    Column("payment_method_id", String(64), nullable=False),
    Column("card_label", String(64), nullable=False),
    Column("purchased_at", Timestamp, nullable=False),
    Column("attribution", JSON, nullable=False),
    Index("ix_checkout_orders_page_slug", "page_slug"),
)

# Business-level exactly-once: one row per offer, claimed before charging; a second
# accept of the same offer, whatever its idempotency key, finds the row and charges nothing.
checkout_offer_responses = Table(
    "checkout_offer_responses",
    metadata,
    Column(
        "order_id",
        String(128),
        ForeignKey("checkout_orders.order_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("offer_id", String(64), nullable=False),
    Column("sku", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("charge_id", String(64)),
    Column("line_no", Integer),
    Column("message", Text),
    Column("claimed_at", Timestamp, nullable=False),
    Column("answered_at", Timestamp),
    PrimaryKeyConstraint("order_id", "offer_id"),
    UniqueConstraint("order_id", "line_no"),
)

checkout_charges = Table(
    "checkout_charges",
    metadata,
    Column("charge_id", String(64), primary_key=True),
    Column(
        "order_id",
        String(128),
        ForeignKey("checkout_orders.order_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("offer_id", String(64)),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("order_id", "offer_id"),
)

__all__ = [
    "charges",
    "checkout_charges",
    "checkout_offer_responses",
    "checkout_orders",
    "checkout_pages",
    "idempotency_keys",
    "metadata",
    "payment_methods",
    "refunds",
]
