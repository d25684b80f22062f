"""The dashboard's statistics against SciPy and against themselves."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tactful.domain.dashboard import (
    CustomerOutcomes,
    customers_needed,
    daily_incremental,
    revenue_lift,
    srm_p_value,
    welch,
)


def _sums(values: np.ndarray) -> tuple[int, float, float]:
    return values.size, float(values.sum()), float((values**2).sum())


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    treated, held = rng.gamma(2.0, 30.0, 400), rng.gamma(2.0, 25.0, 40)
    lift = welch(*_sums(treated), *_sums(held))
    scipy = stats.ttest_ind(treated, held, equal_var=False).confidence_interval(0.95)
    assert lift.difference == pytest.approx(treated.mean() - held.mean())
    assert lift.ci_low == pytest.approx(scipy.low, rel=1e-9)
    assert lift.ci_high == pytest.approx(scipy.high, rel=1e-9)


def test_no_interval_without_two_customers_per_arm() -> None:
    assert not welch(5, 50.0, 600.0, 1, 10.0, 100.0).known
    assert welch(0, 0.0, 0.0, 0, 0.0, 0.0).incremental() is None


def _outcomes(rng: np.random.Generator, customers: int, orders: int) -> CustomerOutcomes:
    start = date(2026, 1, 1).toordinal()
    first = rng.integers(start, start + 20, customers)
    who = rng.integers(0, customers, orders)
    return CustomerOutcomes(
        held_out=rng.random(customers) < 0.2,
        first_day=first,
        order_customer=who,
        order_day=first[who] + rng.integers(0, 10, orders),
        order_value=rng.integers(100, 5000, orders),
        currency="GBP",
    )


@given(st.integers(0, 2**32 - 1))
def test_the_last_day_of_the_series_is_the_whole_period(seed: int) -> None:
    outcomes = _outcomes(np.random.default_rng(seed), 60, 200)
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(30)]
    series = daily_incremental(outcomes, days)
    whole = revenue_lift(outcomes).incremental()
    assert whole is not None
    assert series[-1].estimate == pytest.approx(whole[0])
    assert series[-1].ci_low == pytest.approx(whole[1])
    assert all(p.ci_low <= p.estimate <= p.ci_high for p in series)


def test_sample_ratio_mismatch() -> None:
    assert srm_p_value(950, 50, 0.05) == pytest.approx(1.0)
    assert srm_p_value(900, 100, 0.05) < 0.001
    assert srm_p_value(0, 0, 0.05) is None


def test_customers_needed_grows_as_the_effect_shrinks() -> None:
    assert customers_needed(0.2, 0.1) > customers_needed(0.2, 0.3) > 0
