"""All-pairs co-occurrence and cosine neighbours against direct counting."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest

from tactful.domain.affinity import Baskets, cooccurrence, item_neighbours, similarity
from tactful.domain.affinity.similarity import cooccurrence_table


def _lists(seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [
        [f"i{j}" for j in rng.choice(25, size=s, replace=False)] for s in rng.integers(1, 7, 200)
    ]


def test_cooccurrence_counts_every_pair_once_in_the_upper_triangle() -> None:
    lists = _lists(1)
    baskets = Baskets.from_lists(lists)
    expected = Counter(pair for b in lists for pair in combinations(sorted(set(b)), 2))
    upper = cooccurrence(baskets).tocoo()
    got = {}
    for a, b, count in zip(upper.row, upper.col, upper.data, strict=True):
        assert a < b
        got[tuple(sorted((baskets.items[a], baskets.items[b])))] = int(count)
    assert got == dict(expected)
    at_least_three = cooccurrence(baskets, min_count=3)
    assert at_least_three.nnz == sum(1 for c in expected.values() if c >= 3)


def test_neighbours_are_the_top_cosines_with_their_counts() -> None:
    lists = _lists(2)
    baskets = Baskets.from_lists(lists)
    singles = np.bincount(baskets.indices, minlength=len(baskets.items)).astype(np.float64)
    table = item_neighbours(baskets, singles, min_count=2, top=3)
    pairs = Counter(pair for b in lists for pair in combinations(sorted(set(b)), 2))
    for item, label in enumerate(baskets.items):
        cosines = {}
        for (a, b), count in pairs.items():
            if label in (a, b) and count >= 2:
                other = b if a == label else a
                j = baskets.items.index(other)
                cosines[j] = (count / np.sqrt(singles[item] * singles[j]), count)
        best = sorted(cosines.items(), key=lambda kv: (-kv[1][0], kv[0]))[:3]
        part = table.of(item)
        assert table.indices[part].tolist() == [j for j, _ in best]
        assert table.cosine[part].tolist() == pytest.approx([c for _, (c, _) in best])
        assert table.counts[part].tolist() == [n for _, (_, n) in best]


def _brute_top(
    lists: list[list[str]],
    labels: list[str],
    weights: np.ndarray | None,
    min_count: float,
    top: int,
) -> list[list[tuple[int, float, float]]]:
    """Top neighbours from a dense co-occurrence table, ranked by float32 cosine then index."""
    n = len(labels)
    dense = np.zeros((len(lists), n))
    for b, basket in enumerate(lists):
        dense[b, [labels.index(x) for x in set(basket)]] = 1.0
    w = np.ones(len(lists)) if weights is None else weights
    table = (dense * w[:, None]).T @ dense
    singles = np.diag(table).copy()
    result = []
    for i in range(n):
        found = [
            (j, float(table[i, j] / np.sqrt(singles[i] * singles[j])), float(table[i, j]))
            for j in range(n)
            if j != i and table[i, j] >= min_count
        ]
        found.sort(key=lambda t: (-np.float32(t[1]), t[0]))
        result.append(found[:top])
    return result


@pytest.mark.parametrize(
    ("seed", "min_count", "top", "weighted", "spare_items"),
    [
        (3, 1, 5, False, 0),
        (4, 2, 2, False, 0),
        (5, 1, 40, False, 0),
        (6, 0.5, 4, True, 0),
        (7, 1, 3, False, 70_000),
    ],
)
def test_neighbours_match_a_brute_force_top_n(
    seed: int, min_count: float, top: int, weighted: bool, spare_items: int
) -> None:
    lists = _lists(seed)
    lists += lists[:60]  # repeated baskets give exact cosine ties, broken by item index
    labels = sorted({x for b in lists for x in b})
    spare = [f"unused{k}" for k in range(spare_items)]  # too many items to pack keys in 64 bits
    plain = Baskets.from_lists(lists, items=labels + spare)
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.1, 1.0, len(lists)) if weighted else None
    baskets = replace(plain, weights=weights)
    per_entry = None if weights is None else np.repeat(weights, baskets.sizes)
    singles = np.bincount(baskets.indices, weights=per_entry, minlength=len(baskets.items))
    table = item_neighbours(baskets, singles.astype(np.float64), min_count=min_count, top=top)
    expected = _brute_top(lists, labels, weights, min_count, top)
    for item in range(len(labels)):
        part = table.of(item)
        assert table.indices[part].tolist() == [j for j, _, _ in expected[item]]
        assert table.cosine[part].tolist() == pytest.approx([c for _, c, _ in expected[item]])
        assert table.counts[part].tolist() == pytest.approx([n for _, _, n in expected[item]])
    assert table.indptr[-1] == sum(len(e) for e in expected)


def test_parallel_blocks_sum_to_the_single_product(monkeypatch: pytest.MonkeyPatch) -> None:
    baskets = Baskets.from_lists(_lists(8) * 5)
    single = cooccurrence_table(baskets).toarray()
    monkeypatch.setattr(similarity, "PARALLEL_MIN_ENTRIES", 0)
    monkeypatch.setattr(similarity, "MAX_THREADS", 3)
    monkeypatch.setattr(similarity.os, "sched_getaffinity", lambda _: {0, 1, 2})
    assert np.array_equal(cooccurrence_table(baskets).toarray(), single)
    dense = baskets.matrix().toarray()
    assert np.array_equal(single, dense.T @ dense)
