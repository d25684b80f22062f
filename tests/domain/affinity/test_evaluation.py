"""The evaluation protocol: seeded splits, one hidden item per basket, exact metrics."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tactful.domain.affinity import Baskets
from tactful.domain.affinity.evaluation import Split, evaluate, hide_one, subset
from tactful.domain.affinity.ranking import Ranking


def _pairs(n: int = 400) -> Baskets:
    rng = np.random.default_rng(1)
    baskets = [[f"a{i % 10}", f"b{i % 10}"] for i in range(n)]
    base = Baskets.from_lists(baskets)
    times = np.datetime64("2024-01-01") + rng.integers(0, 100, n).astype("timedelta64[D]")
    return replace(base, times=times.astype("datetime64[s]"), prices=np.full(20, 100))


def test_split_parsing_names_the_problem() -> None:
    assert Split.parse("random:0.8").share == 0.8
    assert str(Split.parse("time:2011-11-01").at) == "2011-11-01"
    for bad in ("random:1.5", "random:x", "time:2011-13-01", "later:1"):
        with pytest.raises(ValueError, match="split"):
            Split.parse(bad)


def test_random_split_and_hiding_are_deterministic_by_seed() -> None:
    baskets = _pairs()
    split = Split.parse("random:0.8")
    first, again = split.train_mask(baskets, 3), split.train_mask(baskets, 3)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, split.train_mask(baskets, 4))
    assert 0.7 < first.mean() < 0.9
    test = subset(baskets, ~first)
    a, b = hide_one(test, 3), hide_one(test, 3)
    assert np.array_equal(a.hidden, b.hidden)
    assert a.carts.shape[0] == test.n_baskets  # every basket has two items
    assert (np.diff(a.carts.indptr) == 1).all()


def test_time_split_puts_later_baskets_in_test() -> None:
    baskets = _pairs()
    mask = Split.parse("time:2024-02-15").train_mask(baskets, 0)
    assert baskets.times is not None
    assert (baskets.times[mask] < np.datetime64("2024-02-15")).all()
    assert (baskets.times[~mask] >= np.datetime64("2024-02-15")).all()


def test_perfect_pairs_give_full_hit_rates() -> None:
    result = evaluate(_pairs(), Split.parse("random:0.75"), seed=0, ks=(1, 2))
    by_name = {m.ranking: m for m in result.results}
    for name in (Ranking.TACTFUL, Ranking.CONFIDENCE, Ranking.COSINE):
        assert by_name[name].hit_rates == {1: 1.0, 2: 1.0}
        assert by_name[name].revenue_hr2 == 1.0
        assert by_name[name].coverage == 1.0
    popular = by_name[Ranking.POPULARITY]
    assert popular.hit_rates[1] < 0.5
    assert popular.coverage < 0.2
    assert result.best_baseline().ranking in {Ranking.CONFIDENCE, Ranking.COSINE}


def test_bad_k_is_refused() -> None:
    with pytest.raises(ValueError, match="k"):
        evaluate(_pairs(), Split.parse("random:0.8"), ks=(0,))


def test_hide_each_hides_every_item_once_and_tune_picks_from_the_grid() -> None:
    from tactful.domain.affinity.evaluation import RIDGES, hide_each, tune

    baskets = Baskets.from_lists([["a", "b", "c"], ["a", "b"], ["c"]])
    holdout = hide_each(baskets, seed=0)
    assert sorted(holdout.hidden.tolist()) == [0, 0, 1, 1, 2]
    assert (np.diff(holdout.carts.indptr) == [2, 2, 2, 1, 1]).all()
    assert not holdout.carts[np.arange(5), holdout.hidden].any()
    assert tune(_pairs(), seed=0).ridge in RIDGES
