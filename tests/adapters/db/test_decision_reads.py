"""A decision's SQL reads (adapters/db/decision_reads.py): purchases cached while orders stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from tactful.adapters.db.decision_reads import PurchaseCache, SqlDecisionReads, read_inputs
from tactful.adapters.db.repositories import orders
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers.records import DecisionInputs
from tactful.domain.orders import Order, OrderId, OrderLine

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
PEGS, LAMP, MUG = Sku("PEGS"), Sku("LAMP"), Sku("MUG")


def _read(connection: Connection, cache: PurchaseCache, until: datetime) -> DecisionInputs:
    return read_inputs(
        connection,
        "reader",
        since=until - timedelta(days=30),
        until=until,
        recent=until - timedelta(days=30),
        cache=cache,
    )


def _order(order_id: str, at: datetime, sku: Sku) -> Order:
    return Order(
        OrderId(order_id), at, (OrderLine(sku, 1, Money(700, "GBP")),), CustomerId("reader")
    )


def test_cached_purchases_serve_until_a_new_order_arrives(engine: Engine) -> None:
    with engine.begin() as connection:
        orders.insert_orders(connection, [_order("r1", NOW - timedelta(days=5), MUG)], source="api")
    cache = PurchaseCache()
    with engine.connect() as connection:
        first = _read(connection, cache, NOW)
        again = _read(connection, cache, NOW + timedelta(minutes=1))
    assert again.purchases is first.purchases, "served from memory"
    with engine.begin() as connection:
        orders.insert_orders(
            connection, [_order("r2", NOW - timedelta(days=9), LAMP)], source="api"
        )
    with engine.connect() as connection:
        after = _read(connection, cache, NOW + timedelta(minutes=2))
    assert {p.sku for p in after.purchases} == {MUG, LAMP}, "a new order invalidates"


def test_orders_after_the_decision_are_never_cached(engine: Engine) -> None:
    with engine.begin() as connection:
        orders.insert_orders(
            connection,
            [
                _order("r1", NOW - timedelta(days=5), MUG),
                _order("r2", NOW + timedelta(hours=1), PEGS),
            ],
            source="api",
        )
    cache = PurchaseCache()
    with engine.connect() as connection:
        before = _read(connection, cache, NOW)
        later = _read(connection, cache, NOW + timedelta(hours=2))
        unknown = read_inputs(connection, "nobody", since=NOW, until=NOW, recent=NOW, cache=cache)
    assert {p.sku for p in before.purchases} == {MUG}
    assert {p.sku for p in later.purchases} == {MUG, PEGS}
    assert unknown == DecisionInputs(None, (), ())


def test_the_port_reads_through_held_connections_and_the_cache(engine: Engine) -> None:
    with engine.begin() as connection:
        orders.insert_orders(connection, [_order("r1", NOW - timedelta(days=5), MUG)], source="api")
    reads = SqlDecisionReads(engine)
    try:
        since = NOW - timedelta(days=30)
        first = reads.read_inputs("reader", since=since, until=NOW, recent=since)
        again = reads.read_inputs("reader", since=since, until=NOW, recent=since)
    finally:
        reads.close()
    assert {p.sku for p in first.purchases} == {MUG}
    assert again.purchases is first.purchases, "served from memory"
