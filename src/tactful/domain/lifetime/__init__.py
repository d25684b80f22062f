"""Customer lifetime value and retention: BG/NBD, Gamma-Gamma, monthly cohorts.

summary = summarise(customer_codes, day_numbers, values, calibration_end=day)  # weeks by default
purchases = fit_bgnbd(summary)          # r, alpha, a, b
spend = fit_gamma_gamma(summary)        # p, q, gamma
values = predict_values(purchases, spend, summary, horizon=52)
"""

from tactful.domain.lifetime.bgnbd import (
    BgNbdParams,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
)
from tactful.domain.lifetime.gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma
from tactful.domain.lifetime.summary import CustomerSummary, summarise
from tactful.domain.lifetime.value import LifetimeValues, predict_values

__all__ = [
    "BgNbdParams",
    "CustomerSummary",
    "GammaGammaParams",
    "LifetimeValues",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "predict_values",
    "probability_alive",
    "summarise",
]
