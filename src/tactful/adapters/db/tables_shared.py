"""Tables through which several processes on one database stay consistent.

`offer_budget_spends` is the shown-offer budget, checked atomically in the database so that
concurrent decisions in different server processes cannot overspend it; `change_counters`
holds a version per in-memory cache (catalogue, models), bumped in the same transaction as
the write, so every process notices what another one wrote; `rate_counters` holds the
fixed-window counts of abuse throttles (one row per key and window), and `sliding_counters`
the two windows of each sliding-window rate limit (one row per key: the current window's
start in milliseconds, the calls admitted in it and in the window before).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
)

from tactful.adapters.db.tables import Timestamp, metadata

offer_budget_spends = Table(
    "offer_budget_spends",
    metadata,
    Column("customer_id", String(128), nullable=False),
    Column("offer_key", String(300), nullable=False),
    Column("day", Date, nullable=False),
    Column("at", Timestamp, nullable=False),
    # One spend per offer and day: a refresh, back and forward or a second tab adds nothing.
    PrimaryKeyConstraint("customer_id", "offer_key", "day"),
    Index("ix_offer_budget_spends_customer_at", "customer_id", "at"),
)

change_counters = Table(
    "change_counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key", String(200), nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("ends_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("key", "window_start"),
    Index("ix_rate_counters_ends_at", "ends_at"),
)

sliding_counters = Table(
    "sliding_counters",
    metadata,
    Column("key", String(200), nullable=False),
    Column("window_start", BigInteger, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("previous", BigInteger, nullable=False),
    Column("admitted", Boolean, nullable=False),
    Column("stale_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("key"),
    Index("ix_sliding_counters_stale_at", "stale_at"),
)
