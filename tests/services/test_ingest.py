"""Ingest on every database (SQLite, PostgreSQL, memory): batches stored once, catalogue told."""

from __future__ import annotations

from datetime import UTC, datetime

from tactful.domain.catalog import Product, Sku
from tactful.domain.clock import FixedClock
from tactful.domain.counts import EventCounts, InsertCounts, UpsertCounts
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.ingest import Ingest
from tactful.services.ports.storage import Database

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_product_changes_tell_the_catalogue_and_repeats_do_not(database: Database) -> None:
    told: list[int] = []
    ingest = Ingest(database, FixedClock(NOW), catalog_changed=lambda: told.append(1))
    tent = Product(Sku("TENT"), "Tent", Money(20000, "GBP"))
    assert ingest.products([tent]) == UpsertCounts(1, 0, 0)
    assert ingest.products([tent]) == UpsertCounts(0, 0, 1)
    assert len(told) == 1


def test_orders_events_and_customers_are_stored_once(database: Database) -> None:
    ingest = Ingest(database, FixedClock(NOW))
    line = OrderLine(Sku("MUG"), 1, Money(700, "GBP"))
    order = Order(OrderId("o1"), NOW, (line,), CustomerId("ann"))
    assert ingest.orders([order]) == InsertCounts(1, 0, 1)
    assert ingest.orders([order]) == InsertCounts(0, 1, 0)
    seen = Event(EventId("e1"), EventType.PRODUCT_VIEWED, CustomerId("ann"), NOW, Sku("MUG"))
    assert ingest.events([seen, seen]) == EventCounts(accepted=1, duplicate=1)
    assert ingest.customers([Customer(CustomerId("ann"), "ann@example.com")]).created == 1
    with database.transaction() as tx:
        assert tx.orders.get_orders(["o1"]) == {"o1": order}
        customer = tx.customers.get_customer("ann")
    assert customer is not None
    assert customer.email == "ann@example.com"
