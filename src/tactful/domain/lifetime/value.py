"""Every customer's outlook: chance still active, purchases and value expected over a horizon."""

from __future__ import annotations

from dataclasses import dataclass

from tactful.domain.lifetime.bgnbd import BgNbdParams, expected_purchases, probability_alive
from tactful.domain.lifetime.gamma_gamma import GammaGammaParams, expected_spend
from tactful.domain.lifetime.summary import CustomerSummary, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class LifetimeValues:
    """Parallel arrays, one entry per customer of the summary (in its order)."""

    customers: IntArray
    horizon: float
    probability_alive: FloatArray
    expected_purchases: FloatArray
    expected_spend: FloatArray

    @property
    def expected_value(self) -> FloatArray:
        """Expected purchases times expected spend per purchase (undiscounted)."""
        return self.expected_purchases * self.expected_spend


def predict_values(
    purchases: BgNbdParams,
    spend: GammaGammaParams,
    summary: CustomerSummary,
    horizon: float,
) -> LifetimeValues:
    """Each customer's lifetime outlook over the next `horizon` time units."""
    return LifetimeValues(
        customers=summary.customers,
        horizon=horizon,
        probability_alive=probability_alive(purchases, summary),
        expected_purchases=expected_purchases(purchases, summary, horizon),
        expected_spend=expected_spend(spend, summary),
    )
