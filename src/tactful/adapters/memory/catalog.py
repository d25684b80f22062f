"""`tactful.services.ports.CatalogStore` in memory."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tactful.domain.catalog import PricePoint, Product
from tactful.domain.counts import UpsertCounts

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CatalogData:
    """What the catalog store holds."""

    products: dict[str, Product] = field(default_factory=dict)
    updated_at: dict[str, datetime] = field(default_factory=dict)
    price_points: dict[tuple[str, datetime], PricePoint] = field(default_factory=dict)


class MemoryCatalogStore:
    """`tactful.services.ports.CatalogStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def get_products(self, skus: Iterable[str]) -> dict[str, Product]:
        stored = self.state.catalog.products
        return {sku: stored[sku] for sku in skus if sku in stored}

    def price_history(self, skus: Iterable[str]) -> dict[str, list[PricePoint]]:
        wanted = set(skus)
        history: dict[str, list[PricePoint]] = {}
        for point in sorted(self.state.catalog.price_points.values(), key=_point_order):
            if point.sku in wanted:
                history.setdefault(point.sku, []).append(point)
        return history

    def upsert_products(
        self,
        products_: Sequence[Product],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
        record_history: bool = True,
    ) -> UpsertCounts:
        catalog = self.state.catalog
        columns = _COLUMNS if update_fields is None else tuple(update_fields)
        fields = {_COLUMNS[column] for column in columns}
        created = updated = 0
        batch = list({p.sku: p for p in products_}.values())
        points = []
        for product in batch:
            old = catalog.products.get(product.sku)
            if old is None:
                created += 1
                points.append(PricePoint(product.sku, product.price, at))
            elif catalog.updated_at[product.sku] > at or _same(old, product, fields):
                continue
            else:
                updated += 1
                product = replace(old, **{f: getattr(product, f) for f in fields})
                if product.price != old.price:
                    points.append(PricePoint(product.sku, product.price, at))
            catalog.products[product.sku] = product
            catalog.updated_at[product.sku] = at
        if record_history:
            self.record_price_points(points)
        return UpsertCounts(created, updated, len(batch) - created - updated)

    def record_price_points(self, points: Iterable[PricePoint]) -> None:
        stored = self.state.catalog.price_points
        for point in points:
            stored.setdefault((point.sku, point.effective_at), point)

    def count_price_points(self) -> int:
        return len(self.state.catalog.price_points)


# The SQL columns an upsert may be limited to, and the Product attribute each one is part of.
_COLUMNS = {
    "name": "name",
    "price": "price",
    "currency": "price",
    "kind": "kind",
    "category": "category",
    "compare_at_price": "compare_at",
    "tier_ladder": "tier",
    "tier_rank": "tier",
    "outcome": "outcome",
    "active": "active",
    "inventory": "inventory",
}


def _point_order(point: PricePoint) -> tuple[str, datetime]:
    return point.sku, point.effective_at


def _same(old: Product, new: Product, fields: Collection[str]) -> bool:
    return all(getattr(old, f) == getattr(new, f) for f in fields)
