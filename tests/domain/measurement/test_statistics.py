"""The statistics against scipy on golden data, and their invariants under hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tactful.domain.measurement import (
    PairedStats,
    RatioStats,
    SampleStats,
    compare_cuped,
    compare_means,
    compare_ratios,
    msprt,
    required_sample,
    srm_p_value,
)

RNG = np.random.default_rng(22)
TREATED = RNG.gamma(0.6, 3000, size=900) * (RNG.random(900) < 0.4)
CONTROL = RNG.gamma(0.6, 2800, size=120) * (RNG.random(120) < 0.4)

values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=0, max_size=40)


def test_welch_agrees_with_scipy() -> None:
    lift = compare_means(SampleStats.of(TREATED), SampleStats.of(CONTROL))
    scipy_test = stats.ttest_ind(TREATED, CONTROL, equal_var=False)
    interval = scipy_test.confidence_interval(0.95)
    assert lift.estimate == pytest.approx(TREATED.mean() - CONTROL.mean(), rel=1e-9)
    assert lift.p_value == pytest.approx(scipy_test.pvalue, rel=1e-6)
    assert lift.ci_low == pytest.approx(interval.low, rel=1e-6)
    assert lift.ci_high == pytest.approx(interval.high, rel=1e-6)


def test_srm_agrees_with_scipy_chisquare() -> None:
    observed = [9_412, 588]
    expected = [0.95 * 10_000, 0.05 * 10_000]
    assert srm_p_value(observed, [0.95, 0.05]) == pytest.approx(
        stats.chisquare(observed, expected).pvalue, rel=1e-9
    )
    assert srm_p_value([9_000, 1_000], [0.95, 0.05]) < 0.001
    assert srm_p_value([0, 0], [0.95, 0.05]) == 1.0


def test_delta_method_ratio_matches_a_bootstrap() -> None:
    orders = RNG.poisson(1.2, size=4_000).astype(float)
    revenue = orders * RNG.gamma(2, 1500, size=4_000)
    ratio = RatioStats.of(revenue, orders)
    boot = []
    for _ in range(400):
        pick = RNG.integers(0, 4_000, size=4_000)
        boot.append(revenue[pick].sum() / orders[pick].sum())
    assert ratio.ratio == pytest.approx(revenue.sum() / orders.sum())
    assert math.sqrt(ratio.ratio_variance) == pytest.approx(np.std(boot), rel=0.15)


def test_cuped_removes_the_variance_the_covariate_explains() -> None:
    pre = RNG.gamma(1, 2000, size=5_000)
    post = 0.8 * pre + RNG.normal(0, 500, size=5_000)
    treated = RNG.random(5_000) < 0.9
    post[treated] += 100
    result = compare_cuped(
        PairedStats.of(post[treated], pre[treated]), PairedStats.of(post[~treated], pre[~treated])
    )
    correlation = np.corrcoef(pre, post)[0, 1]
    assert result.variance_reduction == pytest.approx(correlation**2, abs=0.03)
    assert result.lift.ci_low < 100 < result.lift.ci_high
    assert result.theta == pytest.approx(0.8, abs=0.02)


def test_cuped_without_a_covariate_is_welch() -> None:
    zeros = np.zeros_like
    result = compare_cuped(
        PairedStats.of(TREATED, zeros(TREATED)), PairedStats.of(CONTROL, zeros(CONTROL))
    )
    welch = compare_means(SampleStats.of(TREATED), SampleStats.of(CONTROL))
    assert result.variance_reduction == pytest.approx(0.0, abs=1e-12)
    assert result.lift.ci_low == pytest.approx(welch.ci_low)


def test_msprt_is_wider_than_the_fixed_interval_and_rejects_big_effects() -> None:
    fixed = compare_means(SampleStats.of(TREATED), SampleStats.of(CONTROL))
    variance = fixed.standard_error**2
    sequential = msprt(fixed.estimate, variance, tau=300)
    assert sequential.ci_low < fixed.ci_low
    assert fixed.ci_high < sequential.ci_high
    assert sequential.p_value >= fixed.p_value
    assert msprt(50 * fixed.standard_error, variance, tau=300).significant
    assert msprt(0.0, variance, tau=300).p_value == 1.0


def test_required_sample_grows_as_the_effect_shrinks() -> None:
    big = required_sample(
        baseline_mean=100, baseline_sd=300, relative_effect=0.1, control_share=0.05
    )
    small = required_sample(
        baseline_mean=100, baseline_sd=300, relative_effect=0.05, control_share=0.05
    )
    assert big is not None
    assert small is not None
    assert small == pytest.approx(4 * big, rel=0.01)
    assert (
        required_sample(baseline_mean=0, baseline_sd=0, relative_effect=0.05, control_share=0.05)
        is None
    )


@given(values, values)
def test_statistics_add_like_the_concatenated_sample(a: list[float], b: list[float]) -> None:
    joined = SampleStats.of(a) + SampleStats.of(b)
    whole = SampleStats.of(a + b)
    assert joined.n == whole.n
    assert joined.mean == pytest.approx(whole.mean, rel=1e-9, abs=1e-6)
    assert joined.variance == pytest.approx(whole.variance, rel=1e-6, abs=1e-3)


@settings(max_examples=60)
@given(st.lists(st.floats(0, 1e5), min_size=3, max_size=50), st.floats(-1e4, 1e4))
def test_lift_is_shift_equivariant_and_interval_holds_it(base: list[float], shift: float) -> None:
    control = np.array(base)
    treated = control + shift
    lift = compare_means(SampleStats.of(treated), SampleStats.of(control))
    assert lift.estimate == pytest.approx(shift, abs=1e-6 * (1 + abs(shift)))
    assert lift.ci_low <= lift.estimate <= lift.ci_high


@settings(max_examples=60)
@given(
    st.lists(st.tuples(st.floats(0, 1e5), st.integers(1, 5)), min_size=2, max_size=40),
    st.floats(0.1, 10),
)
def test_ratio_scales_with_its_numerator(rows: list[tuple[float, int]], factor: float) -> None:
    num = np.array([r[0] for r in rows])
    den = np.array([float(r[1]) for r in rows])
    base, scaled = RatioStats.of(num, den), RatioStats.of(num * factor, den)
    assert scaled.ratio == pytest.approx(base.ratio * factor, rel=1e-9)
    assert scaled.ratio_variance == pytest.approx(
        base.ratio_variance * factor**2, rel=1e-6, abs=1e-9 * (1 + scaled.ratio**2)
    )
    same = compare_ratios(base, base)
    assert same.estimate == 0
    assert same.ci_low <= 0 <= same.ci_high


@settings(max_examples=60)
@given(st.floats(-1e3, 1e3), st.floats(1e-2, 1e4), st.floats(1, 1e3))
def test_confidence_sequence_holds_the_estimate_and_agrees_with_the_p_value(
    estimate: float, variance: float, tau: float
) -> None:
    result = msprt(estimate, variance, tau=tau)
    assert result.ci_low <= estimate <= result.ci_high
    excludes_zero = result.ci_low > 0 or result.ci_high < 0
    if abs(abs(estimate) - (result.ci_high - estimate)) > 1e-6 * (1 + abs(estimate)):
        assert excludes_zero == result.significant
