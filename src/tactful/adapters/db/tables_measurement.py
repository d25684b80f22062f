"""Tables for measurement: post-purchase feedback."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from tactful.adapters.db.tables import Timestamp, metadata

feedback = Table(
    "feedback",
    metadata,
    Column("feedback_id", String(255), primary_key=True),
    Column("order_id", String(128), nullable=False),
    Column("customer_id", String(128)),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("offer_ids", JSON, nullable=False),
    Column("source", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_feedback_created_at", "created_at"),
    Index("ix_feedback_order_id", "order_id"),
)

__all__ = ["feedback"]
