"""Storage of products, their price history and bundles."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from tactful.domain.catalog import Bundle, PricePoint, Product
from tactful.domain.counts import UpsertCounts


class CatalogStore(Protocol):
    """Reads and writes products, their price history and bundles within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.catalog`, less the leading connection.
    """

    def upsert_products(
        self,
        products_: Sequence[Product],
        *,
        at: datetime,
        update_fields: Collection[str] | None = None,
        record_history: bool = True,
    ) -> UpsertCounts:
        """Create new products, update changed ones (never with data older than theirs)."""
        ...

    def get_products(self, skus: Iterable[str]) -> dict[str, Product]:
        """The known products among `skus`, by SKU."""
        ...

    def all_products(self) -> list[Product]:
        """Every product, ordered by SKU."""
        ...

    def price_history(self, skus: Iterable[str]) -> dict[str, list[PricePoint]]:
        """Price points of each SKU, oldest first (SKUs without history are absent)."""
        ...

    def record_price_points(self, points: Iterable[PricePoint]) -> None:
        """Store price points; one already stored for the same SKU and moment is kept."""
        ...

    def upsert_bundles(self, bundles_: Sequence[Bundle]) -> UpsertCounts:
        """Create or replace bundles by id; an identical bundle is left untouched."""
        ...

    def bundles_containing(self, skus: Iterable[str]) -> list[Bundle]:
        """Bundles that include at least one of `skus`, ordered by id."""
        ...

    def count_price_points(self) -> int:
        """How many price points are stored."""
        ...
