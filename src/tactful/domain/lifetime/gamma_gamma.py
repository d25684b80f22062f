"""Gamma-Gamma: what a customer spends per purchase (Fader & Hardie 2013).

Each purchase's value is Gamma(p, nu) around the customer's mean, and nu ~ Gamma(q, gamma)
across customers; fitted by maximum likelihood on the customers with repeat purchases, from
their number of repeat purchases x and mean repeat value m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from tactful.domain.lifetime.summary import CustomerSummary, FloatArray

_START = np.log([1.0, 1.0, 1.0])


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (gamma in the unit of the values, e.g. dollars)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")

    @property
    def population_mean(self) -> float:
        """The mean spend per purchase of a customer with no repeat history."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("nan")


def log_likelihood_terms(
    p: float, q: float, gamma: float, x: FloatArray, m: FloatArray
) -> FloatArray:
    """Each repeater's log-likelihood of mean value `m` over `x` purchases."""
    px = p * x
    terms = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + gamma)
    )
    return np.asarray(terms, dtype=np.float64)


def fit_gamma_gamma(summary: CustomerSummary) -> GammaGammaParams:
    """Maximum-likelihood (p, q, gamma) from the customers with repeat purchases of value > 0."""
    usable = summary.repeaters & (summary.monetary > 0)
    x, m = summary.frequency[usable], summary.monetary[usable]
    if x.size < 2:
        raise ValueError("the spend model needs at least two customers with repeat purchases")

    def negative(log_params: FloatArray) -> float:
        p, q, gamma = np.exp(log_params)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            total = float(np.sum(log_likelihood_terms(p, q, gamma, x, m)))
        return -total if np.isfinite(total) else np.inf

    found = optimize.minimize(
        negative,
        _START,
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 10_000, "maxfev": 20_000},
    )
    if not (found.success and np.isfinite(found.fun) and np.all(np.abs(found.x) < 50)):
        raise ValueError(
            f"the Gamma-Gamma fit did not converge on these customers: {found.message}"
        )
    p, q, gamma = (float(v) for v in np.exp(found.x))
    return GammaGammaParams(p, q, gamma, log_likelihood=-float(found.fun))


def expected_spend(params: GammaGammaParams, summary: CustomerSummary) -> FloatArray:
    """Each customer's expected value per purchase: their mean shrunk to the population's."""
    x, m = summary.frequency, summary.monetary
    px = params.p * x
    spend = (params.gamma + m * x) * params.p / (px + params.q - 1)
    return np.asarray(np.where(x > 0, spend, params.population_mean), dtype=np.float64)
