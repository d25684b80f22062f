"""Products, kinds, tier ladders, bundles and price history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from tactful.domain.money import Money

Sku = NewType("Sku", str)


class ProductKind(StrEnum):
    """What kind of thing is sold; it decides when offers fit and what can be owned."""

    PHYSICAL = "physical"
    DIGITAL = "digital"
    SUBSCRIPTION = "subscription"
    EVENT = "event"
    SERVICE = "service"

    @property
    def is_owned_once(self) -> bool:
        """Bought once, kept: offering it again to its owner would be noise."""
        return self is not ProductKind.PHYSICAL


class BillingPeriod(StrEnum):
    """How often a subscription is billed (month to year is the classic term switch)."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> float:
        """Its length in months, to compare periods."""
        return _MONTHS[self]

    @property
    def adverb(self) -> str:
        """How it reads after "billed": weekly, monthly, quarterly, yearly."""
        return "yearly" if self is BillingPeriod.YEAR else f"{self.value}ly"


_MONTHS = {
    BillingPeriod.WEEK: 12 / 52,
    BillingPeriod.MONTH: 1.0,
    BillingPeriod.QUARTER: 3.0,
    BillingPeriod.YEAR: 12.0,
}


@dataclass(frozen=True, slots=True)
class Tier:
    """A rung on an upgrade ladder, e.g. plan 'pro' at rank 2 of ladder 'plans'."""

    ladder: str
    rank: int


@dataclass(frozen=True, slots=True)
class Product:
    """A sellable item of a merchant's catalogue."""

    sku: Sku
    name: str
    price: Money
    kind: ProductKind = ProductKind.PHYSICAL
    category: str | None = None
    compare_at: Money | None = None
    tier: Tier | None = None
    outcome: str | None = None
    active: bool = True
    inventory: int | None = None
    billing_period: BillingPeriod | None = None
    """How often a subscription is billed; None for everything else."""
    image_url: str | None = None  # shown on hosted pages; https:// or a path on this server

    def __post_init__(self) -> None:
        if not self.sku:
            raise ValueError("sku must not be empty")
        if self.billing_period is not None and self.kind is not ProductKind.SUBSCRIPTION:
            raise ValueError(f"billing period of {self.sku}: only subscriptions have one")
        if self.price.amount < 0:
            raise ValueError(f"price of {self.sku} must not be negative")
        if self.compare_at is not None and self.compare_at.currency != self.price.currency:
            raise ValueError(f"compare-at price of {self.sku} must be in {self.price.currency}")
        if self.inventory is not None and self.inventory < 0:
            raise ValueError(f"inventory of {self.sku} must not be negative")


@dataclass(frozen=True, slots=True)
class PricePoint:
    """The price a product took at a moment; the history of these makes 'was' prices lawful."""

    sku: Sku
    price: Money
    effective_at: datetime


@dataclass(frozen=True, slots=True)
class Bundle:
    """Several SKUs sold together at one price."""

    bundle_id: str
    name: str
    skus: frozenset[Sku]
    price: Money

    def __post_init__(self) -> None:
        if len(self.skus) < 2:
            raise ValueError(f"bundle {self.bundle_id} needs at least two SKUs")


REFERENCE_WINDOW = timedelta(days=30)


def lowest_prior_price(
    history: Iterable[PricePoint], at: datetime, window: timedelta = REFERENCE_WINDOW
) -> Money | None:
    """Lowest price in force during `window` before the price current at `at` took effect.

    This is the reference price EU-style rules (Omnibus Directive, art. 6a) allow as a 'was'
    price. Returns None when there is no earlier price to compare with.
    """
    points = sorted((p for p in history if p.effective_at <= at), key=lambda p: p.effective_at)
    if len(points) < 2:
        return None
    current = points[-1]
    start = current.effective_at - window
    in_force = [p for p in points[:-1] if p.effective_at >= start]
    before = [p for p in points[:-1] if p.effective_at < start]
    if before:
        in_force.append(before[-1])  # the price already in force when the window opened
    return min((p.price for p in in_force), key=lambda m: m.amount)


def lawful_compare_at(
    product: Product, history: Sequence[PricePoint], at: datetime
) -> Money | None:
    """The compare-at price only when it equals the lowest prior 30-day price, else None."""
    if product.compare_at is None:
        return None
    reference = lowest_prior_price(history, at)
    if reference is None or reference != product.compare_at:
        return None
    if product.compare_at.amount <= product.price.amount:
        return None
    return product.compare_at


def upgrade_path(products: Iterable[Product], sku: Sku) -> list[Product]:
    """Active products higher on the same tier ladder as `sku`, nearest rank first."""
    catalogue = list(products)
    base = next((p for p in catalogue if p.sku == sku), None)
    if base is None or base.tier is None:
        return []
    tier = base.tier
    higher = [
        p
        for p in catalogue
        if p.active
        and p.tier is not None
        and p.tier.ladder == tier.ladder
        and p.tier.rank > tier.rank
    ]
    return sorted(higher, key=lambda p: (p.tier.rank if p.tier else 0, p.price.amount))
