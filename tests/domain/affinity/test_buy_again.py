"""The buy-again rule: more orders rank higher, recency and the prior only order the rest, and
the evaluation's vectorised email ranking is this same rule on random histories."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity.buy_again import Bought, history, ranked, recency_weight, scores
from tactful.domain.affinity.next_purchase import (
    MatrixPrior,
    NextPurchaseSplit,
    cases,
    chunk_scores,
    statistics,
)
from tests.domain.affinity.test_next_purchase import orders


class DictPrior:
    """A prior from literal neighbours and popularity shares."""

    def __init__(self, near: dict[str, list[tuple[str, float]]], popular: dict[str, float]) -> None:
        self.near, self.popular = near, popular

    def similar(self, item: str) -> Iterable[tuple[str, float]]:
        return self.near.get(item, [])

    def popularity(self, item: str) -> float:
        return self.popular.get(item, 0.0)


ITEMS = "abcdefgh"
histories = st.lists(
    st.tuples(st.floats(0, 2000), st.sets(st.sampled_from(ITEMS), min_size=1)),
    min_size=1,
    max_size=12,
)
priors = st.builds(
    DictPrior,
    st.dictionaries(
        st.sampled_from(ITEMS),
        st.lists(st.tuples(st.sampled_from(ITEMS), st.floats(0, 1)), max_size=4),
    ),
    st.dictionaries(st.sampled_from(ITEMS), st.floats(0, 1)),
)


@settings(max_examples=200, deadline=None)
@given(histories, priors)
def test_an_item_in_more_orders_ranks_above_one_in_fewer(
    past: list[tuple[float, set[str]]], prior: DictPrior
) -> None:
    bought = history(past)
    scored = scores(bought, prior)
    for item, own in bought.items():
        for other, theirs in bought.items():
            if own.orders > theirs.orders:
                assert scored[item] > scored[other]
        for other in scored.keys() - bought.keys():
            assert scored[item] > scored[other]  # anything bought beats any complement


def test_recency_orders_items_bought_equally_often() -> None:
    bought = history([(400.0, {"old"}), (3.0, {"new"}), (200.0, {"both"}), (1.0, {"both"})])
    assert bought["both"] == Bought(2, recency_weight(200.0) + recency_weight(1.0))
    assert ranked(scores(bought, DictPrior({}, {}))) == ["both", "new", "old"]


def test_complements_and_staples_fill_after_the_history() -> None:
    prior = DictPrior({"milk": [("cereal", 0.4), ("bread", 0.1)]}, {"bread": 1.0, "tea": 0.2})
    scored = scores(history([(10.0, {"milk"})]), prior, staples=["bread", "tea"])
    assert ranked(scored) == ["milk", "bread", "cereal", "tea"]
    assert "unknown" not in scores(history([(1.0, {"milk"})]), prior, staples=["unknown"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdef"),
            st.integers(0, 900),
            st.sets(st.sampled_from("pqrstuvwxyz"), min_size=1, max_size=5),
        ),
        min_size=2,
        max_size=40,
    )
)
def test_the_evaluation_ranks_with_the_same_rule(rows: list[tuple[str, int, set[str]]]) -> None:
    baskets = orders([(c, d, sorted(items)) for c, d, items in sorted(rows, key=lambda r: r[1])])
    found = cases(baskets, NextPurchaseSplit())
    if found.targets.size == 0:
        return
    stats = statistics(baskets, found)
    vectorised = chunk_scores(stats, slice(0, found.targets.size), ["email"])["email"]
    prior = MatrixPrior(stats.cosine, stats.popularity)
    staples = np.argsort(-stats.popularity, kind="stable").tolist()
    matrix = baskets.matrix()
    for customer in range(found.targets.size):
        mine = found.history_owner == customer
        past = [
            (age, matrix[row].indices.tolist())
            for row, age in zip(found.history_rows[mine], found.history_age_days[mine], strict=True)
        ]
        scored = scores(history(past), prior, staples)
        row = vectorised[customer]
        assert set(scored) == set(np.flatnonzero(np.isfinite(row)).tolist())
        for item, value in scored.items():
            assert value == pytest.approx(row[item], rel=1e-9, abs=1e-12)
