"""Prices and totals shown to the customer: honest compare-at, tax in or on top, no extras."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tactful.domain.catalog import PricePoint, Product, lawful_compare_at
from tactful.domain.money import Money


class TaxMode(StrEnum):
    """Whether shown prices already include tax or tax is added on top."""

    INCLUSIVE = "inclusive"
    EXCLUSIVE = "exclusive"


@dataclass(frozen=True, slots=True)
class TaxConfig:
    """The tax a page applies, in basis points (2000 = 20%)."""

    mode: TaxMode = TaxMode.INCLUSIVE
    rate_bps: int = 0
    label: str = "VAT"

    def tax_of(self, net_or_gross: int) -> int:
        """Tax contained in (inclusive) or added to (exclusive) an amount, rounded half up."""
        if self.rate_bps == 0:
            return 0
        if self.mode is TaxMode.INCLUSIVE:
            return _div_half_up(net_or_gross * self.rate_bps, 10_000 + self.rate_bps)
        return _div_half_up(net_or_gross * self.rate_bps, 10_000)

    def charge_for(self, amount: int) -> int:
        """What the customer pays for a line priced `amount`: tax is never a hidden extra."""
        if self.mode is TaxMode.INCLUSIVE:
            return amount
        return amount + self.tax_of(amount)


def _div_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class PriceBlock:
    """A price as shown: the compare-at and saving only when the compare-at is lawful."""

    price: Money
    compare_at: Money | None = None

    @property
    def savings(self) -> Money | None:
        """How much below the compare-at price, when one is shown."""
        if self.compare_at is None:
            return None
        return self.compare_at - self.price


def price_block(
    product: Product, history: Sequence[PricePoint], at: datetime, price: Money | None = None
) -> PriceBlock:
    """The price block for `product`; a link's own price shows no 'was' price."""
    if price is not None and price != product.price:
        return PriceBlock(price)
    return PriceBlock(product.price, lawful_compare_at(product, history, at))


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line as the customer sees it before paying."""

    sku: str
    name: str
    quantity: int
    unit_price: Money

    @property
    def amount(self) -> Money:
        """Quantity times unit price, as listed."""
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True, slots=True)
class Totals:
    """Subtotal, tax and the total charged: the total is the sum of what is shown."""

    subtotal: Money
    tax: Money
    total: Money
    mode: TaxMode


def totals(lines: Iterable[PricedLine], tax: TaxConfig, currency: str) -> Totals:
    """Totals with tax computed per line, so each later one-click charge adds up exactly."""
    subtotal = tax_amount = charged = 0
    for line in lines:
        amount = line.amount.amount
        subtotal += amount
        tax_amount += tax.tax_of(amount)
        charged += tax.charge_for(amount)
    return Totals(
        subtotal=Money(subtotal, currency),
        tax=Money(tax_amount, currency),
        total=Money(charged, currency),
        mode=tax.mode,
    )
