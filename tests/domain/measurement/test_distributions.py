"""The statistics' tails and quantiles are scipy.stats' own figures, to the last bit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tactful.domain.measurement.distributions import (
    chi2_sf,
    normal_cdf,
    normal_pdf,
    normal_ppf,
    normal_sf,
    t_ppf,
    t_sf,
)

scores = st.floats(min_value=-40, max_value=40, allow_nan=False)
shares = st.floats(min_value=1e-12, max_value=1 - 1e-12, exclude_min=True, exclude_max=True)
freedoms = st.floats(min_value=0.5, max_value=1e7, allow_nan=False)


@given(scores)
def test_normal_tails_and_density_equal_scipy_stats(x: float) -> None:
    assert normal_cdf(x) == stats.norm.cdf(x)
    assert normal_sf(x) == stats.norm.sf(x)
    assert normal_pdf(x) == stats.norm.pdf(x)


@given(shares, scores, st.floats(min_value=1e-6, max_value=1e3))
def test_normal_quantiles_equal_scipy_stats_with_loc_and_scale(
    q: float, loc: float, scale: float
) -> None:
    assert normal_ppf(q) == stats.norm.ppf(q)
    assert normal_ppf(q) * scale + loc == stats.norm.ppf(q, loc, scale)
    assert normal_cdf(loc / scale) == stats.norm.sf(0, loc, scale)


@given(scores, shares, freedoms)
def test_student_t_equals_scipy_stats(x: float, q: float, dof: float) -> None:
    assert t_sf(x, dof) == stats.t.sf(x, dof)
    assert t_ppf(q, dof) == stats.t.ppf(q, dof)


@given(st.floats(min_value=0, max_value=1e4), st.integers(min_value=1, max_value=20))
def test_chi_square_tail_equals_scipy_stats(x: float, dof: int) -> None:
    assert chi2_sf(x, dof) == stats.chi2.sf(x, dof)
