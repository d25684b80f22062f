"""Thompson sampling between one anchor's eligible candidates: properties and convergence."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.offers.thompson import (
    EXPLORATION_FLOOR,
    ArmCounts,
    ThompsonSettings,
    thompson_order,
    thompson_pick,
)

counts_of = st.builds(
    lambda shown, share: ArmCounts(shown, int(shown * share)),
    st.integers(0, 10_000),
    st.floats(0, 1),
)
arms = st.lists(
    st.tuples(st.text(min_size=1, max_size=8), st.booleans(), counts_of),
    max_size=12,
    unique_by=lambda arm: arm[0],
)


@given(arms=arms, max_offers=st.integers(0, 3), seed=st.integers(0, 2**32))
def test_picks_only_eligible_candidates_and_never_more_than_max_offers(
    arms: list[tuple[str, bool, ArmCounts]], max_offers: int, seed: int
) -> None:
    keys = [key for key, _, _ in arms]
    eligible = [ok for _, ok, _ in arms]
    counts = {key: found for key, _, found in arms}
    picked = thompson_pick(keys, eligible, counts, max_offers, random.Random(seed))
    allowed = {key for key, ok, _ in arms if ok}
    assert set(picked) <= allowed
    assert len(picked) == min(max_offers, len(allowed))
    assert len(set(picked)) == len(picked)


@given(arms=arms, seed=st.integers(0, 2**32))
def test_the_order_is_a_permutation_and_fixed_by_the_seed(
    arms: list[tuple[str, bool, ArmCounts]], seed: int
) -> None:
    keys = [key for key, _, _ in arms]
    counts = {key: found for key, _, found in arms}
    order = thompson_order(keys, counts, random.Random(seed))
    assert sorted(order) == list(range(len(keys)))
    assert thompson_order(keys, counts, random.Random(seed)) == order


def test_converges_toward_the_best_arm_on_a_stationary_bandit() -> None:
    planted = {"a": 0.04, "b": 0.06, "c": 0.10}
    keys = list(planted)
    rng, world = random.Random(7), random.Random(8)
    shown = dict.fromkeys(keys, 0)
    accepted = dict.fromkeys(keys, 0)
    late_best = 0
    for step in range(20_000):
        counts = {key: ArmCounts(shown[key], accepted[key]) for key in keys}
        (key,) = thompson_pick(keys, [True] * 3, counts, 1, rng)
        shown[key] += 1
        accepted[key] += world.random() < planted[key]
        late_best += step >= 15_000 and key == "c"
    assert late_best / 5_000 > 0.85
    assert min(shown.values()) > 0


def test_the_exploration_floor_keeps_a_written_off_arm_in_play() -> None:
    counts = {"good": ArmCounts(10_000, 5_000), "bad": ArmCounts(10_000, 10)}
    rng = random.Random(3)
    led = sum(thompson_order(["good", "bad"], counts, rng)[0] == 1 for _ in range(20_000))
    assert led / 20_000 == pytest.approx(EXPLORATION_FLOOR / 2, abs=0.01)
    never = ThompsonSettings(exploration=0.0)
    assert not any(thompson_order(["good", "bad"], counts, rng, never)[0] for _ in range(2_000))


def test_the_prior_leads_when_nothing_is_known() -> None:
    optimistic = ThompsonSettings(prior_accepts=50, prior_declines=50, exploration=0)
    counts = {"seen": ArmCounts(1_000, 100)}
    rng = random.Random(1)
    led = sum(thompson_order(["seen", "new"], counts, rng, optimistic)[0] == 1 for _ in range(500))
    assert led > 450


def test_bad_counts_and_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="acceptances"):
        ArmCounts(3, 4)
    with pytest.raises(ValueError, match="prior"):
        ThompsonSettings(prior_accepts=0)
    with pytest.raises(ValueError, match="exploration"):
        ThompsonSettings(exploration=1.5)
    with pytest.raises(ValueError, match="same length"):
        thompson_pick(["a"], [], {}, 1, random.Random(0))


def test_values_weigh_the_draws_toward_the_revenue_an_impression_brings() -> None:
    counts = {"cheap": ArmCounts(5_000, 400), "dear": ArmCounts(5_000, 200)}
    keys, rng, never = ["cheap", "dear"], random.Random(5), ThompsonSettings(exploration=0.0)
    by_acceptance = [thompson_order(keys, counts, rng, never)[0] for _ in range(200)]
    by_revenue = [thompson_order(keys, counts, rng, never, [500.0, 1500.0])[0] for _ in range(200)]
    assert set(by_acceptance) == {0}  # 8% beats 4%
    assert set(by_revenue) == {1}  # 4% of 15.00 beats 8% of 5.00
    picked = thompson_pick(keys, [True, False], counts, 2, rng, values=[500.0, 1500.0])
    assert picked == ["cheap"]
