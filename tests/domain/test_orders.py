"""Orders: lines, totals, one currency per order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_totals_and_basket() -> None:
    order = Order(
        OrderId("1"),
        T0,
        (
            OrderLine(Sku("A"), 2, Money(250, "GBP")),
            OrderLine(Sku("B"), 1, Money(100, "GBP"), source=LineSource.BUMP),
            OrderLine(Sku("A"), 1, Money(250, "GBP")),
        ),
    )
    assert order.total == Money(850, "GBP")
    assert order.skus == {"A", "B"}
    assert order.currency == "GBP"
    assert order.customer_id is None


def test_invalid_orders_are_refused() -> None:
    with pytest.raises(ValueError, match="no lines"):
        Order(OrderId("1"), T0, ())
    with pytest.raises(ValueError, match="mixes currencies"):
        Order(
            OrderId("1"),
            T0,
            (OrderLine(Sku("A"), 1, Money(1, "GBP")), OrderLine(Sku("B"), 1, Money(1, "EUR"))),
        )
    with pytest.raises(ValueError, match="positive"):
        OrderLine(Sku("A"), 0, Money(1, "GBP"))
    with pytest.raises(ValueError, match="negative"):
        OrderLine(Sku("A"), 1, Money(-1, "GBP"))
