"""Tables for measurement: post-purchase feedback, and the daily rollups reports read."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
)

from tactful.adapters.db.tables import Timestamp, metadata
from tactful.services.ports.dashboard import OFFER_COUNTS

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


# Daily rollups (rebuilt from the raw log by `tactful rollups`): each customer's first decision
# of a day, and each offer's outcomes by the day it was shown. `held` is 0 or 1, 2 when the
# day's decisions disagreed.
rollup_exposures = Table(
    "rollup_exposures",
    metadata,
    Column("day", Date, nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("first_at", Timestamp, nullable=False),
    Column("held", SmallInteger, nullable=False),
    Column("moment", String(32)),
    Column("channel", String(32)),
    PrimaryKeyConstraint("day", "customer_id"),
)

rollup_offers = Table(
    "rollup_offers",
    metadata,
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sku", String(128), nullable=False),
    Column("moment", String(32), nullable=False),
    *(
        Column(name, BigInteger, nullable=False)
        for name in (
            "impressions",
            "accepted",
            "declined",
            "dismissed",
            "converted",
            "ignored",
            "net_revenue",
        )
    ),
    PrimaryKeyConstraint("day", "kind", "sku", "moment"),
)

# The dashboard's figures per day (migration 0019): its activity chart, and each offered
# item's funnel by the day of the decision that showed it.
rollup_activity = Table(
    "rollup_activity",
    metadata,
    Column("day", Date, primary_key=True),
    *(
        Column(name, BigInteger, nullable=False)
        for name in (
            "decisions",
            "held_out",
            "impressions",
            "accepted",
            "declined",
            "offer_revenue",
        )
    ),
)

rollup_offer_stats = Table(
    "rollup_offer_stats",
    metadata,
    Column("day", Date, nullable=False),
    Column("sku", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("moment", String(32), nullable=False),
    Column("name", Text, nullable=False),
    *(Column(name, BigInteger, nullable=False) for name in OFFER_COUNTS),
    PrimaryKeyConstraint("day", "sku", "kind", "moment"),
)

# The days [first_day, end_day) the rollups hold, one row; and end_day's hours up to
# hours_until, rolled up as they pass (NULL: none of end_day; migration 0028).
rollup_range = Table(
    "rollup_range",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("first_day", Date, nullable=False),
    Column("end_day", Date, nullable=False),
    Column("built_at", Timestamp, nullable=False),
    Column("hours_until", Timestamp, nullable=True),
)

# Each customer's orders of a day per currency, before refunds (read raw by order, as the raw
# totals take them, so a refund after the day was rolled counts): for `tactful report`'s
# per-customer order totals (migration 0031). last_at: the day's latest order.
rollup_orders = Table(
    "rollup_orders",
    metadata,
    Column("customer_id", String(128), nullable=False),
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("gross", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("last_at", Timestamp, nullable=False),
    PrimaryKeyConstraint("customer_id", "day", "currency"),
)

# The dashboard's figures as the worker last computed them (pickled report objects, keyed by
# page, period and segment): a first view reads them instead of the raw log (migration 0027).
stored_figures = Table(
    "stored_figures",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("computed_at", Timestamp, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

__all__ = [
    "decision_variants",
    "experiments",
    "feedback",
    "rollup_activity",
    "rollup_exposures",
    "rollup_offer_stats",
    "rollup_offers",
    "rollup_orders",
    "rollup_range",
    "stored_figures",
]


# Experiments: variants (name, weight, the policy each applies) as JSON; assignment is the
# hash of (experiment id, customer id) within the experiment's slice of its layer; the
# variant each decision really followed is kept in decision_variants (migration 0019).
experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("variants", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("stopped_at", Timestamp),
    Column("layer", String(64), nullable=False, server_default="default"),
    Column("moments", JSON),
    Column("traffic", Integer, nullable=False, server_default="100"),
    Column("traffic_start", Integer, nullable=False, server_default="0"),
    Column("stop_record", JSON),
)

# The experiment arm each decision followed (one row per experiment that applied), written
# with the decision, so reports count what was shown rather than recomputing the hash.
decision_variants = Table(
    "decision_variants",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column("experiment_id", String(64), primary_key=True),
    Column("variant", String(64), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("at", Timestamp, nullable=False),
    Index("ix_decision_variants_experiment_at", "experiment_id", "at"),
)
