"""Use cases that take data in: products, customers, orders and events, each batch atomic."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tactful.domain.catalog import Product
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.counts import EventCounts, InsertCounts, UpsertCounts
from tactful.domain.customers import Customer
from tactful.domain.events import Event
from tactful.domain.orders import Order
from tactful.services.ports.platform_orders import EXTERNAL
from tactful.services.ports.storage import Database


def _nothing() -> None:
    return None


def currency_changes(batch: Sequence[Product], before: Mapping[str, Product]) -> list[str]:
    """A warning per product of `batch` stored before in another currency, naming its index."""
    warnings = []
    for index, product in enumerate(batch):
        old = before.get(product.sku)
        if old is not None and old.price.currency != product.price.currency:
            warnings.append(
                f"products.{index}.currency: {product.sku} changed from {old.price.currency} "
                f"to {product.price.currency}; its offers now drop for carts priced in "
                f"{old.price.currency} (currency_mismatch)"
            )
    return warnings


@dataclass
class Ingest:
    """Stores what a merchant sends, one transaction per batch: all of it or nothing."""

    database: Database
    clock: Clock = field(default_factory=SystemClock)
    catalog_changed: Callable[[], None] = _nothing

    def products(self, batch: Sequence[Product]) -> UpsertCounts:
        """Create or update products (a new price is kept in the price history)."""
        return self.products_noting_changes(batch)[0]

    def products_noting_changes(self, batch: Sequence[Product]) -> tuple[UpsertCounts, list[str]]:
        """`products`, plus a warning for each product whose currency the batch changes.

        A currency change is stored (the merchant may mean it), but it is never silent: the
        product's offers now drop for carts priced in the old currency (currency_mismatch).
        """
        with self.database.transaction() as tx:
            before = tx.catalog.get_products([product.sku for product in batch])
            counts = tx.catalog.upsert_products(batch, at=self.clock.now())
        if counts.created or counts.updated:
            self.catalog_changed()
        return counts, currency_changes(batch, before)

    def customers(self, batch: Sequence[Customer]) -> UpsertCounts:
        """Create or update customers and record the consents they sent."""
        with self.database.transaction() as tx:
            return tx.customers.upsert_customers(batch, at=self.clock.now())

    def orders(
        self,
        batch: Sequence[Order],
        *,
        source: str = "api",
        external_ids: Mapping[str, str] | None = None,
    ) -> InsertCounts:
        """Store orders once by id; a retried delivery changes nothing. `external_ids` (our
        order id -> the shop platform's) let the platform's refund webhooks find them."""
        with self.database.transaction() as tx:
            counts = tx.orders.insert_orders(batch, source=source)
            for order_id, external_id in (external_ids or {}).items():
                tx.platform_orders.remember(EXTERNAL, external_id, order_id)
            return counts

    def events(self, batch: Sequence[Event]) -> EventCounts:
        """Store events once by id; returns only after the transaction committed."""
        with self.database.transaction() as tx:
            return tx.events.insert_events(batch)
