"""Tables for decisions, offer impressions and responses."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from tactful.adapters.db.tables import Timestamp, metadata

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("moment", String(32), nullable=False),
    Column("channel", String(32)),
    Column("at", Timestamp, nullable=False),
    Column("held_out", Boolean, nullable=False),
    Column("offer_count", Integer, nullable=False),
    Column("cart", JSON, nullable=False),
    Column("model_version", String(64)),
    # Every candidate and why it was kept or dropped (domain.offers.trace_log), JSON text
    # written as is; NULL before migration 0030.
    Column("trace", Text),
    # No index by customer: nothing reads the log that way, and each one costs every
    # decision a random page write (migration 0005). The index by time is appended to in
    # order (the dashboard's newest decisions, migration 0019).
    Index("ix_decisions_at", "at"),
)

offer_impressions = Table(
    "offer_impressions",
    metadata,
    Column("decision_id", String(64), nullable=False),
    Column("offer_id", String(128), nullable=False),
    Column("position", Integer, nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sku", String(128), nullable=False),
    Column("for_sku", String(128)),
    Column("format", String(16), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("relevance", Float),
    Column("at", Timestamp, nullable=False),
    PrimaryKeyConstraint("decision_id", "offer_id"),
    ForeignKeyConstraint(["decision_id"], ["decisions.decision_id"], ondelete="CASCADE"),
    # The record of an offer shown, read back by customer for budgets and cooldowns
    # (migration 0007): it holds every column that read takes, so no table row is visited.
    Index(
        "ix_offer_impressions_customer_shown",
        "customer_id",
        "at",
        "sku",
        "kind",
        "for_sku",
        "relevance",
        "offer_id",
    ),
    # Impressions shown in a span: the raw edges of a report around its rolled-up days
    # (migration 0021).
    Index("ix_offer_impressions_at", "at"),
)

offer_responses = Table(
    "offer_responses",
    metadata,
    Column("decision_id", String(64), nullable=False),
    Column("offer_id", String(128), nullable=False),
    Column("response", String(16), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("at", Timestamp, nullable=False),
    PrimaryKeyConstraint("decision_id", "offer_id", "response"),
    ForeignKeyConstraint(
        ["decision_id", "offer_id"],
        ["offer_impressions.decision_id", "offer_impressions.offer_id"],
        ondelete="CASCADE",
    ),
    # Answers given in a span: the dashboard's activity over a span's raw edges (0023).
    Index("ix_offer_responses_at", "at"),
)

__all__ = ["decisions", "metadata", "offer_impressions", "offer_responses"]
