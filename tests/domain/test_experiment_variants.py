"""Experiment assignment: sticky per customer, every customer in exactly one arm, arms sized by
their weights; bad definitions name the field."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.experiments import Experiment, ExperimentError, Variant, check_variants

STARTED = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def weight_splits(draw: st.DrawFn) -> list[int]:
    """Two to four whole-percent weights, each at least 10, summing to 100."""
    arms = draw(st.integers(2, 4))
    cuts = sorted(draw(st.lists(st.integers(1, 9), min_size=arms - 1, max_size=arms - 1)))
    bounds = [0, *(c * 10 for c in cuts), 100]
    weights = [b - a for a, b in itertools.pairwise(bounds)]
    return weights if all(w > 0 for w in weights) else [50, 50]


def experiment(weights: list[int], experiment_id: str = "exp_test") -> Experiment:
    variants = tuple(Variant(f"v{i}", w) for i, w in enumerate(weights))
    return Experiment(experiment_id, "test", check_variants(variants), "running", STARTED)


@settings(max_examples=40, deadline=None)
@given(weights=weight_splits(), salt=st.text(min_size=1, max_size=12))
def test_arms_are_sticky_and_sized_by_their_weights(weights: list[int], salt: str) -> None:
    found = experiment(weights, f"exp_{salt}")
    customers = [f"cus_{n}" for n in range(3000)]
    arms = [found.variant_of(c).name for c in customers]
    assert arms == [found.variant_of(c).name for c in customers]  # sticky
    for index, weight in enumerate(weights):
        share = arms.count(f"v{index}") / len(customers)
        assert share == pytest.approx(weight / 100, abs=0.05)


def test_experiments_split_independently() -> None:
    first, second = experiment([50, 50], "exp_a"), experiment([50, 50], "exp_b")
    customers = [f"cus_{n}" for n in range(2000)]
    same = sum(first.variant_of(c).name == second.variant_of(c).name for c in customers)
    assert same / len(customers) == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize(
    ("variants", "field"),
    [
        ([Variant("control", 100)], "variants"),
        ([Variant("a", 50), Variant("a", 50)], "variants"),
        ([Variant("a", 40), Variant("b", 40)], "variants"),
        ([Variant("a", 0), Variant("b", 100)], "variants[0].weight"),
        ([Variant("a", 50), Variant("b", 50, max_offers=3)], "variants[1].max_offers"),
    ],
)
def test_bad_definitions_name_the_field(variants: list[Variant], field: str) -> None:
    with pytest.raises(ExperimentError) as raised:
        check_variants(variants)
    assert raised.value.field == field
