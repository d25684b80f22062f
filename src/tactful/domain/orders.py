"""Orders and their lines, each line remembering the offer it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money

OrderId = NewType("OrderId", str)
OfferId = NewType("OfferId", str)


class LineSource(StrEnum):
    """Where a line came from, so revenue can be attributed to offers."""

    MAIN = "main"
    BUMP = "bump"
    CROSS_SELL = "cross_sell"
    UPSELL = "upsell"
    DOWNSELL = "downsell"
    BUNDLE = "bundle"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One SKU bought in an order."""

    sku: Sku
    quantity: int
    unit_price: Money
    offer_id: OfferId | None = None
    source: LineSource = LineSource.MAIN

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"quantity of {self.sku} must be positive, got {self.quantity}")
        if self.unit_price.amount < 0:
            raise ValueError(f"unit price of {self.sku} must not be negative")

    @property
    def total(self) -> Money:
        """Quantity times unit price."""
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class Order:
    """A completed purchase; customer_id is None for guest checkouts."""

    order_id: OrderId
    created_at: datetime
    lines: tuple[OrderLine, ...]
    customer_id: CustomerId | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError(f"order {self.order_id} has no lines")
        currencies = {line.unit_price.currency for line in self.lines}
        if len(currencies) > 1:
            raise ValueError(f"order {self.order_id} mixes currencies {sorted(currencies)}")

    @property
    def currency(self) -> str:
        """The one currency of the order."""
        return self.lines[0].unit_price.currency

    @property
    def total(self) -> Money:
        """Sum of the line totals."""
        total = Money(0, self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    @property
    def skus(self) -> frozenset[Sku]:
        """Distinct SKUs in the order: its basket."""
        return frozenset(line.sku for line in self.lines)
