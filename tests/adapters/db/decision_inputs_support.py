"""Orders, offer events and the read call shared by the decision-input tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from tactful.adapters.db.repositories import decision_inputs as repo
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, Order, OrderId, OrderLine

NOW = datetime(2025, 6, 1, 12, 0, 0, 250_000, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
RECENT = NOW - timedelta(days=30)


def line(sku: str, source: LineSource = LineSource.MAIN) -> OrderLine:
    return OrderLine(Sku(sku), 1, Money(500, "GBP"), source=source)


def order(order_id: str, days: float, *lines: OrderLine, customer: str = "c1") -> Order:
    return Order(OrderId(order_id), NOW - timedelta(days=days), lines, CustomerId(customer))


def offer_event(event_id: str, type_: EventType, days: float, **properties: Any) -> Event:
    return Event(
        EventId(event_id),
        type_,
        CustomerId("c1"),
        NOW - timedelta(days=days),
        Sku("MUG"),
        properties,
    )


def reads(connection: Connection, customer: str = "c1", **kwargs: Any) -> repo.CustomerReads:
    return repo.read_customer_inputs(
        connection,
        customer,
        since=kwargs.get("since", SINCE),
        until=kwargs.get("until", NOW),
        recent=kwargs.get("recent", RECENT),
        purchases=kwargs.get("purchases", True),
    )
