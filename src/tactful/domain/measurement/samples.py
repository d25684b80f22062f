"""Sufficient statistics that add together: a mean metric and a ratio metric per unit.

Shaped like gbstats' statistics: each is a frozen dataclass built from per-unit arrays (or
summed from rollups with `+`), from which means, variances and covariances follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["PairedStats", "RatioStats", "SampleStats"]


@dataclass(frozen=True, slots=True)
class SampleStats:
    """n units, the sum and the sum of squares of one value per unit."""

    n: int
    total: float
    total_sq: float

    @classmethod
    def of(cls, values: ArrayLike) -> SampleStats:
        """The statistics of one value per unit."""
        array = np.asarray(values, dtype=float)
        return cls(int(array.size), float(array.sum()), float(np.square(array).sum()))

    def __add__(self, other: SampleStats) -> SampleStats:
        return SampleStats(
            self.n + other.n, self.total + other.total, self.total_sq + other.total_sq
        )

    @property
    def mean(self) -> float:
        """The mean (0 with no units)."""
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """The sample variance (n - 1 denominator; 0 below two units)."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.total_sq - self.total**2 / self.n) / (self.n - 1))

    @property
    def mean_variance(self) -> float:
        """The variance of the mean."""
        return self.variance / self.n if self.n else 0.0


@dataclass(frozen=True, slots=True)
class PairedStats:
    """A value y and a covariate x per unit (y: outcome, x: pre-period), for CUPED."""

    y: SampleStats
    x: SampleStats
    total_xy: float

    @classmethod
    def of(cls, y: ArrayLike, x: ArrayLike) -> PairedStats:
        """The statistics of (y, x) pairs, one per unit."""
        ys, xs = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
        return cls(SampleStats.of(ys), SampleStats.of(xs), float(np.dot(ys, xs)))

    def __add__(self, other: PairedStats) -> PairedStats:
        return PairedStats(self.y + other.y, self.x + other.x, self.total_xy + other.total_xy)

    @property
    def covariance(self) -> float:
        """Sample covariance of y and x."""
        n = self.y.n
        if n < 2:
            return 0.0
        return (self.total_xy - self.y.total * self.x.total / n) / (n - 1)


@dataclass(frozen=True, slots=True)
class RatioStats:
    """A ratio metric sum(num) / sum(den) over units (AOV: revenue over orders)."""

    num: SampleStats
    den: SampleStats
    total_num_den: float

    @classmethod
    def of(cls, num: ArrayLike, den: ArrayLike) -> RatioStats:
        """The statistics of a numerator and a denominator per unit."""
        pair = PairedStats.of(num, den)
        return cls(pair.y, pair.x, pair.total_xy)

    def __add__(self, other: RatioStats) -> RatioStats:
        return RatioStats(
            self.num + other.num, self.den + other.den, self.total_num_den + other.total_num_den
        )

    @property
    def n(self) -> int:
        """Units."""
        return self.num.n

    @property
    def ratio(self) -> float:
        """sum(num) / sum(den), 0 when nothing is in the denominator."""
        return self.num.total / self.den.total if self.den.total else 0.0

    @property
    def ratio_variance(self) -> float:
        """Delta-method variance of the ratio of means."""
        n = self.n
        if n < 2 or not self.den.total:
            return 0.0
        mean_den = self.den.mean
        ratio = self.ratio
        cov = PairedStats(self.num, self.den, self.total_num_den).covariance
        spread = self.num.variance - 2 * ratio * cov + ratio**2 * self.den.variance
        return max(0.0, spread) / (n * mean_den**2)
