"""Guardrails: metrics a variant must not make worse, whatever it does for revenue.

Each guardrail compares the variant with the control, per customer of each arm: the decline
rate (declines per offer shown, a ratio metric by the delta method), the refund rate (refunded
per gross spent, likewise), the unsubscribe rate (share of customers who withdrew marketing
email after their first decision, Welch) and satisfaction (each rating customer's mean rating,
Welch). A variant **harms** a guardrail when its 95% interval lies wholly on the bad side of
zero (the harm is not noise) and the estimated harm is beyond the guardrail's threshold (it is
big enough to matter): a flag raised whatever the variant's revenue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from tactful.domain.measurement.comparison import Lift, compare_means, compare_ratios
from tactful.domain.measurement.overview import MIN_GROUP
from tactful.domain.measurement.samples import RatioStats, SampleStats

__all__ = [
    "GUARDRAILS",
    "ArmGuardrailData",
    "GuardrailResult",
    "GuardrailThresholds",
    "check_guardrails",
    "harmed",
]

GuardrailName = Literal["decline_rate", "refund_rate", "unsubscribe_rate", "satisfaction"]
GUARDRAILS: tuple[GuardrailName, ...] = (
    "decline_rate",
    "refund_rate",
    "unsubscribe_rate",
    "satisfaction",
)
LABELS = {
    "decline_rate": "decline rate",
    "refund_rate": "refund rate",
    "unsubscribe_rate": "unsubscribe rate",
    "satisfaction": "satisfaction",
}
HIGHER_IS_WORSE = {
    "decline_rate": True,
    "refund_rate": True,
    "unsubscribe_rate": True,
    "satisfaction": False,
}


@dataclass(frozen=True, slots=True)
class GuardrailThresholds:
    """The harm each guardrail tolerates, absolute: rates as fractions, ratings in points."""

    decline_rate: float = 0.02
    refund_rate: float = 0.01
    unsubscribe_rate: float = 0.005
    satisfaction: float = 0.1

    def of(self, name: GuardrailName) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True, eq=False)
class ArmGuardrailData:
    """One arm's customers as aligned arrays, and the mean rating of each rating customer."""

    impressions: np.ndarray
    declines: np.ndarray
    gross: np.ndarray
    refunded: np.ndarray
    unsubscribed: np.ndarray
    ratings: np.ndarray

    @classmethod
    def of(
        cls,
        *,
        impressions: ArrayLike,
        declines: ArrayLike,
        gross: ArrayLike,
        refunded: ArrayLike,
        unsubscribed: ArrayLike,
        ratings: ArrayLike,
    ) -> ArmGuardrailData:
        arrays = [
            np.asarray(a, dtype=float)
            for a in (impressions, declines, gross, refunded, unsubscribed, ratings)
        ]
        if len({a.size for a in arrays[:5]}) != 1:
            raise ValueError("per-customer arrays must be aligned (one value per customer)")
        return cls(*arrays)

    @property
    def customers(self) -> int:
        return int(self.impressions.size)


@dataclass(frozen=True, slots=True)
class GuardrailResult:
    """One guardrail of one variant: the lift against the control and whether it harms."""

    name: GuardrailName
    lift: Lift | None
    threshold: float
    harms: bool

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def higher_is_worse(self) -> bool:
        return HIGHER_IS_WORSE[self.name]

    @property
    def status(self) -> str:
        """harms, ok or not_enough_data."""
        if self.lift is None:
            return "not_enough_data"
        return "harms" if self.harms else "ok"


def check_guardrails(
    variant: ArmGuardrailData,
    control: ArmGuardrailData,
    thresholds: GuardrailThresholds,
    *,
    alpha: float = 0.05,
) -> list[GuardrailResult]:
    """Every guardrail of `variant` against `control`, in `GUARDRAILS` order."""
    lifts = {
        "decline_rate": _ratio(
            (variant.declines, variant.impressions), (control.declines, control.impressions), alpha
        ),
        "refund_rate": _ratio(
            (variant.refunded, variant.gross), (control.refunded, control.gross), alpha
        ),
        "unsubscribe_rate": _means(variant.unsubscribed, control.unsubscribed, alpha),
        "satisfaction": _means(variant.ratings, control.ratings, alpha),
    }
    return [_judge(name, lifts[name], thresholds.of(name)) for name in GUARDRAILS]


def harmed(results: Sequence[GuardrailResult]) -> list[str]:
    """The labels of the guardrails harmed, in order."""
    return [r.label for r in results if r.harms]


def _judge(name: GuardrailName, lift: Lift | None, threshold: float) -> GuardrailResult:
    if lift is None:
        return GuardrailResult(name, None, threshold, False)
    sign = 1.0 if HIGHER_IS_WORSE[name] else -1.0
    harm, harm_low = sign * lift.estimate, min(sign * lift.ci_low, sign * lift.ci_high)
    return GuardrailResult(name, lift, threshold, harm_low > 0 and harm > threshold)


def _ratio(
    variant: tuple[np.ndarray, np.ndarray], control: tuple[np.ndarray, np.ndarray], alpha: float
) -> Lift | None:
    """A ratio metric (declines per offer shown, refunded per gross) over each arm's customers
    with a denominator; None without enough of them in either arm."""
    groups = []
    for num, den in (variant, control):
        counted = den > 0
        if int(counted.sum()) < MIN_GROUP:
            return None
        groups.append(RatioStats.of(num[counted], den[counted]))
    return compare_ratios(groups[0], groups[1], alpha=alpha)


def _means(variant: np.ndarray, control: np.ndarray, alpha: float) -> Lift | None:
    if min(variant.size, control.size) < MIN_GROUP:
        return None
    return compare_means(SampleStats.of(variant), SampleStats.of(control), alpha=alpha)
