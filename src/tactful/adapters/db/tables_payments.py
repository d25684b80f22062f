"""Tables for money after checkout: refunds of orders, gateway webhooks, payments in flight,
disputes."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, String, Table, Text

from tactful.adapters.db.tables import Timestamp, metadata

# `refunds` is the test gateway's own ledger (tables_checkout); this one is the order's.
order_refunds = Table(
    "order_refunds",
    metadata,
    Column("refund_id", String(255), primary_key=True),
    Column("order_id", String(128), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("gateway_ref", Text),
    Column("lines", JSON),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_order_refunds_order_id", "order_id"),
)

# A gateway's webhook events, each handled once by id.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("gateway", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("received_at", Timestamp, nullable=False),
)

# A payment the customer is confirming in the page (a Stripe PaymentIntent): what it pays for,
# so the order is made when the gateway says it succeeded.
pending_payments = Table(
    "pending_payments",
    metadata,
    Column("payment_ref", String(255), primary_key=True),
    Column("gateway", String(32), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("order_id", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index("ix_pending_payments_order_id", "order_id"),
)

order_disputes = Table(
    "order_disputes",
    metadata,
    Column("dispute_id", String(255), primary_key=True),
    Column("order_id", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_order_disputes_order_id", "order_id"),
)

__all__ = ["order_disputes", "order_refunds", "pending_payments", "webhook_events"]
