"""Lawful 'was' prices: the lowest price of the 30 days before the current price."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import (
    PricePoint,
    Product,
    Sku,
    lawful_compare_at,
    lowest_prior_price,
)
from tactful.domain.money import Money

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SKU = Sku("A")


def point(day: float, amount: int) -> PricePoint:
    return PricePoint(SKU, Money(amount, "EUR"), T0 + timedelta(days=day))


def test_no_history_or_one_price_has_no_reference() -> None:
    assert lowest_prior_price([], T0) is None
    assert lowest_prior_price([point(0, 100)], T0 + timedelta(days=5)) is None


def test_price_rose_then_fell() -> None:
    history = [point(0, 100), point(10, 150), point(20, 80)]
    assert lowest_prior_price(history, T0 + timedelta(days=21)) == Money(100, "EUR")


def test_window_boundary_keeps_the_price_in_force_when_it_opened() -> None:
    history = [point(0, 50), point(5, 120), point(40, 90)]
    # window opens at day 10: 120 was in force then; 50 had ended before
    assert lowest_prior_price(history, T0 + timedelta(days=41)) == Money(120, "EUR")
    exactly = [point(0, 50), point(10, 120), point(40, 90)]
    assert lowest_prior_price(exactly, T0 + timedelta(days=41)) == Money(50, "EUR")


def test_future_points_are_ignored() -> None:
    history = [point(0, 100), point(10, 80), point(50, 10)]
    assert lowest_prior_price(history, T0 + timedelta(days=11)) == Money(100, "EUR")


def test_lawful_compare_at() -> None:
    history = [point(0, 100), point(10, 80)]
    at = T0 + timedelta(days=11)
    honest = Product(SKU, "A", Money(80, "EUR"), compare_at=Money(100, "EUR"))
    inflated = Product(SKU, "A", Money(80, "EUR"), compare_at=Money(120, "EUR"))
    plain = Product(SKU, "A", Money(80, "EUR"))
    assert lawful_compare_at(honest, history, at) == Money(100, "EUR")
    assert lawful_compare_at(inflated, history, at) is None
    assert lawful_compare_at(plain, history, at) is None
    assert lawful_compare_at(honest, [], at) is None


@given(st.lists(st.tuples(st.floats(0, 90), st.integers(1, 10_000)), min_size=2, max_size=20))
def test_reference_never_exceeds_an_in_window_price(raw: list[tuple[float, int]]) -> None:
    history = [point(day, amount) for day, amount in raw]
    at = T0 + timedelta(days=91)
    reference = lowest_prior_price(history, at)
    ordered = sorted(history, key=lambda p: p.effective_at)
    current = ordered[-1]
    start = current.effective_at - timedelta(days=30)
    in_window = [p for p in ordered[:-1] if p.effective_at >= start and p is not current]
    assert reference is not None
    assert all(reference.amount <= p.price.amount for p in in_window)
