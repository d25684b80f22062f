"""`HistoryReads` on every database: the whole history oldest first, and the accepted upsells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine
from tactful.services.ports.storage import Database
from tests.services.history_wiring import history_reads

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def seed(database: Database) -> None:
    """Four orders (one guest, one with an upsell line), an accepted upsell and a cross-sell."""
    mug = OrderLine(Sku("MUG"), 2, Money(700, "GBP"))
    tent = OrderLine(Sku("TENT"), 1, Money(20000, "GBP"))
    pro = OrderLine(Sku("TENT-PRO"), 1, Money(26000, "GBP"), source=LineSource.UPSELL)
    with database.transaction() as tx:
        tx.orders.insert_orders(
            [
                Order(OrderId("o3"), NOW, (mug, pro), CustomerId("bea")),
                Order(OrderId("o1"), NOW - timedelta(days=30), (tent, mug), CustomerId("ann")),
                Order(OrderId("g"), NOW - timedelta(days=20), (mug,)),
                Order(OrderId("o2"), NOW - timedelta(days=10), (mug,), CustomerId("ann")),
            ],
            source="api",
        )
        price = Money(26000, "GBP")
        shown = [
            Impression("d1", offer_id, 0, "ann", kind, "TENT-PRO", "TENT", "inline", price, NOW)
            for offer_id, kind in (("up", "upsell"), ("cross", "cross_sell"))
        ]
        tx.offers.save_decision(DecisionRecord("d1", "ann", "cart", NOW, False, [], tuple(shown)))
        for impression in shown:
            tx.offers.save_response(impression, OfferResponse.ACCEPTED, at=NOW - timedelta(days=9))
        tx.events.insert_events(
            [Event(EventId("v"), EventType.PRODUCT_VIEWED, CustomerId("ann"), NOW, Sku("MUG"))]
        )


def test_order_history_is_every_order_oldest_first(database: Database) -> None:
    seed(database)
    history = history_reads(database).order_history()
    assert history.order_ids == ("o1", "g", "o2", "o3")
    assert history.customer_ids == ("ann", "bea")
    np.testing.assert_array_equal(history.customers, [0, -1, 0, 1])
    np.testing.assert_array_equal(history.totals, [21400, 1400, 1400, 27400])
    assert sorted(history.skus(0)) == ["MUG", "TENT"]
    assert sorted(history.skus(3)) == ["MUG", "TENT-PRO"]
    assert history.times[-1] == np.datetime64("2025-06-01T12:00:00")
    assert history.currencies == ("GBP",) * 4


def test_order_history_window_is_half_open(database: Database) -> None:
    seed(database)
    history = history_reads(database).order_history(since=NOW - timedelta(days=20), until=NOW)
    assert history.order_ids == ("g", "o2")


def test_upgrades_are_accepted_upsells_and_upsell_lines(database: Database) -> None:
    seed(database)
    found = [(u.customer_id, u.at, u.sku) for u in history_reads(database).upgrades()]
    assert found == [
        ("ann", NOW - timedelta(days=9), "TENT-PRO"),
        ("bea", NOW, "TENT-PRO"),
    ]


def test_an_empty_database_has_an_empty_history(database: Database) -> None:
    reads = history_reads(database)
    assert reads.order_history().size == 0
    assert reads.upgrades() == []
