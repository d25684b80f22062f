"""A product as a row of the `products` table's columns: one mapping for every store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tactful.domain.catalog import BillingPeriod, Product, ProductKind, Sku, Tier
from tactful.domain.money import Money

PRODUCT_FIELDS = (
    "name",
    "price",
    "currency",
    "kind",
    "category",
    "compare_at_price",
    "tier_ladder",
    "tier_rank",
    "outcome",
    "active",
    "inventory",
    "billing_period",
    "image_url",
)
"""The columns an upsert may be limited to (`update_fields`), besides the SKU."""


def product_row(product: Product, at: datetime) -> dict[str, Any]:
    """The product's columns, stamped `updated_at`."""
    return {
        "sku": product.sku,
        "name": product.name,
        "price": product.price.amount,
        "currency": product.price.currency,
        "kind": product.kind.value,
        "category": product.category,
        "compare_at_price": product.compare_at.amount if product.compare_at else None,
        "tier_ladder": product.tier.ladder if product.tier else None,
        "tier_rank": product.tier.rank if product.tier else None,
        "outcome": product.outcome,
        "active": product.active,
        "inventory": product.inventory,
        "billing_period": product.billing_period.value if product.billing_period else None,
        "image_url": product.image_url,
        "updated_at": at,
    }


def product_from_row(row: Mapping[Any, Any]) -> Product:
    """The product a row of those columns holds."""
    currency = row["currency"]
    compare_at = row["compare_at_price"]
    ladder = row["tier_ladder"]
    return Product(
        sku=Sku(row["sku"]),
        name=row["name"],
        price=Money(int(row["price"]), currency),
        kind=ProductKind(row["kind"]),
        category=row["category"],
        compare_at=Money(int(compare_at), currency) if compare_at is not None else None,
        tier=Tier(ladder, int(row["tier_rank"])) if ladder is not None else None,
        outcome=row["outcome"],
        active=bool(row["active"]),
        inventory=row["inventory"],
        billing_period=BillingPeriod(period) if (period := row.get("billing_period")) else None,
        image_url=row.get("image_url"),
    )
