"""Rule pruning keeps exactly the rules the engine can use: top-k by its ranking, lift floor."""

from __future__ import annotations

from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, derive_rules
from tactful.domain.affinity.rules import Rule

ITEMS = "abcdefgh"
baskets_strategy = st.lists(
    st.lists(st.sampled_from(ITEMS), min_size=1, max_size=6, unique=True),
    min_size=1,
    max_size=60,
)


def _expected(every: list[Rule], top_k: int | None, min_lift: float) -> list[Rule]:
    """The unpruned rules (best first) above the floor, the first `top_k` of each antecedent."""
    lifted = [rule for rule in every if rule.lift > min_lift]
    by_antecedent = sorted(lifted, key=lambda rule: rule.antecedent)
    kept = []
    for _antecedent, group in groupby(by_antecedent, key=lambda rule: rule.antecedent):
        kept.extend(list(group)[:top_k])
    return sorted(kept, key=lifted.index)


@settings(max_examples=120, deadline=None)
@given(
    baskets=baskets_strategy,
    top_k=st.one_of(st.none(), st.integers(1, 4)),
    min_lift=st.sampled_from([0.0, 0.5, 1.0, 1.5]),
    max_len=st.integers(2, 4),
)
def test_pruning_keeps_exactly_the_top_k_above_the_lift_floor(
    baskets: list[list[str]], top_k: int | None, min_lift: float, max_len: int
) -> None:
    thresholds = {"min_support": 0.05, "min_confidence": 0.05, "max_len": max_len}
    every_rule = MiningConfig(**thresholds, top_k=None, min_lift=0.0)
    pruned = MiningConfig(**thresholds, top_k=top_k, min_lift=min_lift)
    data = Baskets.from_lists(baskets)
    every = derive_rules(count_itemsets(data, every_rule), every_rule)
    got = derive_rules(count_itemsets(data, pruned), pruned)
    assert got == _expected(every, top_k, min_lift)


def test_defaults_keep_twenty_consequents_above_lift_one() -> None:
    config = MiningConfig()
    assert (config.top_k, config.min_lift) == (20, 1.0)


def test_a_lift_floor_and_top_k_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="top_k"):
        MiningConfig(top_k=0)
    with pytest.raises(ValueError, match="min_lift"):
        MiningConfig(min_lift=-1.0)
