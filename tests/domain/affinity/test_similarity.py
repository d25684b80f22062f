"""All-pairs co-occurrence and cosine neighbours against direct counting."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from tactful.domain.affinity import Baskets, cooccurrence, item_neighbours


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
