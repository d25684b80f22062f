"""Health of a split: the sample-ratio-mismatch test, and the sample a test would need."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tactful.domain.measurement.distributions import chi2_sf, normal_ppf

__all__ = ["SRM_THRESHOLD", "required_sample", "srm_p_value"]

SRM_THRESHOLD = 0.001
"""Below this p-value the split is flagged: the groups are not the sizes they were meant to be."""


def srm_p_value(observed: Sequence[int], weights: Sequence[float]) -> float:
    """Chi-square goodness of fit of counts per group to the intended weights (1.0 if empty)."""
    if len(observed) != len(weights) or len(observed) < 2:
        raise ValueError("srm needs one weight per group and at least two groups")
    total = sum(observed)
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return 1.0
    statistic = 0.0
    for count, weight in zip(observed, weights, strict=True):
        expected = total * weight / weight_sum
        if expected <= 0:
            if count:
                return 0.0
            continue
        statistic += (count - expected) ** 2 / expected
    return chi2_sf(statistic, len(observed) - 1)


def required_sample(
    *,
    baseline_mean: float,
    baseline_sd: float,
    relative_effect: float,
    control_share: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int | None:
    """Customers needed in total to detect `relative_effect` on a mean at `power`.

    Unequal groups: the control takes `control_share`. None when the baseline says nothing
    (no mean or no spread yet).
    """
    effect = abs(baseline_mean * relative_effect)
    if effect <= 0 or baseline_sd <= 0 or not 0 < control_share < 1:
        return None
    z = normal_ppf(1 - alpha / 2) + normal_ppf(power)
    share_term = 1 / control_share + 1 / (1 - control_share)
    return math.ceil(float((z * baseline_sd / effect) ** 2 * share_term))
