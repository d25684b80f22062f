"""Group commit of the decision log and the purchase cache, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine

from tactful.adapters.db.decision_log import SqlDecisionLog as DecisionLog
from tactful.adapters.db.decision_reads import PurchaseCache
from tactful.adapters.db.repositories import catalog, offers, orders
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.clock import FixedClock
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import CartLine, Evidence, InMemoryAffinity, Moment
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.decisions import ActiveModel, DecisionRequest
from tactful.services.ports.decisions import DecisionLogClosedError
from tests.services.wiring import decision_service

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: another test's event loop may be running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def record(decision_id: str, shown: int = 1) -> offers.DecisionRecord:
    impressions = [
        offers.Impression(
            decision_id=decision_id,
            offer_id=f"off_{n}",
            position=n,
            customer_id="c1",
            kind="cross_sell",
            sku=f"SKU{n}",
            for_sku="TENT",
            format="inline",
            price=Money(900, "GBP"),
            at=NOW,
            relevance=0.5,
        )
        for n in range(shown)
    ]
    return offers.DecisionRecord(
        decision_id, "c1", "cart", NOW, False, [{"sku": "TENT", "quantity": 1}], impressions
    )


def stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return offers.count_decisions(connection), offers.count_impressions(connection)


def test_concurrent_decisions_are_all_stored_before_their_writes_return(engine: Engine) -> None:
    log = DecisionLog(engine)

    async def many() -> None:
        await asyncio.gather(*(log.write(record(f"dec_{n}", shown=n % 3)) for n in range(60)))

    _run(many())
    assert stored(engine) == (60, 60)
    log.close()


def test_a_bad_record_fails_alone(engine: Engine) -> None:
    log = DecisionLog(engine)
    log.write_sync(record("dec_taken"))

    async def batch() -> list[BaseException | None]:
        writes = [log.write(record(f"dec_ok_{n}")) for n in range(5)]
        writes.insert(2, log.write(record("dec_taken")))
        return await asyncio.gather(*writes, return_exceptions=True)

    results = _run(batch())
    assert [r is None for r in results] == [True, True, False, True, True, True]
    assert stored(engine)[0] == 6
    log.close()


def test_close_writes_what_is_queued_and_refuses_more(engine: Engine) -> None:
    log = DecisionLog(engine)
    log.write_sync(record("dec_1", shown=2))
    log.close()
    with pytest.raises(DecisionLogClosedError):
        log.write_sync(record("dec_2"))
    assert stored(engine) == (1, 2)


def test_a_new_order_refreshes_cached_purchases(engine: Engine) -> None:
    guide = Sku("GUIDE")
    with engine.begin() as connection:
        catalog.upsert_products(
            connection,
            [
                Product(Sku("TENT"), "Tent", Money(20000, "GBP"), ProductKind.PHYSICAL),
                Product(guide, "Guide", Money(900, "GBP"), ProductKind.DIGITAL),
            ],
            at=NOW - timedelta(days=90),
        )
    affinity = InMemoryAffinity([Evidence((Sku("TENT"),), guide, 120, 400, 0.06, 0.3, 3.0, 0.3)])
    service = decision_service(
        SqlDatabase(engine), model=lambda: ActiveModel(affinity, "v"), clock=FixedClock(NOW)
    )
    buyer = "cache-buyer-1"
    cart = (CartLine(Sku("TENT")),)
    first = service.decide(DecisionRequest(customer_id=buyer, moment=Moment.CART, cart=cart))
    assert guide in {o.sku for o in first.offers}
    with engine.begin() as connection:
        line = OrderLine(guide, 1, Money(900, "GBP"))
        order = Order(OrderId("o-guide"), NOW - timedelta(hours=1), (line,), CustomerId(buyer))
        orders.insert_orders(connection, [order], source="api")
    again = service.decide(DecisionRequest(customer_id=buyer, moment=Moment.CART, cart=cart))
    assert guide not in {o.sku for o in again.offers}, "a digital item bought is owned"


def test_purchase_cache_keeps_only_first_and_recent_last_buys(engine: Engine) -> None:
    lines = (OrderLine(Sku("MUG"), 1, Money(700, "GBP")),)
    days = (200, 100, 3)
    with engine.begin() as connection:
        orders.insert_orders(
            connection,
            [
                Order(OrderId(f"o{d}"), NOW - timedelta(days=d), lines, CustomerId("c9"))
                for d in days
            ],
            source="api",
        )
    cache = PurchaseCache()
    with engine.connect() as connection:
        found = cache.purchases(connection, "c9", until=NOW, recent=NOW - timedelta(days=30))
        assert sorted(p.at for p in found) == [NOW - timedelta(days=200), NOW - timedelta(days=3)]
        old_only = cache.purchases(
            connection, "c9", until=NOW - timedelta(days=50), recent=NOW - timedelta(days=80)
        )
        assert [p.at for p in old_only] == [NOW - timedelta(days=200)], "not from memory"
        assert cache.purchases(connection, "nobody", until=NOW, recent=NOW) == ()


# ---------------------------------------------------------------- the event loop's writer


def _sqlite_file(engine: Engine) -> str | None:
    """The SQLite database file, or None on PostgreSQL (where the writer thread commits)."""
    return engine.url.database if engine.dialect.name == "sqlite" else None


def test_decisions_of_one_loop_iteration_commit_together(engine: Engine) -> None:
    """On SQLite the loop commits them at once; PostgreSQL's writer thread batches them."""
    log = DecisionLog(engine)
    commits: list[int] = []
    original = offers.save_decisions

    def counting(connection: Any, records: Any) -> None:
        commits.append(len(records))
        original(connection, records)

    async def many() -> None:
        await asyncio.gather(*(log.write(record(f"dec_it_{n}")) for n in range(25)))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(offers, "save_decisions", counting)
        _run(many())
    log.close()
    if _sqlite_file(engine):
        assert commits == [25], "one transaction for the whole iteration"
    else:
        assert sum(commits) == 25
        assert len(commits) < 25, "the writer thread batches what queued while it committed"
    assert stored(engine) == (25, 25)


def test_sqlite_lock_held_elsewhere_does_not_stall_the_loop(engine: Engine) -> None:
    """Another writer holds the database: the write waits in the thread, the loop runs on."""
    import sqlite3

    database = _sqlite_file(engine)
    if database is None:  # PostgreSQL: row locks, no database lock; the thread writes
        assert DecisionLog(engine)._loop_writer is None
        return
    blocker = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    log = DecisionLog(engine)

    async def scenario() -> tuple[int, bool]:
        write = asyncio.ensure_future(log.write(record("dec_locked")))
        ticks = 0
        for _ in range(20):  # 0.2 s in which the loop must stay free
            await asyncio.sleep(0.01)
            ticks += 1
        waiting = not write.done()
        blocker.execute("ROLLBACK")
        await write
        return ticks, waiting

    try:
        ticks, waiting = _run(scenario())
    finally:
        blocker.close()
        log.close()
    assert ticks == 20
    assert waiting, "the write waited for the lock, and the loop did not"
    assert stored(engine) == (1, 1)


def test_sqlite_wal_is_checkpointed_off_the_loop(engine: Engine) -> None:
    """The loop's connection never checkpoints; the checkpoint thread keeps the WAL small."""
    import os

    database = _sqlite_file(engine)
    log = DecisionLog(engine, checkpoint_every=0.01)
    assert (log._loop_writer is not None) == (database is not None)

    async def one_by_one() -> None:
        for n in range(300):
            await log.write(record(f"dec_wal_{n}", shown=2))
            if n % 10 == 0:
                await asyncio.sleep(0.02)

    _run(one_by_one())
    log.close()
    assert stored(engine) == (300, 600)
    if database is None:
        return
    # 300 commits rewrite several 4 KiB pages each: without checkpoints the WAL passes 12 MB
    # (measured); started over after checkpoints in the pauses, it stays a fraction of that.
    assert os.path.getsize(f"{database}-wal") < 4_000_000
