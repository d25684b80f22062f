"""The local engine: exact frequent-itemset counts with sparse products and bitsets.

Single items are a weighted bincount; pairs are the upper triangle of XᵀWX over the frequent
items; each larger level joins the previous level's itemsets that share all but their last
item (Apriori), prunes candidates with an infrequent subset, and counts the survivors as
popcounts of AND-ed per-item basket bitsets. Nothing loops over baskets or itemsets in Python.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.bitsets import count_extensions, item_bitsets, weighted_extensions
from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.itemsets import FloatArray, FrequentItemsets, IntArray


class LocalEngine:
    """Counts itemsets in this process with NumPy and SciPy."""

    def frequent_itemsets(self, baskets: Baskets, config: MiningConfig) -> FrequentItemsets:
        """Count the frequent itemsets of `baskets` (see `count_itemsets`)."""
        return count_itemsets(baskets, config)


def count_itemsets(
    baskets: Baskets, config: MiningConfig, *, table: sp.csr_matrix | None = None
) -> FrequentItemsets:
    """Frequent itemsets of 2..max_len items with exact (or recency-weighted) counts.

    `table` is `cooccurrence_table(baskets)` when the caller has it (mine() shares it with
    the similarity step); pairs are then read from it instead of multiplied again.
    """
    if baskets.n_baskets == 0:
        raise ValueError("baskets: there are no baskets to mine")
    weights = baskets.weights
    total = float(baskets.n_baskets) if weights is None else float(weights.sum())
    if not total > 0:
        raise ValueError("weights: baskets must have a positive total weight")
    per_entry = None if weights is None else np.repeat(weights, baskets.sizes)
    item_counts = np.bincount(baskets.indices, weights=per_entry, minlength=len(baskets.items))
    frequent = np.flatnonzero(item_counts / total >= config.min_support).astype(np.int32)
    threshold = config.min_support
    if table is None:
        sets, counts = _pairs(_restrict(baskets, frequent), weights, total, threshold)
    else:
        sets, counts = _frequent_pairs(table[frequent][:, frequent], total, threshold)
    levels, level_counts = [sets], [counts]
    if config.max_len > 2 and sets.shape[0]:
        used = np.unique(sets)  # only items of frequent pairs can be in larger itemsets
        frequent, sets = frequent[used], np.searchsorted(used, sets).astype(np.int32)
        levels[0] = sets
        matrix = _restrict(baskets, frequent)
        bits = item_bitsets(matrix)
        for _ in range(3, config.max_len + 1):
            if sets.shape[0] == 0:
                break
            sets, counts = _next_level(sets, bits, matrix, weights, total, threshold)
            levels.append(sets)
            level_counts.append(counts)
    while len(levels) < config.max_len - 1:
        k = len(levels) + 2
        levels.append(np.empty((0, k), dtype=np.int32))
        level_counts.append(np.empty(0, dtype=np.float64))
    return FrequentItemsets(
        items=baskets.items,
        n_baskets=total,
        item_counts=item_counts.astype(np.float64),
        levels=tuple(frequent[level].astype(np.int32) for level in levels),
        counts=tuple(level_counts),
        weighted=weights is not None,
    )


def _restrict(baskets: Baskets, frequent: IntArray) -> sp.csr_matrix:
    """Basket-by-frequent-item incidence, columns renumbered 0..len(frequent)-1."""
    local = np.full(len(baskets.items), -1, dtype=np.int32)
    local[frequent] = np.arange(frequent.size, dtype=np.int32)
    mapped = local[baskets.indices]
    keep = mapped >= 0
    kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    indptr = kept_before[baskets.indptr]
    indices = mapped[keep]
    data = np.ones(indices.size, dtype=np.int32)
    shape = (baskets.n_baskets, int(frequent.size))
    return sp.csr_matrix((data, indices, indptr), shape=shape)


def _pairs(
    matrix: sp.csr_matrix, weights: FloatArray | None, total: float, threshold: float
) -> tuple[IntArray, FloatArray]:
    """Frequent pairs (a < b) from the upper triangle of XᵀWX."""
    left = matrix.T.tocsr() if weights is None else matrix.multiply(weights[:, None]).T.tocsr()
    return _frequent_pairs(left @ matrix, total, threshold)


def _frequent_pairs(
    table: sp.csr_matrix, total: float, threshold: float
) -> tuple[IntArray, FloatArray]:
    """Pairs (a < b) of a co-occurrence table reaching the threshold, in lexicographic order."""
    product = sp.triu(table, k=1).tocoo()
    keep = product.data / total >= threshold
    sets = np.column_stack((product.row[keep], product.col[keep])).astype(np.int32)
    counts = product.data[keep].astype(np.float64)
    order = np.lexsort((sets[:, 1], sets[:, 0]))
    return sets[order].reshape(-1, 2), counts[order]


# Candidates of the next level are counted this many at a time: a level's candidates can run
# to tens of millions (min_support 0.005 on the demo sample) while few are frequent.
CANDIDATE_CHUNK = 1_000_000


def _next_level(
    sets: IntArray,
    bits: npt.NDArray[np.uint64],
    matrix: sp.csr_matrix,
    weights: FloatArray | None,
    total: float,
    threshold: float,
) -> tuple[IntArray, FloatArray]:
    """Frequent (k+1)-itemsets from the frequent k-itemsets `sets` (lexicographic rows)."""
    found: list[tuple[IntArray, FloatArray]] = []
    partners = _partner_counts(sets)
    for start, stop in _row_chunks(partners, CANDIDATE_CHUNK):
        left, right = _joined(partners, start, stop)
        extension = sets[right, -1]
        candidates = np.column_stack((sets[left], extension)).astype(np.int32)
        keep = all_subsets_frequent(candidates, sets, int(matrix.shape[1]))
        left, extension, candidates = left[keep], extension[keep], candidates[keep]
        if weights is None:
            counts = count_extensions(bits, sets, left, extension)
        else:
            counts = weighted_extensions(bits, matrix, weights, sets, left, extension)
        frequent = counts / total >= threshold
        found.append((candidates[frequent], counts[frequent]))
    if not found:
        return np.empty((0, sets.shape[1] + 1), np.int32), np.empty(0, np.float64)
    return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])


def join_prefixes(sets: IntArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row pairs (i < j) of `sets` sharing every item but the last, grouped by i."""
    return _joined(_partner_counts(sets), 0, sets.shape[0])


def _partner_counts(sets: IntArray) -> npt.NDArray[np.int64]:
    """For each row, how many later rows share its prefix (every item but the last)."""
    n = sets.shape[0]
    if sets.shape[1] > 1:
        new_group = np.any(sets[1:, :-1] != sets[:-1, :-1], axis=1)
    else:
        new_group = np.ones(max(n - 1, 0), dtype=bool)
    starts = np.flatnonzero(np.concatenate(([True], new_group)))
    ends = np.append(starts[1:], n)
    group_end = np.repeat(ends, np.diff(np.append(starts, n)))
    return (group_end - np.arange(n) - 1).astype(np.int64)


def _row_chunks(partners: npt.NDArray[np.int64], size: int) -> list[tuple[int, int]]:
    """Row ranges whose joined pairs number about `size` each (a row is never split)."""
    ends = np.cumsum(partners)
    cuts = np.searchsorted(ends, np.arange(size, int(ends[-1]) if ends.size else 0, size))
    bounds = [0, *sorted({int(c) + 1 for c in cuts}), partners.size]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _joined(
    partners: npt.NDArray[np.int64], start: int, stop: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The pairs of rows `start`..`stop` with their prefix partners, grouped by left row."""
    part = partners[start:stop]
    left = np.repeat(np.arange(start, stop, dtype=np.int64), part)
    offsets = np.arange(left.size, dtype=np.int64) - np.repeat(np.cumsum(part) - part, part)
    return left, left + 1 + offsets


def all_subsets_frequent(
    candidates: IntArray, sets: IntArray, n_items: int
) -> npt.NDArray[np.bool_]:
    """Apriori pruning: every k-subset of a candidate must be among `sets`.

    The join already guarantees the subsets without the last or second-to-last item; the rest
    are checked through integer keys (skipped, harmlessly, if the keys would overflow).
    """
    k = sets.shape[1]
    keep = np.ones(candidates.shape[0], dtype=bool)
    if k < 2 or candidates.shape[0] == 0 or float(n_items) ** k >= 2.0**62:
        return keep
    known = np.sort(_keys(sets, n_items))
    for drop in range(k - 1):
        subset = np.delete(candidates, drop, axis=1)
        keys = _keys(subset, n_items)
        position = np.minimum(np.searchsorted(known, keys), known.size - 1)
        keep &= known[position] == keys
    return keep


def _keys(rows: IntArray, base: int) -> npt.NDArray[np.int64]:
    """One int64 per row, ordered like the rows (lexicographically)."""
    keys = np.zeros(rows.shape[0], dtype=np.int64)
    for column in range(rows.shape[1]):
        keys = keys * base + rows[:, column]
    return keys
