"""Invariants of mined rules, checked on generated baskets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, derive_rules

ITEMS = [f"sku{i}" for i in range(8)]
baskets_strategy = st.lists(
    st.lists(st.sampled_from(ITEMS), min_size=1, max_size=6), min_size=1, max_size=40
)
CONFIG = MiningConfig(min_support=0.05, min_confidence=0.05, max_len=3)


def _rules(baskets: list[list[str]], items: list[str] | None = None) -> dict:
    built = Baskets.from_lists(baskets, items=items)
    return {
        (frozenset(r.antecedent), r.consequent): r
        for r in derive_rules(count_itemsets(built, CONFIG), CONFIG)
    }


@settings(max_examples=60, deadline=None)
@given(baskets_strategy)
def test_confidence_at_most_one_and_counts_consistent(baskets: list[list[str]]) -> None:
    for rule in _rules(baskets).values():
        assert 0 < rule.confidence <= 1
        assert rule.count <= min(rule.antecedent_count, rule.consequent_count)
        assert rule.antecedent_count <= rule.n_baskets
        assert rule.support == rule.count / rule.n_baskets


@settings(max_examples=60, deadline=None)
@given(baskets_strategy)
def test_support_never_grows_when_an_item_is_added(baskets: list[list[str]]) -> None:
    built = Baskets.from_lists(baskets)
    itemsets = count_itemsets(built, CONFIG)
    singles = itemsets.item_counts
    pairs, pair_counts = itemsets.level(2)
    triples, triple_counts = itemsets.level(3)
    for (a, b), count in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
        assert count <= min(singles[a], singles[b])
    pair_count = {tuple(p): c for p, c in zip(pairs.tolist(), pair_counts.tolist(), strict=True)}
    for (a, b, c), count in zip(triples.tolist(), triple_counts.tolist(), strict=True):
        assert count <= min(pair_count[(a, b)], pair_count[(a, c)], pair_count[(b, c)])


@settings(max_examples=60, deadline=None)
@given(baskets_strategy)
def test_lift_of_a_pair_is_symmetric(baskets: list[list[str]]) -> None:
    rules = _rules(baskets)
    for (antecedent, consequent), rule in rules.items():
        if len(antecedent) == 1:
            (other,) = antecedent
            reverse = rules.get((frozenset([consequent]), other))
            if reverse is not None:
                assert abs(rule.lift - reverse.lift) <= 1e-12 * rule.lift


@settings(max_examples=40, deadline=None)
@given(baskets_strategy, st.randoms(use_true_random=False))
def test_rules_do_not_depend_on_item_or_basket_order(baskets: list[list[str]], rnd) -> None:
    items = list(ITEMS)
    rnd.shuffle(items)
    shuffled = [list(reversed(b)) for b in baskets]
    rnd.shuffle(shuffled)
    first, second = _rules(baskets), _rules(shuffled, items=items)
    assert set(first) == set(second)
    for key, rule in first.items():
        other = second[key]
        assert (rule.count, rule.antecedent_count, rule.consequent_count) == (
            other.count,
            other.antecedent_count,
            other.consequent_count,
        )
        assert abs(rule.lift - other.lift) <= 1e-12 * rule.lift
