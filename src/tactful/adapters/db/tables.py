"""Table definitions (SQLAlchemy Core); migrations under migrations/ create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: SQLite drops offsets, so store and read UTC.

    A naive datetime is taken to be UTC already.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC or value.tzinfo is None:
            utc = value.replace(tzinfo=UTC)
        else:
            utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Timestamp = UtcDateTime()

products = Table(
    "products",
    metadata,
    Column("sku", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(16), nullable=False, server_default="physical"),
    Column("category", Text),
    Column("compare_at_price", BigInteger),
    Column("tier_ladder", String(64)),
    Column("tier_rank", Integer),
    Column("outcome", Text),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("inventory", Integer),
    Column("billing_period", String(8)),
    Column("image_url", Text),
    Column("updated_at", Timestamp, nullable=False),
)

price_history = Table(
    "price_history",
    metadata,
    Column("sku", String(128), ForeignKey("products.sku", ondelete="CASCADE"), nullable=False),
    Column("effective_at", Timestamp, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    PrimaryKeyConstraint("sku", "effective_at"),
)

bundles = Table(
    "bundles",
    metadata,
    Column("bundle_id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
)

bundle_items = Table(
    "bundle_items",
    metadata,
    Column(
        "bundle_id",
        String(128),
        ForeignKey("bundles.bundle_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("sku", String(128), nullable=False),
    PrimaryKeyConstraint("bundle_id", "sku"),
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(128), primary_key=True),
    Column("email", Text),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("created_at", Timestamp, nullable=False),
    Column("country", String(64)),
)

consents = Table(
    "consents",
    metadata,
    Column(
        "customer_id",
        String(128),
        ForeignKey("customers.customer_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("purpose", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("source", Text, nullable=False),
    PrimaryKeyConstraint("customer_id", "purpose", "at"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(128), primary_key=True),
    Column("customer_id", String(128)),
    Column("created_at", Timestamp, nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("source", String(32), nullable=False, server_default="api"),
    Index("ix_orders_customer_id_created_at", "customer_id", "created_at", "order_id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column(
        "order_id", String(128), ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False
    ),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(128), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("offer_id", String(64)),
    Column("source", String(16), nullable=False, server_default="main"),
    PrimaryKeyConstraint("order_id", "line_no"),
    Index("ix_order_lines_order_id_line_no_sku", "order_id", "line_no", "sku", "source"),
    # The few lines that name the offer they came from (one-click upsells), for crediting them
    # to their impression; partial, so imported history costs it nothing (migration 0023).
    Index(
        "ix_order_lines_offer_id",
        "offer_id",
        sqlite_where=text("offer_id IS NOT NULL"),
        postgresql_where=text("offer_id IS NOT NULL"),
    ),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("sku", String(128)),
    Column("properties", JSON, nullable=False),
    Index("ix_events_customer_at", "customer_id", "at"),
)

imports = Table(
    "imports",
    metadata,
    Column("import_id", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("format", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    Column("summary", JSON),
    UniqueConstraint("sha256", "format", "started_at"),
)
