"""Always-valid inference: the mixture sequential probability ratio test (mSPRT).

For a difference estimate d with variance V and a normal mixing prior N(0, tau^2) on the true
difference, the mixture likelihood ratio against "no difference" is

    L = sqrt(V / (V + tau^2)) * exp(d^2 tau^2 / (2 V (V + tau^2)))

(Johari, Pekelis and Walsh, "Always valid inference", 2017). Rejecting when L >= 1/alpha
keeps the chance of ever rejecting a true null at most alpha however often one looks; the
matching confidence sequence is d +- sqrt(V (V + tau^2) / tau^2 * (log((V + tau^2) / V) -
2 log alpha)). The always-valid p-value is min(1, 1/L), kept as a running minimum by callers
that look repeatedly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["SequentialResult", "msprt"]


@dataclass(frozen=True, slots=True)
class SequentialResult:
    """The always-valid p-value and confidence sequence at this look."""

    p_value: float
    ci_low: float
    ci_high: float
    alpha: float

    @property
    def significant(self) -> bool:
        """Whether the difference may be declared now, with any number of looks."""
        return self.p_value <= self.alpha


def msprt(estimate: float, variance: float, *, tau: float, alpha: float = 0.05) -> SequentialResult:
    """The mSPRT at one look; `tau` is the scale of effects expected (same units)."""
    if variance <= 0 or tau <= 0:
        return SequentialResult(1.0, -math.inf, math.inf, alpha)
    tau_sq = tau**2
    total = variance + tau_sq
    log_ratio = 0.5 * math.log(variance / total) + estimate**2 * tau_sq / (2 * variance * total)
    p_value = 1.0 if log_ratio <= 0 else math.exp(-log_ratio)
    half = math.sqrt(variance * total / tau_sq * (math.log(total / variance) - 2 * math.log(alpha)))
    return SequentialResult(min(1.0, p_value), estimate - half, estimate + half, alpha)
