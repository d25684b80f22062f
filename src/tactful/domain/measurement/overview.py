"""The overview: treatment against the holdout on every per-customer metric.

Revenue per customer (Welch, and CUPED on the pre-period), incremental revenue (the CUPED
lift per customer times treated customers), conversion, AOV and units per order (ratio
metrics, delta method), refund rate, the split's SRM check, the always-valid mSPRT beside
the fixed-horizon interval, and the Bayesian view. With too few customers it says so, with
the sample a given effect would need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactful.domain.measurement.bayes import BayesianView, bayesian_view
from tactful.domain.measurement.checks import SRM_THRESHOLD, required_sample, srm_p_value
from tactful.domain.measurement.comparison import Lift, compare_means, compare_ratios
from tactful.domain.measurement.cuped import CupedResult, compare_cuped
from tactful.domain.measurement.outcomes import CustomerOutcomes
from tactful.domain.measurement.samples import PairedStats, RatioStats, SampleStats
from tactful.domain.measurement.sequential import SequentialResult, msprt

__all__ = ["MIN_GROUP", "Overview", "OverviewSettings", "overview"]

MIN_GROUP = 2
"""Customers each group needs before any interval is drawn."""


@dataclass(frozen=True, slots=True)
class OverviewSettings:
    """The split's intended holdout share and the analysis choices."""

    holdout_share: float
    alpha: float = 0.05
    detectable_effect: float = 0.05
    """Relative lift the "not enough data" answer sizes its sample for."""
    sequential_tau: float | None = None
    """mSPRT mixing scale in minor units per customer; None: 10% of control revenue."""


@dataclass(frozen=True, eq=False)
class Overview:
    """Every comparison of the overview; the lifts are None with too few customers."""

    treated: int
    held_out: int
    mixed: int
    currency: str | None
    srm_p_value: float
    revenue: Lift | None
    cuped: CupedResult | None
    incremental: tuple[float, float, float] | None
    sequential: SequentialResult | None
    bayesian: BayesianView | None
    conversion: Lift | None
    aov: Lift | None
    units_per_order: Lift | None
    refund_rate: Lift | None
    sample_needed: int | None

    @property
    def enough_data(self) -> bool:
        """Whether both groups have customers enough for intervals."""
        return self.revenue is not None

    @property
    def srm_warning(self) -> bool:
        """Whether the split is off its intended ratio (p below 0.001)."""
        return self.srm_p_value < SRM_THRESHOLD


def overview(outcomes: CustomerOutcomes, settings: OverviewSettings) -> Overview:
    """The overview of one span's outcomes."""
    treated, held = outcomes.treated, outcomes.held_out
    counts = int(treated.sum()), int(held.sum())
    srm = srm_p_value(counts, (1 - settings.holdout_share, settings.holdout_share))
    if min(counts) < MIN_GROUP:
        return Overview(
            counts[0],
            counts[1],
            outcomes.mixed,
            outcomes.currency,
            srm,
            revenue=None,
            cuped=None,
            incremental=None,
            sequential=None,
            bayesian=None,
            conversion=None,
            aov=None,
            units_per_order=None,
            refund_rate=None,
            sample_needed=_sample_needed(outcomes, settings),
        )
    alpha = settings.alpha

    def means(values: np.ndarray) -> Lift:
        return compare_means(
            SampleStats.of(values[treated]), SampleStats.of(values[held]), alpha=alpha
        )

    def ratio(num: np.ndarray, den: np.ndarray) -> Lift:
        groups = [RatioStats.of(num[mask], den[mask]) for mask in (treated, held)]
        return compare_ratios(groups[0], groups[1], alpha=alpha)

    revenue = means(outcomes.revenue)
    cuped = compare_cuped(
        PairedStats.of(outcomes.revenue[treated], outcomes.pre_revenue[treated]),
        PairedStats.of(outcomes.revenue[held], outcomes.pre_revenue[held]),
        alpha=alpha,
    )
    tau = settings.sequential_tau or max(0.1 * abs(revenue.control), 1.0)
    return Overview(
        *counts,
        outcomes.mixed,
        outcomes.currency,
        srm,
        revenue=revenue,
        cuped=cuped,
        incremental=cuped.lift.scaled(counts[0]),
        sequential=msprt(cuped.lift.estimate, cuped.lift.standard_error**2, tau=tau, alpha=alpha),
        bayesian=bayesian_view(
            SampleStats.of(outcomes.revenue[treated]), SampleStats.of(outcomes.revenue[held])
        ),
        conversion=means((outcomes.orders > 0).astype(float)),
        aov=ratio(outcomes.revenue, outcomes.orders),
        units_per_order=ratio(outcomes.units, outcomes.orders),
        refund_rate=ratio(outcomes.refunded, outcomes.gross),
        sample_needed=_sample_needed(outcomes, settings),
    )


def _sample_needed(outcomes: CustomerOutcomes, settings: OverviewSettings) -> int | None:
    """Customers needed to detect the settings' relative effect on revenue per customer."""
    if len(outcomes) < MIN_GROUP:
        return None
    values = outcomes.revenue
    sd = float(np.std(values, ddof=1))
    mean = float(np.mean(values))
    if not math.isfinite(sd):
        return None
    return required_sample(
        baseline_mean=mean,
        baseline_sd=sd,
        relative_effect=settings.detectable_effect,
        control_share=settings.holdout_share,
        alpha=settings.alpha,
    )
