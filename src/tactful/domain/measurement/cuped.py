"""CUPED: each unit's pre-period value as a covariate removes variance it explains.

y_adj = y - theta * (x - mean(x)), theta = cov(y, x) / var(x) over both groups pooled, so
the adjustment is the same for treatment and control and the lift stays unbiased.
"""

from __future__ import annotations

from dataclasses import dataclass

from tactful.domain.measurement.comparison import Lift, lift_from_estimates, welch_dof
from tactful.domain.measurement.samples import PairedStats

__all__ = ["CupedResult", "compare_cuped"]


@dataclass(frozen=True, slots=True)
class CupedResult:
    """The adjusted lift, theta, and the share of the outcome's variance removed."""

    lift: Lift
    theta: float
    variance_reduction: float


def compare_cuped(
    treated: PairedStats, control: PairedStats, *, alpha: float = 0.05
) -> CupedResult:
    """The lift of y adjusted by the covariate x (Welch on the adjusted values)."""
    pooled = treated + control
    x_var = pooled.x.variance
    theta = pooled.covariance / x_var if x_var > 0 else 0.0
    x_mean = pooled.x.mean
    adjusted = [_adjusted(group, theta, x_mean) for group in (treated, control)]
    raw = [group.y.variance for group in (treated, control)]
    var_t, var_c = (_adjusted_variance(group, theta) for group in (treated, control))
    mean_t, mean_c = (mean for mean, _ in adjusted)
    lift = lift_from_estimates(
        mean_t,
        mean_c,
        var_t / treated.y.n if treated.y.n else 0.0,
        var_c / control.y.n if control.y.n else 0.0,
        dof=welch_dof(treated.y, control.y),
        alpha=alpha,
    )
    before = raw[0] / max(treated.y.n, 1) + raw[1] / max(control.y.n, 1)
    after = lift.standard_error**2
    reduction = 1 - after / before if before > 0 else 0.0
    return CupedResult(lift, theta, reduction)


def _adjusted(group: PairedStats, theta: float, x_mean: float) -> tuple[float, int]:
    return group.y.mean - theta * (group.x.mean - x_mean), group.y.n


def _adjusted_variance(group: PairedStats, theta: float) -> float:
    """var(y - theta x) = var(y) - 2 theta cov(y, x) + theta^2 var(x)."""
    value = group.y.variance - 2 * theta * group.covariance + theta**2 * group.x.variance
    return max(0.0, value)
