"""The customers page's figures: lifetime value, cohort retention and upgraders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tactful.services.cohorts import CohortReport
from tactful.services.lifetime import ClvFit

__all__ = ["CLV_MIN_CUSTOMERS", "CUSTOMERS_CACHE_SECONDS", "CustomersReport"]

CUSTOMERS_CACHE_SECONDS = 600.0
"""How long a process reuses the customers page's figures before computing them again."""
CLV_MIN_CUSTOMERS = 20
"""Customers with orders a lifetime value fit needs."""


@dataclass(frozen=True)
class CustomersReport:
    """Lifetime value distribution, cohort retention, upgraders; `problem` when no fit."""

    clv: ClvFit | None
    cohorts: CohortReport | None
    problem: str | None
    min_customers: ClassVar[int] = CLV_MIN_CUSTOMERS
    refresh_minutes: ClassVar[int] = int(CUSTOMERS_CACHE_SECONDS // 60)

    @property
    def empty(self) -> bool:
        """No customer has ordered yet: nothing to fit, no cohort, no upgrader."""
        return self.clv is None and self.cohorts is not None and self.cohorts.customers == 0

    @property
    def total_value(self) -> float:
        """Expected value of every fitted customer over the horizon (major units)."""
        return float(np.nansum(self.clv.values.expected_value)) if self.clv else 0.0

    def value_histogram(self, bins: int = 12) -> list[tuple[float, float, int]]:
        """(low, high, customers) bins of expected value, the top 1% folded into the last."""
        if self.clv is None or self.clv.values.customers.size == 0:
            return []
        values = self.clv.values.expected_value
        values = values[np.isfinite(values)]
        if values.size == 0:
            return []
        top = float(np.quantile(values, 0.99)) or 1.0
        counts, edges = np.histogram(np.minimum(values, top), bins=bins, range=(0.0, top))
        return [(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(bins)]
