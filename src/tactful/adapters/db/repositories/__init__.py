"""Repositories: plain functions over a SQLAlchemy `Connection`, same on SQLite and PostgreSQL.

The caller (a service) owns the transaction; nothing here commits.
"""

from tactful.adapters.db.repositories import events, offers
from tactful.adapters.db.repositories._common import UpsertCounts, utc
from tactful.adapters.db.repositories.catalog import (
    all_products,
    bundles_containing,
    get_products,
    price_history,
    record_price_points,
    upsert_bundles,
    upsert_products,
)
from tactful.adapters.db.repositories.customers import (
    get_customer,
    record_consent,
    upsert_customers,
)
from tactful.adapters.db.repositories.imports import (
    recent_imports,
    record_import,
    was_imported,
)
from tactful.adapters.db.repositories.orders import (
    InsertCounts,
    count_rows,
    existing_order_ids,
    get_orders,
    insert_orders,
    orders_of,
    read_baskets,
)

__all__ = [
    "InsertCounts",
    "UpsertCounts",
    "all_products",
    "bundles_containing",
    "count_rows",
    "events",
    "existing_order_ids",
    "get_customer",
    "get_orders",
    "get_products",
    "insert_orders",
    "offers",
    "orders_of",
    "price_history",
    "read_baskets",
    "recent_imports",
    "record_consent",
    "record_import",
    "record_price_points",
    "upsert_bundles",
    "upsert_customers",
    "upsert_products",
    "utc",
    "was_imported",
]
