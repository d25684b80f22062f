"""tactful's rules against the textbook Groceries result, pyfim and mlxtend."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, derive_rules

from .reference import brute_rules

# The reference tools derive every rule: no top-k, no lift floor.
EVERY_RULE = {"top_k": None, "min_lift": 0.0}

GROCERIES = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "groceries_arules" / "groceries.csv"
)


@pytest.fixture(scope="module")
def groceries() -> list[list[str]]:
    """The R arules Groceries baskets, item labels exactly as written (spaces kept)."""
    if not GROCERIES.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {GROCERIES} is missing")
        pytest.skip(f"shared data absent: {GROCERIES} not found")
    with GROCERIES.open(newline="") as handle:
        return list(csv.reader(handle))


def _key(
    antecedent: tuple[str, ...] | frozenset[str], consequent: str
) -> tuple[frozenset[str], str]:
    return frozenset(antecedent), consequent


def test_groceries_gives_the_463_textbook_rules_with_pyfim_values(
    groceries: list[list[str]],
) -> None:
    fim = pytest.importorskip("fim")
    config = MiningConfig(
        min_support=0.006, min_confidence=0.25, min_len=2, max_len=6, **EVERY_RULE
    )
    rules = derive_rules(count_itemsets(Baskets.from_lists(groceries), config), config)
    reference = fim.arules(groceries, supp=0.6, conf=25, zmin=2, mode="o", report="scl")
    assert len(rules) == 463
    expected = {_key(body, head): (s, c, lift) for head, body, s, c, lift in reference}
    assert set(expected) == {_key(r.antecedent, r.consequent) for r in rules}
    for rule in rules:
        support, confidence, lift = expected[_key(rule.antecedent, rule.consequent)]
        assert rule.support == pytest.approx(support, abs=1e-9)
        assert rule.confidence == pytest.approx(confidence, abs=1e-9)
        assert rule.lift == pytest.approx(lift, abs=1e-9)
        assert rule.count == round(rule.support * rule.n_baskets)


def _random_baskets(seed: int, n: int = 400, n_items: int = 30) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    popularity = rng.dirichlet(np.full(n_items, 0.5))
    sizes = rng.integers(1, 9, size=n)
    return [
        [f"i{j:02d}" for j in rng.choice(n_items, size=s, replace=False, p=popularity)]
        for s in sizes
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rules_match_mlxtend_fpgrowth_and_association_rules(seed: int) -> None:
    pd = pytest.importorskip("pandas")
    patterns = pytest.importorskip("mlxtend.frequent_patterns")
    baskets = _random_baskets(seed)
    items = sorted({i for b in baskets for i in b})
    frame = pd.DataFrame([[i in set(b) for i in items] for b in baskets], columns=items)
    frequent = patterns.fpgrowth(frame, min_support=0.02, use_colnames=True, max_len=3)
    table = patterns.association_rules(frequent, len(baskets), min_threshold=0.2)
    table = table[table["consequents"].map(len) == 1]
    expected = {
        _key(row.antecedents, next(iter(row.consequents))): (row.support, row.confidence, row.lift)
        for row in table.itertuples()
    }
    config = MiningConfig(min_support=0.02, min_confidence=0.2, max_len=3, **EVERY_RULE)
    itemsets = count_itemsets(Baskets.from_lists(baskets), config)
    rules = derive_rules(itemsets, config)
    assert itemsets.n_itemsets(0.02) == len(frequent)
    assert {_key(r.antecedent, r.consequent) for r in rules} == set(expected)
    for rule in rules:
        values = expected[_key(rule.antecedent, rule.consequent)]
        assert (rule.support, rule.confidence, rule.lift) == pytest.approx(values, abs=1e-9)


@pytest.mark.parametrize(("seed", "max_len"), [(4, 2), (5, 3), (6, 4)])
def test_rules_match_brute_force_enumeration(seed: int, max_len: int) -> None:
    baskets = _random_baskets(seed, n=250, n_items=15)
    config = MiningConfig(min_support=0.03, min_confidence=0.1, max_len=max_len, **EVERY_RULE)
    rules = derive_rules(count_itemsets(Baskets.from_lists(baskets), config), config)
    expected = brute_rules(baskets, 0.03, 0.1, max_len)
    got = {
        _key(r.antecedent, r.consequent): (r.support, r.confidence, r.lift, r.count) for r in rules
    }
    assert set(got) == set(expected)
    for key, values in got.items():
        assert values == pytest.approx(expected[key], abs=1e-12)


def test_itemsets_match_pyfim_on_random_data() -> None:
    fim = pytest.importorskip("fim")
    baskets = _random_baskets(7, n=600, n_items=40)
    config = MiningConfig(min_support=0.01, max_len=3)
    itemsets = count_itemsets(Baskets.from_lists(baskets), config)
    reference = fim.fpgrowth(baskets, target="s", supp=1, zmin=1, zmax=3, report="a")
    got = {frozenset([itemsets.items[i]]) for i in itemsets.frequent_items(0.01)}
    counts = {}
    for k in (2, 3):
        sets, level_counts = itemsets.level(k)
        for row, count in zip(sets.tolist(), level_counts.tolist(), strict=True):
            counts[frozenset(itemsets.items[i] for i in row)] = count
    got |= set(counts)
    assert got == {frozenset(s) for s, _ in reference}
    for itemset, count in reference:
        if len(itemset) > 1:
            assert counts[frozenset(itemset)] == count
