"""The tails and quantiles the statistics need: normal, Student's t and chi-square.

Each is the `scipy.special` function `scipy.stats` itself evaluates (`norm.sf` is `ndtr(-x)`,
`t.ppf` is `stdtrit`, `chi2.sf` is `chdtrc`...), so the figures are the same to the last bit,
without importing `scipy.stats` (it loads most of SciPy: about half a second of every report).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["chi2_sf", "normal_cdf", "normal_pdf", "normal_ppf", "normal_sf", "t_ppf", "t_sf"]

_SQRT_2PI = np.sqrt(2 * np.pi)


def normal_cdf(x: float) -> float:
    """P(Z <= x) for a standard normal Z."""
    return float(special.ndtr(x))


def normal_sf(x: float) -> float:
    """P(Z > x) for a standard normal Z."""
    return float(special.ndtr(-x))


def normal_pdf(x: float) -> float:
    """The standard normal density at x."""
    return float(np.exp(-np.square(x) / 2.0) / _SQRT_2PI)


def normal_ppf(q: float) -> float:
    """The standard normal quantile: x with P(Z <= x) = q, for 0 < q < 1."""
    return float(special.ndtri(q))


def t_sf(x: float, dof: float) -> float:
    """P(T > x) for Student's t with `dof` degrees of freedom."""
    return float(special.stdtr(dof, -x))


def t_ppf(q: float, dof: float) -> float:
    """Student's t quantile with `dof` degrees of freedom, for 0 < q < 1."""
    return float(special.stdtrit(dof, q))


def chi2_sf(x: float, dof: float) -> float:
    """P(X > x) for chi-square X with `dof` degrees of freedom."""
    return float(special.chdtrc(dof, x))
