"""BG/NBD: how often customers buy and when they have quietly stopped (Fader, Hardie & Lee 2005).

While alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase
they drop out with probability p ~ Beta(a, b). The likelihood of (x, t_x, T) is fitted by
maximum likelihood on log parameters, each customer's term kept in log space (gammaln and
log-sum-exp) so that heavy buyers do not overflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from tactful.domain.lifetime.summary import CustomerSummary, FloatArray

_START = np.log([1.0, 1.0, 1.0, 1.0])


@dataclass(frozen=True, slots=True)
class BgNbdParams:
    """Fitted BG/NBD parameters; `log_likelihood` is the total over the customers fitted."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")


def log_likelihood_terms(
    r: float, alpha: float, a: float, b: float, summary: CustomerSummary
) -> FloatArray:
    """Each customer's log-likelihood under (r, alpha, a, b)."""
    x, t_x, age = summary.frequency, summary.recency, summary.age
    shared = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    still_alive = -(r + x) * np.log(alpha + age)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[repeat] = (
        np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    )
    return np.asarray(shared + np.logaddexp(still_alive, dropped), dtype=np.float64)


def fit_bgnbd(summary: CustomerSummary) -> BgNbdParams:
    """Maximum-likelihood (r, alpha, a, b) for the customers of `summary`."""
    if summary.size == 0:
        raise ValueError("no customers to fit")

    def negative(log_params: FloatArray) -> float:
        r, alpha, a, b = np.exp(log_params)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            total = float(np.sum(log_likelihood_terms(r, alpha, a, b, summary)))
        return -total if np.isfinite(total) else np.inf

    found = optimize.minimize(
        negative,
        _START,
        method="Nelder-Mead",
        options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 10_000, "maxfev": 20_000},
    )
    if not (found.success and np.isfinite(found.fun) and np.all(np.abs(found.x) < 50)):
        raise ValueError(f"the BG/NBD fit did not converge on these customers: {found.message}")
    r, alpha, a, b = (float(v) for v in np.exp(found.x))
    return BgNbdParams(r, alpha, a, b, log_likelihood=-float(found.fun))


def _log_death_odds(params: BgNbdParams, summary: CustomerSummary) -> FloatArray:
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) for repeaters, -inf for the others."""
    x, t_x, age = summary.frequency, summary.recency, summary.age
    odds = np.full_like(x, -np.inf)
    repeat = x > 0
    odds[repeat] = (
        np.log(params.a)
        - np.log(params.b + x[repeat] - 1)
        + (params.r + x[repeat])
        * (np.log(params.alpha + age[repeat]) - np.log(params.alpha + t_x[repeat]))
    )
    return odds


def probability_alive(params: BgNbdParams, summary: CustomerSummary) -> FloatArray:
    """P(still a customer at the end of calibration | history), per customer."""
    return np.asarray(special.expit(-_log_death_odds(params, summary)), dtype=np.float64)


def expected_purchases(params: BgNbdParams, summary: CustomerSummary, horizon: float) -> FloatArray:
    """Expected purchases in the next `horizon` time units, given each customer's history."""
    if horizon < 0:
        raise ValueError(f"horizon must not be negative, got {horizon}")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, age = summary.frequency, summary.age
    ratio = (alpha + age) / (alpha + age + horizon)
    tail = np.exp((r + x) * np.log(ratio)) * special.hyp2f1(
        r + x, b + x, a + b + x - 1, horizon / (alpha + age + horizon)
    )
    while_alive = (a + b + x - 1) / (a - 1) * (1 - tail)
    return np.asarray(while_alive * probability_alive(params, summary), dtype=np.float64)
