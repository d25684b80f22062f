"""The backtest service on every database: reads the history and catalogue through ports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.backtest.policy_file import BacktestPolicy
from tactful.domain.catalog import Product, Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import Moment, OfferPolicy
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.backtest import run_backtest
from tactful.services.decision_reads import StoreCatalogSource
from tactful.services.ports.storage import Database
from tests.services.history_wiring import history_reads

JAN = datetime(2024, 1, 1, tzinfo=UTC)
FEB = datetime(2024, 2, 1, tzinfo=UTC)
PRICES = {"LAMP": 4000, "BULB": 500, "SHADE": 1500}


def line(sku: str) -> OrderLine:
    return OrderLine(Sku(sku), 1, Money(PRICES[sku], "GBP"))


def store(database: Database) -> None:
    orders = [
        Order(
            OrderId(f"j{n}"),
            JAN + timedelta(hours=9 * n),
            (line("LAMP"), line("BULB")),
            CustomerId(f"c{n}"),
        )
        for n in range(30)
    ]
    orders += [
        Order(
            OrderId(f"s{n}"),
            JAN + timedelta(hours=9 * n + 1),
            (line("SHADE"),),
            CustomerId(f"s{n}"),
        )
        for n in range(30)
    ]
    orders += [
        Order(OrderId("f1"), FEB + timedelta(days=1), (line("LAMP"),), CustomerId("ann")),
        Order(OrderId("f2"), FEB + timedelta(days=3), (line("BULB"),), CustomerId("ann")),
        Order(OrderId("m1"), FEB + timedelta(days=40), (line("SHADE"),), CustomerId("bob")),
    ]
    products = [Product(Sku(s), s.title(), Money(p, "GBP")) for s, p in PRICES.items()]
    with database.transaction() as tx:
        tx.catalog.upsert_products(products, at=JAN)
        tx.orders.insert_orders(orders, source="api")


def test_backtest_report_from_the_store(database: Database) -> None:
    store(database)
    policies = [
        BacktestPolicy("base", OfferPolicy(holdout_share=0.0)),
        BacktestPolicy("after", OfferPolicy(holdout_share=0.0), Moment.POST_PURCHASE),
    ]
    report = run_backtest(
        history_reads(database),
        StoreCatalogSource(database),
        policies,
        start=FEB,
        end=FEB + timedelta(days=27),
    )
    assert report.orders_replayed == 2
    assert report.models_mined == 1
    base, after = report.policies
    assert base.offers >= 1
    assert base.bought_anyway >= 1
    data = json.loads(json.dumps(report.to_dict()))
    assert data["kind"] == "screen, not proof"
    assert [p["name"] for p in data["policies"]] == ["base", "after"]
    assert data["comparisons"][0]["first"] == "base"
    assert after.moment == "post_purchase"


def test_bad_spans_and_names_are_refused(database: Database) -> None:
    reads, catalog = history_reads(database), StoreCatalogSource(database)
    plain = BacktestPolicy("same", OfferPolicy())
    with pytest.raises(ValueError, match="must be before"):
        run_backtest(reads, catalog, [plain], start=FEB, end=JAN)
    with pytest.raises(ValueError, match="names must differ"):
        run_backtest(reads, catalog, [plain, plain], start=JAN, end=FEB)
    with pytest.raises(ValueError, match="at least one"):
        run_backtest(reads, catalog, [], start=JAN, end=FEB)


def test_an_empty_store_replays_nothing(database: Database) -> None:
    report = run_backtest(
        history_reads(database),
        StoreCatalogSource(database),
        [BacktestPolicy("p", OfferPolicy())],
        start=JAN,
        end=FEB,
    )
    assert report.orders_replayed == 0
    assert report.policies[0].bought_anyway_rate is None
