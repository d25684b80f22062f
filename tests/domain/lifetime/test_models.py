"""BG/NBD and Gamma-Gamma against a planted truth, and the invariants of their predictions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain import lifetime
from tactful.domain.lifetime import (
    BgNbdParams,
    CustomerSummary,
    GammaGammaParams,
    expected_purchases,
    expected_spend,
    fit_bgnbd,
    fit_gamma_gamma,
    probability_alive,
    summarise,
)

TRUTH = BgNbdParams(r=0.5, alpha=4.0, a=0.8, b=2.5)


def simulate(n: int, weeks: float, seed: int) -> tuple[CustomerSummary, np.ndarray]:
    """Customers drawn from TRUTH, seen `weeks` after their first purchase, then as long again."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(TRUTH.r, 1 / TRUTH.alpha, n)
    drop = rng.beta(TRUTH.a, TRUTH.b, n)
    x, t_x, later = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rates[i])
            if t > 2 * weeks:
                break
            if t <= weeks:
                x[i] += 1
                t_x[i] = t
            else:
                later[i] += 1
            if rng.random() < drop[i]:
                break
    return CustomerSummary.from_columns(x, t_x, np.full(n, weeks)), later


def test_fit_recovers_planted_parameters_and_forecasts_the_holdout() -> None:
    summary, later = simulate(40_000, 39.0, seed=7)
    fitted = fit_bgnbd(summary)
    assert fitted.r == pytest.approx(TRUTH.r, rel=0.15)
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(0.8 / 3.3, rel=0.15)
    forecast = expected_purchases(TRUTH, summary, 39.0).sum()
    assert forecast == pytest.approx(later.sum(), rel=0.04)


def test_gamma_gamma_recovers_planted_spend() -> None:
    rng = np.random.default_rng(3)
    p, q, gamma = 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1 / gamma, 4000)
    x = rng.integers(1, 8, 4000).astype(float)
    means = np.array([rng.gamma(p, 1 / v, int(k)).mean() for v, k in zip(nu, x, strict=True)])
    summary = CustomerSummary.from_columns(x, np.ones_like(x), np.full_like(x, 2.0), means)
    fitted = fit_gamma_gamma(summary)
    assert fitted.p * fitted.gamma / (fitted.q - 1) == pytest.approx(p * gamma / (q - 1), rel=0.05)


histories = st.lists(
    st.tuples(st.integers(0, 40), st.floats(0, 1), st.floats(1, 80), st.floats(0.5, 500)),
    min_size=1,
    max_size=30,
)


def summary_of(rows: list[tuple[int, float, float, float]]) -> CustomerSummary:
    x = np.array([row[0] for row in rows], dtype=float)
    age = np.array([row[2] for row in rows])
    recency = np.where(x > 0, np.array([row[1] for row in rows]) * age, 0.0)
    spend = np.where(x > 0, np.array([row[3] for row in rows]), 0.0)
    return CustomerSummary.from_columns(x, recency, age, spend)


@settings(max_examples=60, deadline=None)
@given(histories, st.floats(0, 200))
def test_predictions_are_finite_and_bounded(
    rows: list[tuple[int, float, float, float]], h: float
) -> None:
    summary = summary_of(rows)
    alive = probability_alive(TRUTH, summary)
    ahead = expected_purchases(TRUTH, summary, h)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(ahead))
    assert np.all(ahead >= 0)
    assert np.all(alive[summary.frequency == 0] == 1)


@settings(max_examples=40, deadline=None)
@given(histories)
def test_more_time_means_more_expected_purchases(
    rows: list[tuple[int, float, float, float]],
) -> None:
    summary = summary_of(rows)
    assert np.all(
        expected_purchases(TRUTH, summary, 20) <= expected_purchases(TRUTH, summary, 40) + 1e-9
    )


def test_a_long_silence_lowers_the_chance_alive() -> None:
    recent = CustomerSummary.from_columns([5, 5], [38.0, 5.0], [39.0, 39.0])
    alive = probability_alive(TRUTH, recent)
    assert alive[0] > alive[1]


def test_spend_shrinks_towards_the_population_mean() -> None:
    params = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    summary = CustomerSummary.from_columns([1, 50, 0], [1, 1, 0], [2, 2, 2], [100.0, 100.0, 0])
    one, many, none = expected_spend(params, summary)
    assert params.population_mean < one < many < 100.0
    assert none == pytest.approx(params.population_mean)


def test_summarise_counts_days_and_ignores_later_purchases() -> None:
    summary = summarise(
        [9, 9, 9, 9, 4], [0, 0, 14, 30, 7], [10.0, 5.0, 20.0, 99.0, 8.0], calibration_end=21
    )
    np.testing.assert_array_equal(summary.customers, [4, 9])
    np.testing.assert_array_equal(summary.frequency, [0, 1])
    np.testing.assert_allclose(summary.recency, [0, 2])
    np.testing.assert_allclose(summary.age, [2, 3])
    np.testing.assert_allclose(summary.monetary, [0, 20])


def test_bad_shapes_and_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        summarise([1, 2], [0], [1.0], calibration_end=5)
    with pytest.raises(ValueError, match="no customers"):
        fit_bgnbd(summarise([], [], [], calibration_end=5))
    with pytest.raises(ValueError, match="repeat purchases"):
        fit_gamma_gamma(CustomerSummary.from_columns([0], [0], [3]))
    with pytest.raises(ValueError, match="horizon"):
        expected_purchases(TRUTH, CustomerSummary.from_columns([0], [0], [3]), -1)


def test_public_names() -> None:
    assert all(hasattr(lifetime, name) for name in lifetime.__all__)
