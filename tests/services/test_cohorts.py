"""The cohort report reads the stored history through `HistoryReads`, on every database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine
from tactful.services.cohorts import cohort_report
from tactful.services.ports.storage import Database
from tests.services.history_wiring import history_reads

START = datetime(2024, 1, 1, tzinfo=UTC)


def store(database: Database) -> None:
    """Ten January customers ordering again in February; two upgrade and then keep ordering."""
    mug = OrderLine(Sku("MUG"), 1, Money(700, "GBP"))
    pro = OrderLine(Sku("MUG-PRO"), 1, Money(900, "GBP"), source=LineSource.UPSELL)
    orders = []
    for n in range(10):
        customer = CustomerId(f"c{n}")
        upgrader = n < 2
        orders.append(Order(OrderId(f"a{n}"), START + timedelta(days=n), (mug,), customer))
        second = (mug, pro) if upgrader else (mug,)
        orders.append(Order(OrderId(f"b{n}"), START + timedelta(days=40 + n), second, customer))
        if upgrader or n % 4 == 0:
            orders.append(Order(OrderId(f"c{n}"), START + timedelta(days=60 + n), (mug,), customer))
    with database.transaction() as tx:
        tx.orders.insert_orders(orders, source="api")


def test_cohorts_and_upgraders_from_the_store(database: Database) -> None:
    store(database)
    report = cohort_report(
        history_reads(database), as_of=START + timedelta(days=365), windows=(30,)
    )
    assert report.customers == 10
    assert report.retention.cohorts == ("2024-01",)
    assert report.retention.rates[0, :3].tolist() == [1.0, 1.0, 0.4]
    upgraders = report.upgraders
    assert (upgraders.upgraders, upgraders.matched, upgraders.controls) == (2, 2, 8)
    (window,) = upgraders.windows
    assert window.upgrader_rate == 1.0
    assert window.control_rate == pytest.approx(2 / 8)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["cohorts"][0]["customers"] == 10
    assert data["upgraders"]["windows"][0]["upgrader_churn"] == 0.0


def test_an_empty_store_reports_nothing(database: Database) -> None:
    report = cohort_report(history_reads(database), as_of=START)
    assert report.customers == 0
    assert report.to_dict()["cohorts"] == []
    assert report.upgraders.matched == 0


def test_windows_must_be_positive(database: Database) -> None:
    with pytest.raises(ValueError, match="windows"):
        cohort_report(history_reads(database), as_of=START, windows=(0,))
