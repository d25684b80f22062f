"""The mined model: lookups, upgrade steps, summary, public API."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

import tactful.domain.affinity as affinity
from tactful.domain.affinity import Baskets, MiningConfig, mine
from tactful.domain.catalog import Product, Sku, Tier
from tactful.domain.money import Money


def _orders() -> Baskets:
    lists = [["tent", "stove"], ["tent", "stove", "lamp"], ["tent", "lamp"], ["basic"], ["pro"]]
    lists += [["stove", "gas"], ["stove", "gas"], ["basic"], ["pro"], ["tent", "stove"]]
    plain = Baskets.from_lists(lists)
    days = np.array([0, 1, 2, 3, 40, 5, 6, 7, 8, 9])
    times = (np.datetime64("2024-05-01T00:00:00") + days * np.timedelta64(1, "D")).astype(
        "datetime64[s]"
    )
    customers = np.array([1, 2, 3, 4, 4, 5, 6, 7, 7, 8])
    return replace(plain, customers=customers, times=times)


def _plan(sku: str, rank: int) -> Product:
    return Product(Sku(sku), sku, Money(1000 * rank, "EUR"), tier=Tier("plans", rank))


def test_model_lookups_agree_with_its_rules_and_counts() -> None:
    model = mine(_orders(), MiningConfig(min_support=0.1, min_confidence=0.3, min_cooccurrence=1))
    rules = model.rules_for("tent")
    assert rules
    assert all(r.antecedent == ("tent",) for r in rules)
    assert [r.confidence for r in rules] == sorted((r.confidence for r in rules), reverse=True)
    assert rules[0].consequent == "stove"
    assert rules[0].confidence == 0.75
    assert model.item_count("tent") == 4
    assert model.item_count("unknown") == 0
    assert model.pair_count("tent", "stove") == model.pair_count("stove", "tent") == 3
    assert model.pair_count("gas", "tent") == 0
    neighbours = {sku: (cos, n) for sku, cos, n in model.neighbours("stove")}
    assert neighbours["gas"] == (2 / np.sqrt(5 * 2), 2)
    assert model.rules_for("lamp", "tent") == model.rules_for("tent", "lamp")


def test_upgrade_steps_come_from_the_ladder_and_count_climbers() -> None:
    products = [_plan("basic", 1), _plan("pro", 2), _plan("max", 3)]
    model = mine(_orders(), MiningConfig(min_support=0.1), products=products)
    steps = {(s.from_sku, s.to_sku): s.customers for s in model.upgrades}
    assert steps == {("basic", "pro"): 2, ("pro", "max"): 0}
    assert [s.to_sku for s in model.upgrades_for("basic")] == ["pro"]


def test_summary_reports_window_capping_and_phases() -> None:
    model = mine(_orders(), MiningConfig(min_support=0.1, max_basket_size=2))
    summary = model.summary
    assert summary.n_baskets == summary.n_orders == 10
    assert summary.baskets_capped == 1
    assert summary.window_start is not None
    assert summary.window_start.day == 1
    assert summary.window_end is not None
    assert summary.window_end.month == 6
    assert set(summary.timings) == {"prepare", "itemsets", "rules", "similarity", "upgrades"}
    assert summary.n_rules == len(model.rules)


def test_public_names_are_exported() -> None:
    exported = {name for name in dir(affinity) if not name.startswith("_")}
    assert set(affinity.__all__) <= exported
    assert {"mine", "MiningConfig", "MiningEngine", "LocalEngine", "count_itemsets"} <= set(
        affinity.__all__
    )


def test_mine_shares_one_cooccurrence_table_without_changing_counts() -> None:
    rng = np.random.default_rng(3)
    lists = [[f"i{j}" for j in rng.choice(30, size=int(rng.integers(1, 9)))] for _ in range(500)]
    baskets = Baskets.from_lists(lists)
    for config in (MiningConfig(min_support=0.02), MiningConfig(min_support=0.01, max_len=4)):
        model = mine(baskets, config)
        assert model.itemsets.same_as(affinity.count_itemsets(baskets, config))
        assert len(model.itemsets.levels) == config.max_len - 1
