"""Customer windows, the basket-size cap and recency weights."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tactful.domain.affinity import (
    Baskets,
    MiningConfig,
    cap_baskets,
    count_itemsets,
    customer_baskets,
    prepare_baskets,
    recency_weights,
)


def _timed(lists: list[list[str]], customers: list[int], days: list[int]) -> Baskets:
    plain = Baskets.from_lists(lists)
    times = np.datetime64("2024-01-01T00:00:00") + np.array(days) * np.timedelta64(1, "D")
    return replace(plain, customers=np.array(customers), times=times.astype("datetime64[s]"))


def test_customer_windows_are_anchored_at_the_first_order() -> None:
    orders = _timed(
        [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]],
        customers=[7, 7, 7, 8, -1, -1],
        days=[0, 89, 90, 5, 1, 1],
    )
    grouped = customer_baskets(orders, window_days=90)
    contents = sorted(sorted(grouped.basket(b)) for b in range(grouped.n_baskets))
    assert contents == [["a", "b"], ["c"], ["d"], ["e"], ["f"]]
    merged = next(b for b in range(grouped.n_baskets) if sorted(grouped.basket(b)) == ["a", "b"])
    assert grouped.times is not None
    assert grouped.customers is not None
    assert grouped.times[merged] == np.datetime64("2024-03-30T00:00:00")
    assert grouped.customers[merged] == 7


def test_customer_level_counts_what_a_customer_went_on_to_buy() -> None:
    orders = _timed([["a"], ["b"], ["a"], ["b"]], customers=[1, 1, 2, 2], days=[0, 10, 0, 10])
    config = MiningConfig(min_support=0.5, level="customer")  # type: ignore[arg-type]
    itemsets = count_itemsets(prepare_baskets(orders, config).baskets, config)
    assert itemsets.n_baskets == 2
    assert itemsets.pairs.tolist() == [[0, 1]]
    assert itemsets.level(2)[1].tolist() == [2.0]


def test_oversized_baskets_keep_their_most_popular_items() -> None:
    lists = [["a", "b", "c", "d"], ["a", "b"], ["a", "c"], ["a"]]
    capped, count = cap_baskets(Baskets.from_lists(lists), max_size=2)
    assert count == 1
    assert capped.basket(0) == ["a", "b"]
    assert [capped.basket(b) for b in range(1, 4)] == [["a", "b"], ["a", "c"], ["a"]]


def test_cap_is_reported_and_no_basket_exceeds_it() -> None:
    rng = np.random.default_rng(0)
    lists = [[f"i{j}" for j in rng.choice(300, size=s, replace=False)] for s in [250, 5, 3, 120]]
    prepared = prepare_baskets(Baskets.from_lists(lists), MiningConfig(max_basket_size=100))
    assert prepared.capped == 2
    assert prepared.baskets.sizes.max() == 100


def test_recency_weight_halves_every_half_life() -> None:
    orders = _timed([["a"], ["a"], ["a"]], customers=[1, 2, 3], days=[0, 30, 60])
    assert recency_weights(orders, 30).tolist() == pytest.approx([0.25, 0.5, 1.0])


def test_weighted_counts_are_sums_of_weights() -> None:
    lists = [["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["c"]]
    weights = np.array([0.5, 0.25, 1.0, 2.0])
    baskets = replace(Baskets.from_lists(lists), weights=weights)
    itemsets = count_itemsets(baskets, MiningConfig(min_support=0.1, max_len=3))
    assert itemsets.n_baskets == pytest.approx(3.75)
    assert itemsets.item_counts.tolist() == pytest.approx([1.75, 1.75, 2.75])
    assert dict(zip(map(tuple, itemsets.pairs.tolist()), itemsets.level(2)[1], strict=True)) == (
        pytest.approx({(0, 1): 1.75, (0, 2): 0.75, (1, 2): 0.75})
    )
    assert itemsets.level(3)[1].tolist() == pytest.approx([0.75])


def test_unit_weights_give_the_unweighted_result() -> None:
    rng = np.random.default_rng(3)
    lists = [
        [f"i{j}" for j in rng.choice(20, size=s, replace=False)] for s in rng.integers(1, 8, 300)
    ]
    plain = Baskets.from_lists(lists)
    config = MiningConfig(min_support=0.02, max_len=4)
    unweighted = count_itemsets(plain, config)
    weighted = count_itemsets(replace(plain, weights=np.ones(plain.n_baskets)), config)
    assert weighted.weighted
    assert not unweighted.weighted
    assert weighted.same_as(unweighted)
    assert sum(level.shape[0] for level in unweighted.levels) > 50
