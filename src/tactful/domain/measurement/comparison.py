"""Treatment against control: Welch intervals for means, the delta method for ratios.

Both give an absolute lift (treatment - control) and a relative lift (treatment / control - 1),
each with a two-sided interval; the relative one by the delta method on the ratio of two
independent estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tactful.domain.measurement.distributions import normal_ppf, normal_sf, t_ppf, t_sf
from tactful.domain.measurement.samples import RatioStats, SampleStats

__all__ = ["Lift", "compare_means", "compare_ratios", "lift_from_estimates"]


@dataclass(frozen=True, slots=True)
class Lift:
    """An estimated difference with its interval, p-value and relative counterpart."""

    treated: float
    control: float
    estimate: float
    standard_error: float
    ci_low: float
    ci_high: float
    p_value: float
    relative: float | None
    relative_ci_low: float | None
    relative_ci_high: float | None

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.ci_low > 0 or self.ci_high < 0

    def scaled(self, factor: float) -> tuple[float, float, float]:
        """(estimate, low, high) times `factor`: per-customer lift to a total."""
        return self.estimate * factor, self.ci_low * factor, self.ci_high * factor


def lift_from_estimates(
    treated: float,
    control: float,
    var_treated: float,
    var_control: float,
    *,
    dof: float | None = None,
    alpha: float = 0.05,
) -> Lift:
    """A lift from two independent estimates and the variances of those estimates.

    `dof` chooses Student's t with that many degrees of freedom; None the normal.
    """
    estimate = treated - control
    error = math.sqrt(max(var_treated + var_control, 0.0))
    quantile = _quantile(alpha, dof)
    if error > 0:
        score = estimate / error
        tail = t_sf(abs(score), dof) if dof is not None else normal_sf(abs(score))
        p_value = float(min(1.0, 2 * tail))
    else:
        p_value = 1.0 if estimate == 0 else 0.0
    relative, rel_error = _relative(treated, control, var_treated, var_control)
    rel_low = rel_high = None
    if relative is not None and rel_error is not None:
        rel_low, rel_high = relative - quantile * rel_error, relative + quantile * rel_error
    return Lift(
        treated,
        control,
        estimate,
        error,
        estimate - quantile * error,
        estimate + quantile * error,
        p_value,
        relative,
        rel_low,
        rel_high,
    )


def _relative(
    treated: float, control: float, var_treated: float, var_control: float
) -> tuple[float | None, float | None]:
    """treated / control - 1 and its delta-method standard error; None where undefined."""
    try:
        ratio = treated / control
        error = math.sqrt(max(var_treated + var_control * ratio**2, 0.0)) / abs(control)
    except (ZeroDivisionError, OverflowError):
        return None, None
    if not (math.isfinite(ratio) and math.isfinite(error)):
        return None, None
    return ratio - 1, error


def compare_means(treated: SampleStats, control: SampleStats, *, alpha: float = 0.05) -> Lift:
    """Welch's unequal-variance t interval for the difference of two means."""
    var_t, var_c = treated.mean_variance, control.mean_variance
    return lift_from_estimates(
        treated.mean,
        control.mean,
        var_t,
        var_c,
        dof=welch_dof(treated, control),
        alpha=alpha,
    )


def compare_ratios(treated: RatioStats, control: RatioStats, *, alpha: float = 0.05) -> Lift:
    """The difference of two ratio metrics (AOV), variances by the delta method, normal."""
    return lift_from_estimates(
        treated.ratio, control.ratio, treated.ratio_variance, control.ratio_variance, alpha=alpha
    )


def welch_dof(treated: SampleStats, control: SampleStats) -> float | None:
    """Welch-Satterthwaite degrees of freedom; None (normal) when they are undefined."""
    var_t, var_c = treated.mean_variance, control.mean_variance
    if treated.n < 2 or control.n < 2 or var_t + var_c <= 0:
        return None
    denominator = var_t**2 / (treated.n - 1) + var_c**2 / (control.n - 1)
    return (var_t + var_c) ** 2 / denominator if denominator > 0 else None


def _quantile(alpha: float, dof: float | None) -> float:
    if dof is None:
        return normal_ppf(1 - alpha / 2)
    return t_ppf(1 - alpha / 2, dof)
