"""Tables of the storefront integration: platform order ids, webhook endpoints, the outbox.

`platform_orders` maps a shop platform's own order id to ours, so a refund webhook (which
names only the platform's id) finds its order. `webhook_endpoints` are the merchant's
receivers with their signing secrets; `webhook_outbox` holds one row per event and endpoint
until delivered (or given up), written in the transaction that made the event, so a crash
loses none.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from tactful.adapters.db.tables import Timestamp, metadata

platform_orders = Table(
    "platform_orders",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("platform_id", String(64), nullable=False),
    Column("order_id", String(128), nullable=False),
    PrimaryKeyConstraint("platform", "platform_id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("endpoint_id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text),
    Column("failing_since", Timestamp),
    Column("created_at", Timestamp, nullable=False),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("endpoint_id", String(64), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("claimed_until", Timestamp),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_at", Timestamp),
    Index("ix_webhook_outbox_due", "status", "next_attempt_at"),
    Index("ix_webhook_outbox_endpoint", "endpoint_id", "created_at"),
)

__all__ = ["platform_orders", "webhook_endpoints", "webhook_outbox"]
