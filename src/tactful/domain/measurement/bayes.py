"""The Bayesian view GrowthBook shows: chance to beat control and expected loss.

With flat priors the posterior of each mean is normal (mean, standard error); the relative
uplift is read on the log scale, log(treated) - log(control), as gbstats does, and the
expected loss of shipping treatment is E[max(control - treated, 0)] in the metric's units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tactful.domain.measurement.distributions import normal_cdf, normal_pdf, normal_ppf
from tactful.domain.measurement.samples import SampleStats

__all__ = ["BayesianView", "bayesian_view"]


@dataclass(frozen=True, slots=True)
class BayesianView:
    """Chance treatment beats control, the relative uplift interval, and each side's risk."""

    chance_to_beat_control: float
    expected_uplift: float
    ci_low: float
    ci_high: float
    risk_treated: float
    risk_control: float


def bayesian_view(
    treated: SampleStats, control: SampleStats, *, alpha: float = 0.05
) -> BayesianView | None:
    """The view for a mean metric; None when a mean is not positive or has no spread."""
    if treated.n < 2 or control.n < 2 or treated.mean <= 0 or control.mean <= 0:
        return None
    se_t, se_c = math.sqrt(treated.mean_variance), math.sqrt(control.mean_variance)
    if se_t <= 0 or se_c <= 0:
        return None
    log_diff = math.log(treated.mean) - math.log(control.mean)
    log_sd = math.sqrt((se_t / treated.mean) ** 2 + (se_c / control.mean) ** 2)
    low, high = (normal_ppf(q) * log_sd + log_diff for q in (alpha / 2, 1 - alpha / 2))
    diff = treated.mean - control.mean
    diff_sd = math.hypot(se_t, se_c)
    return BayesianView(
        chance_to_beat_control=normal_cdf(log_diff / log_sd),  # P(N(log_diff, log_sd) > 0)
        expected_uplift=math.exp(log_diff) - 1,
        ci_low=float(math.exp(low) - 1),
        ci_high=float(math.exp(high) - 1),
        risk_treated=_loss(-diff, diff_sd),
        risk_control=_loss(diff, diff_sd),
    )


def _loss(mean: float, sd: float) -> float:
    """E[max(D, 0)] for D ~ N(mean, sd^2)."""
    z = mean / sd
    return float(mean * normal_cdf(z) + sd * normal_pdf(z))
