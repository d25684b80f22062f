"""The same inputs through gbstats (GrowthBook's engine) and ours agree to 3 significant figures.

The gbstats on the lock (0.2.x; later ones need pandas < 2) has the Bayesian engine and the SRM
check, not the frequentist one: those are compared here, and Welch against scipy
(test_statistics.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gbstats.bayesian.main import gaussian_ab_test
from gbstats.gbstats import check_srm

from tactful.domain.measurement import SampleStats, bayesian_view, srm_p_value

RNG = np.random.default_rng(7)
CASES = [
    (RNG.gamma(2, 1000, size=2_000), RNG.gamma(2, 1000, size=200)),
    (RNG.gamma(2, 1060, size=5_000), RNG.gamma(2, 1000, size=260)),
    (RNG.normal(500, 90, size=800), RNG.normal(510, 100, size=800)),
]


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


@pytest.mark.parametrize(("treated", "control"), CASES)
def test_chance_to_beat_control_and_uplift_interval_agree(
    treated: np.ndarray, control: np.ndarray
) -> None:
    ours = bayesian_view(SampleStats.of(treated), SampleStats.of(control))
    assert ours is not None
    theirs = gaussian_ab_test(
        control.mean(),
        control.std(ddof=1),
        control.size,
        treated.mean(),
        treated.std(ddof=1),
        treated.size,
    )
    assert sig3(ours.chance_to_beat_control) == sig3(float(theirs["chance_to_win"]))
    assert sig3(ours.expected_uplift) == sig3(float(theirs["expected"]))
    assert sig3(ours.ci_low) == sig3(theirs["ci"][0])
    assert sig3(ours.ci_high) == sig3(theirs["ci"][1])


@pytest.mark.parametrize(
    ("users", "weights"),
    [([9_400, 600], [0.95, 0.05]), ([510, 490], [0.5, 0.5]), ([9_000, 1_000], [0.95, 0.05])],
)
def test_srm_agrees(users: list[int], weights: list[float]) -> None:
    ours, theirs = srm_p_value(users, weights), float(check_srm(users, weights))
    assert math.isclose(ours, theirs, rel_tol=1e-3) or sig3(ours) == sig3(theirs)
