"""`tactful.services.ports.CatalogStore` in memory."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tactful.adapters.memory._common import check_fields, last_by, utc
from tactful.adapters.product_rows import PRODUCT_FIELDS, product_from_row, product_row
from tactful.domain.catalog import Bundle, PricePoint, Product
from tactful.domain.counts import UpsertCounts

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CatalogData:
    """What the catalog store holds: product rows by SKU, price points, bundles by id."""

    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    price_points: dict[tuple[str, datetime], PricePoint] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)


def _price(row: dict[str, Any]) -> tuple[int, str]:
    return row["price"], row["currency"]


class MemoryCatalogStore:
    """`tactful.services.ports.CatalogStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.catalog

    def upsert_products(
        self,
        products_: Sequence[Product],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
        record_history: bool = True,
    ) -> UpsertCounts:
        fields = (
            PRODUCT_FIELDS
            if update_fields is None
            else check_fields(update_fields, PRODUCT_FIELDS, "product")
        )
        at = utc(at)
        points: list[PricePoint] = []
        counts = UpsertCounts()
        for product in last_by(products_, lambda p: p.sku):
            row, old = product_row(product, at), self.data.products.get(product.sku)
            if old is None:
                self.data.products[product.sku] = row
                points.append(PricePoint(product.sku, product.price, at))
                counts += UpsertCounts(created=1)
            elif old["updated_at"] > at or all(old[f] == row[f] for f in fields):
                counts += UpsertCounts(unchanged=1)
            else:
                changed = {f: row[f] for f in fields}
                self.data.products[product.sku] = {**old, **changed, "updated_at": at}
                counts += UpsertCounts(updated=1)
                if "price" in fields and _price(old) != _price(row):
                    points.append(PricePoint(product.sku, product.price, at))
        if record_history:
            self.record_price_points(points)
        return counts

    def get_products(self, skus: Iterable[str]) -> dict[str, Product]:
        rows = self.data.products
        return {sku: product_from_row(rows[sku]) for sku in dict.fromkeys(skus) if sku in rows}

    def all_products(self) -> list[Product]:
        return [product_from_row(self.data.products[sku]) for sku in sorted(self.data.products)]

    def price_history(self, skus: Iterable[str]) -> dict[str, list[PricePoint]]:
        wanted = set(skus)
        history: dict[str, list[PricePoint]] = {}
        for (sku, _), point in sorted(self.data.price_points.items(), key=lambda kv: kv[0]):
            if sku in wanted:
                history.setdefault(sku, []).append(point)
        return history

    def record_price_points(self, points: Iterable[PricePoint]) -> None:
        for point in last_by(points, lambda p: (p.sku, utc(p.effective_at))):
            key = (point.sku, utc(point.effective_at))
            stored = PricePoint(point.sku, point.price, key[1])
            self.data.price_points.setdefault(key, stored)

    def upsert_bundles(self, bundles_: Sequence[Bundle]) -> UpsertCounts:
        batch = last_by(bundles_, lambda b: b.bundle_id)
        current = self.data.bundles
        changed = [b for b in batch if current.get(b.bundle_id) != b]
        created = sum(1 for b in changed if b.bundle_id not in current)
        current.update({b.bundle_id: b for b in changed})
        return UpsertCounts(created, len(changed) - created, len(batch) - len(changed))

    def bundles_containing(self, skus: Iterable[str]) -> list[Bundle]:
        wanted = set(skus)
        bundles = self.data.bundles
        return [bundles[i] for i in sorted(bundles) if bundles[i].skus & wanted]

    def count_price_points(self) -> int:
        return len(self.data.price_points)
