"""Monthly cohorts and the upgrader comparison on histories with a known answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.lifetime.cohorts import compare_upgraders, monthly_retention
from tactful.domain.lifetime.history import OrderHistory
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine


def order(number: int, customer: str | None, day: str, sku: str = "A", pence: int = 500) -> Order:
    return Order(
        OrderId(f"o{number}"),
        datetime.fromisoformat(day).replace(tzinfo=UTC),
        (OrderLine(Sku(sku), 2, Money(pence, "GBP")),),
        CustomerId(customer) if customer else None,
    )


def history_of(*rows: tuple[str | None, str]) -> OrderHistory:
    return OrderHistory.from_orders(order(n, c, d) for n, (c, d) in enumerate(rows))


def test_history_is_oldest_first_with_totals_and_skus() -> None:
    history = OrderHistory.from_orders(
        [
            order(1, "b", "2024-03-01", "B", 250),
            order(2, None, "2024-01-01"),
            order(3, "a", "2024-02-01"),
        ]
    )
    assert history.order_ids == ("o2", "o3", "o1")
    assert history.customer_ids == ("a", "b")
    np.testing.assert_array_equal(history.customers, [-1, 0, 1])
    np.testing.assert_array_equal(history.totals, [1000, 1000, 500])
    assert history.skus(2) == ["B"]


def test_monthly_retention_counts_customers_per_month_since_their_first() -> None:
    history = history_of(
        ("a", "2024-01-05"),
        ("b", "2024-01-20"),
        (None, "2024-01-21"),
        ("a", "2024-02-03"),
        ("c", "2024-02-10"),
        ("c", "2024-03-01"),
        ("c", "2024-03-09"),
        ("a", "2024-04-02"),
    )
    table = monthly_retention(history, as_of=datetime(2024, 4, 30, tzinfo=UTC))
    assert table.cohorts == ("2024-01", "2024-02")
    np.testing.assert_array_equal(table.sizes, [2, 1])
    np.testing.assert_array_equal(table.retained, [[2, 1, 0, 1], [1, 1, 0, -1]])
    assert table.rates[0].tolist() == [1.0, 0.5, 0.0, 0.5]
    assert np.isnan(table.rates[1, 3])


def test_an_empty_history_has_no_cohorts() -> None:
    table = monthly_retention(OrderHistory.from_orders([]))
    assert table.cohorts == ()
    assert table.rates.shape == (0, 0)


def test_upgraders_are_compared_with_customers_of_the_same_cohort_month_and_order_count() -> None:
    history = history_of(
        ("u", "2024-01-05"),
        ("x", "2024-01-03"),
        ("y", "2024-01-07"),
        ("z", "2024-01-09"),
        ("w", "2023-12-09"),
        ("u", "2024-02-10"),
        ("x", "2024-02-12"),
        ("w", "2024-02-15"),
        ("y", "2024-02-20"),
        ("y", "2024-02-28"),
        ("u", "2024-03-01"),
        ("z", "2024-03-05"),
    )
    code = history.customer_ids.index("u")
    upgraded_at = {code: datetime(2024, 2, 10, 12, tzinfo=UTC)}
    result = compare_upgraders(
        history, upgraded_at, as_of=datetime(2024, 6, 30, tzinfo=UTC), windows=(30, 180)
    )
    assert (result.upgraders, result.matched, result.controls) == (1, 1, 2)
    month, half_year = result.windows
    assert (month.upgrader_rate, month.control_rate) == (1.0, 0.5)
    assert month.difference == 0.5
    assert month.upgrader_churn == 0.0
    assert month.control_churn == 0.5
    assert (half_year.upgraders, half_year.upgrader_rate, half_year.control_rate) == (0, None, None)


def test_an_upgrader_without_comparable_customers_has_no_control_rate() -> None:
    history = history_of(("u", "2024-01-05"), ("u", "2024-01-20"), ("v", "2024-05-01"))
    result = compare_upgraders(
        history, {0: datetime(2024, 1, 5, tzinfo=UTC)}, as_of=datetime(2024, 9, 1, tzinfo=UTC)
    )
    assert result.matched == 0
    assert result.windows[0].upgrader_rate == 1.0
    assert result.windows[0].control_rate is None


days = st.integers(0, 400)
rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "e", None]), days), max_size=40)


@settings(max_examples=80, deadline=None)
@given(rows)
def test_retention_invariants(entries: list[tuple[str | None, int]]) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    history = history_of(*((c, (start + timedelta(days=d)).isoformat()) for c, d in entries))
    table = monthly_retention(history)
    rates = table.rates
    customers = {c for c, _ in entries if c is not None}
    assert int(table.sizes.sum()) == len(customers)
    if customers:
        assert np.all(rates[:, 0] == 1.0)
    observed = rates[~np.isnan(rates)]
    assert np.all((observed >= 0) & (observed <= 1))


@settings(max_examples=60, deadline=None)
@given(rows, st.sampled_from(["a", "b", "c"]), days)
def test_comparison_rates_are_shares(
    entries: list[tuple[str | None, int]], who: str, when: int
) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    history = history_of(*((c, (start + timedelta(days=d)).isoformat()) for c, d in entries))
    codes = {c: n for n, c in enumerate(history.customer_ids)}
    upgraded = {codes[who]: start + timedelta(days=when)} if who in codes else {}
    result = compare_upgraders(history, upgraded, as_of=start + timedelta(days=600))
    assert result.matched <= result.upgraders <= 1
    for window in result.windows:
        for rate in (window.upgrader_rate, window.control_rate):
            assert rate is None or 0.0 <= rate <= 1.0
    assert result.windows[0].days == 30


def test_unordered_history_is_refused() -> None:
    history = history_of(("a", "2024-01-05"), ("b", "2024-01-06"))
    with pytest.raises(ValueError, match="oldest first"):
        OrderHistory(
            history.order_ids,
            history.customer_ids,
            history.customers,
            history.times[::-1].copy(),
            history.totals,
            history.currencies,
            history.items,
            history.indptr,
            history.indices,
        )
