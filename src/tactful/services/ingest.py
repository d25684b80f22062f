"""Use cases that take data in: products, customers, orders and events, each batch atomic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from tactful.adapters.db.repositories import catalog, customers, events, orders
from tactful.adapters.db.repositories._common import UpsertCounts
from tactful.adapters.db.repositories.events import EventCounts
from tactful.adapters.db.repositories.orders import InsertCounts
from tactful.domain.catalog import Product
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.customers import Customer
from tactful.domain.events import Event
from tactful.domain.orders import Order


def _nothing() -> None:
    return None


@dataclass
class Ingest:
    """Stores what a merchant sends, one transaction per batch: all of it or nothing."""

    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    catalog_changed: Callable[[], None] = _nothing

    def products(self, batch: Sequence[Product]) -> UpsertCounts:
        """Create or update products (a new price is kept in the price history)."""
        with self.engine.begin() as connection:
            counts = catalog.upsert_products(connection, batch, at=self.clock.now())
        if counts.created or counts.updated:
            self.catalog_changed()
        return counts

    def customers(self, batch: Sequence[Customer]) -> UpsertCounts:
        """Create or update customers and record the consents they sent."""
        with self.engine.begin() as connection:
            return customers.upsert_customers(connection, batch, at=self.clock.now())

    def orders(self, batch: Sequence[Order], *, source: str = "api") -> InsertCounts:
        """Store orders once by id; a retried delivery changes nothing."""
        with self.engine.begin() as connection:
            return orders.insert_orders(connection, batch, source=source)

    def events(self, batch: Sequence[Event]) -> EventCounts:
        """Store events once by id; returns only after the transaction committed."""
        with self.engine.begin() as connection:
            return events.insert_events(connection, batch)
