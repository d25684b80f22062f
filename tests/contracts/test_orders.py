"""Order store contract (with the basket reader): SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from tactful.domain.catalog import Product, Sku
from tactful.domain.counts import InsertCounts
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine
from tactful.services.ports.storage import Database

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def order(order_id: str, skus: str, *, customer: str | None = "ann", hours: int = 0) -> Order:
    lines = tuple(OrderLine(Sku(s), 1, Money(100 * (i + 1), "GBP")) for i, s in enumerate(skus))
    return Order(
        OrderId(order_id),
        T0 + timedelta(hours=hours),
        lines,
        CustomerId(customer) if customer else None,
    )


def test_insert_is_idempotent_by_order_id(database: Database) -> None:
    first = [order("1", "AB"), order("2", "C", customer=None)]
    with database.transaction() as tx:
        assert tx.orders.insert_orders(first, source="test") == InsertCounts(2, 0, 3)
        resent = [order("1", "XYZ"), order("3", "A")]
        assert tx.orders.insert_orders(resent, source="test") == InsertCounts(1, 1, 1)
        stored = tx.orders.get_orders(["1", "2", "3"])
    assert stored["1"] == first[0]
    assert stored["2"].customer_id is None
    assert (len(stored), sum(len(o.lines) for o in stored.values())) == (3, 4)
    with database.transaction() as tx:
        counts = tx.orders.count_rows()
    assert (counts["orders"], counts["order_lines"], counts["products"]) == (3, 4, 0)


def test_duplicate_ids_in_one_batch_keep_the_first(database: Database) -> None:
    with database.transaction() as tx:
        counts = tx.orders.insert_orders([order("1", "A"), order("1", "BC")], source="test")
        assert counts == InsertCounts(1, 1, 1)
        assert tx.orders.get_orders(["1"])["1"].skus == {"A"}


def test_lines_keep_offer_and_source(database: Database) -> None:
    bump = OrderLine(Sku("B"), 2, Money(500, "GBP"), OfferId("off-1"), LineSource.BUMP)
    placed = Order(OrderId("9"), T0, (OrderLine(Sku("A"), 1, Money(1000, "GBP")), bump))
    with database.transaction() as tx:
        tx.orders.insert_orders([placed], source="checkout")
        assert tx.orders.get_orders(["9"])["9"] == placed


def test_orders_of_a_customer_oldest_first_and_since(database: Database) -> None:
    batch = [
        order("late", "A", hours=5),
        order("early", "B", hours=1),
        order("x", "C", customer="bob"),
    ]
    with database.transaction() as tx:
        tx.orders.insert_orders(batch, source="test")
        assert [o.order_id for o in tx.orders.orders_of("ann")] == ["early", "late"]
        since = tx.orders.orders_of("ann", since=T0 + timedelta(hours=2))
        assert [o.order_id for o in since] == ["late"]
        assert tx.orders.orders_of("nobody") == []


def test_read_baskets_builds_csr_with_customers_times_and_prices(database: Database) -> None:
    batch = [
        order("o2", "BCB", customer="bob", hours=2),
        order("o1", "AB", customer="ann", hours=1),
        order("o3", "C", customer=None, hours=3),
        order("o4", "A", customer="ann", hours=4),
    ]
    with database.transaction() as tx:
        tx.orders.insert_orders(batch, source="test")
        tx.catalog.upsert_products([Product(Sku("A"), "A", Money(250, "GBP"))], at=T0)
        baskets = tx.orders.read_baskets()
        window = tx.orders.read_baskets(
            since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4)
        )
    assert baskets.items == ("A", "B", "C")
    assert [baskets.basket(b) for b in range(baskets.n_baskets)] == [
        ["A", "B"],
        ["B", "C"],
        ["C"],
        ["A"],
    ]
    assert baskets.customers is not None
    assert baskets.customers.tolist() == [0, 1, -1, 0]
    assert baskets.times is not None
    assert baskets.times[0] == np.datetime64("2024-03-01T13:00:00")
    assert baskets.prices is not None
    assert baskets.prices.tolist() == [250, -1, -1]
    assert [window.basket(b) for b in range(window.n_baskets)] == [["B", "C"], ["C"]]


def test_read_baskets_of_an_empty_store(database: Database) -> None:
    with database.transaction() as tx:
        baskets = tx.orders.read_baskets()
    assert baskets.n_baskets == 0
    assert baskets.items == ()
