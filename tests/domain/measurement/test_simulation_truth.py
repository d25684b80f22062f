"""The statistics recover what the simulator plants, over many fixed seeds (deterministic)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.experiments import assign
from tactful.domain.measurement import OverviewSettings, overview
from tactful.domain.measurement.simulation import (
    OfferItem,
    SimCustomer,
    SimulationPlan,
    Traffic,
    simulate,
)
from tactful.domain.measurement.simulation_records import decision_id_prefix, is_simulated

OFFERS = (OfferItem("cross_sell", "A", 500), OfferItem("upsell", "B", 2500))
SETTINGS = OverviewSettings(holdout_share=0.2)


def traffic(seed: int, uplift: float, count: int = 600, days: int = 14) -> Traffic:
    rng = np.random.default_rng(seed)
    people = [
        SimCustomer(f"c{i}", float(r), float(v))
        for i, (r, v) in enumerate(
            zip(rng.gamma(1, 0.02, count), rng.lognormal(8, 0.5, count), strict=True)
        )
    ]
    plan = SimulationPlan(datetime(2026, 1, 1, tzinfo=UTC), days, uplift, seed, OFFERS)
    return simulate(people, plan, lambda c: assign(c, f"s{seed}", 0.2))


def test_the_interval_covers_the_planted_revenue_about_95_percent_of_the_time() -> None:
    runs, covered = 300, 0
    for seed in range(runs):
        drawn = traffic(seed, 0.1)
        found = overview(drawn.outcomes(), SETTINGS)
        assert found.incremental is not None
        covered += found.incremental[1] <= drawn.true_incremental_revenue <= found.incremental[2]
    assert 0.91 <= covered / runs <= 0.99


def test_aa_runs_rarely_call_a_difference_and_peeking_with_msprt_stays_safe() -> None:
    fixed = peeked = 0
    for seed in range(200):
        drawn = traffic(1_000 + seed, 0.0)
        found = overview(drawn.outcomes(), SETTINGS)
        assert found.cuped is not None
        fixed += found.cuped.lift.p_value < 0.05
        if seed < 60:
            looks = [overview(drawn.outcomes(until_day=d), SETTINGS) for d in range(1, 15)]
            peeked += any(o.sequential is not None and o.sequential.significant for o in looks)
    assert fixed / 200 <= 0.08
    assert peeked / 60 <= 0.05


def test_the_truth_is_uplift_times_expected_net_spend_when_nothing_caps_it() -> None:
    drawn = traffic(3, 0.05)
    plan = drawn.plan
    treated = [c for c, held in zip(drawn.customers, drawn.held_out, strict=True) if not held]
    spend = sum(c.daily_rate * plan.days * c.order_value for c in treated)
    assert drawn.true_incremental_revenue == pytest.approx(
        0.05 * spend * (1 - plan.refund_share), rel=1e-9
    )
    assert drawn.outcomes(until_day=0.0).held_out.size == 0


@given(seed=st.integers(min_value=0, max_value=2**31), rest=st.text(max_size=20))
def test_ids_a_simulation_writes_are_told_from_asked_decisions(seed: int, rest: str) -> None:
    assert is_simulated(decision_id_prefix(seed) + rest)
    assert not is_simulated(f"dec_{rest}")
    assert not is_simulated(f"simulated-{rest}")
