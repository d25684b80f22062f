"""Item-to-item cosine similarity over co-occurrence, kept as each item's top neighbours."""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets

PARALLEL_MIN_ENTRIES = 2_000_000  # below this, one thread is quicker than splitting
MAX_THREADS = 4


def cooccurrence(baskets: Baskets, *, min_count: float = 1) -> sp.csr_matrix:
    """All item pairs a < b bought together at least `min_count` times (upper triangle, CSR).

    Counts are summed basket weights when `baskets.weights` is set (int32 counts otherwise).
    """
    full = cooccurrence_table(baskets)
    rows = np.repeat(np.arange(full.shape[0], dtype=np.int32), np.diff(full.indptr))
    keep = full.indices > rows
    if min_count > 1 or baskets.weights is not None:
        keep &= full.data >= min_count
    indptr = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))[full.indptr]
    upper = sp.csr_matrix((full.data[keep], full.indices[keep], indptr), shape=full.shape)
    upper.sort_indices()
    return upper


def cooccurrence_table(baskets: Baskets) -> sp.csr_matrix:
    """XᵀWX: co-occurrence counts of every item pair, diagonal included (rows unsorted).

    Unweighted counts are exact integers, so large inputs are split into basket blocks of
    equal work (sum of squared basket sizes) multiplied on parallel threads (SciPy releases
    the GIL) and summed; weighted counts stay on one thread so float sums keep one order.
    """
    matrix = baskets.matrix()
    if baskets.weights is not None:
        return (matrix.multiply(baskets.weights[:, None]).T.tocsr() @ matrix).tocsr()
    blocks = _work_blocks(baskets.sizes, _workers(baskets))
    if len(blocks) == 1:
        return (matrix.T.tocsr() @ matrix).tocsr()
    parts = [matrix[start:stop] for start, stop in blocks]
    with ThreadPoolExecutor(len(parts)) as pool:
        products = list(pool.map(lambda part: part.T.tocsr() @ part, parts))
    total = products[0]
    for product in products[1:]:
        total = total + product
    return sp.csr_matrix(total)


def _workers(baskets: Baskets) -> int:
    if baskets.indices.size < PARALLEL_MIN_ENTRIES:
        return 1
    return max(1, min(MAX_THREADS, len(os.sched_getaffinity(0))))


def _work_blocks(sizes: npt.NDArray[np.int64], n: int) -> list[tuple[int, int]]:
    """`n` consecutive basket ranges with about equal sums of squared sizes."""
    work = np.cumsum(sizes.astype(np.float64) ** 2)
    cuts = np.searchsorted(work, work[-1] * np.arange(1, n) / n) if n > 1 else []
    edges = [0, *sorted({int(c) for c in cuts if 0 < c < sizes.size}), int(sizes.size)]
    return list(itertools.pairwise(edges))


@dataclass(frozen=True, eq=False)
class Neighbours:
    """Each item's most similar items in CSR form: item i's are indices[indptr[i]:indptr[i+1]].

    Per item, neighbours are ordered by cosine (best first), with their co-occurrence counts.
    """

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    cosine: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]

    def of(self, item: int) -> slice:
        """The slice of the arrays that holds `item`'s neighbours."""
        return slice(int(self.indptr[item]), int(self.indptr[item + 1]))


def item_neighbours(
    baskets: Baskets,
    item_counts: npt.NDArray[np.float64],
    *,
    min_count: float,
    top: int,
    table: sp.csr_matrix | None = None,
) -> Neighbours:
    """Cosine count(a, b) / sqrt(count(a) · count(b)) for pairs seen `min_count` times, top N.

    Per item, neighbours are ordered by cosine rounded to float32 (best first), ties going to
    the lower item index. Only each row's cut-off is found over all pairs (one sort of packed
    integer keys); the full ordering is computed for the kept top N alone. `table` is
    `cooccurrence_table(baskets)` when the caller has it already.
    """
    full = cooccurrence_table(baskets) if table is None else table
    n_items = item_counts.size
    rows = np.repeat(np.arange(n_items, dtype=np.int32), np.diff(full.indptr))
    keep = full.indices != rows
    keep &= full.data >= min_count
    rows, cols, counts = rows[keep], full.indices[keep].astype(np.int32), full.data[keep]
    del full, keep
    rank = _descending_bits(_cosine(counts, rows, cols, item_counts))
    chosen = _top_per_row(rows, cols, rank, n_items, top)
    rows, cols = rows[chosen], cols[chosen]
    counts = counts[chosen].astype(np.float64)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_items))))
    return Neighbours(
        indptr=indptr.astype(np.int64),
        indices=cols,
        cosine=_cosine(counts, rows, cols, item_counts),
        counts=counts,
    )


def _cosine(
    counts: npt.NDArray[Any],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    item_counts: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    cosine: npt.NDArray[np.float64] = counts.astype(np.float64, copy=False) / np.sqrt(
        item_counts[rows] * item_counts[cols]
    )
    return cosine


def _descending_bits(score: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    """A non-negative score as a uint32-range integer that grows as the score (float32) falls."""
    bits = score.astype(np.float32).view(np.uint32)
    return (np.uint32(0xFFFFFFFF) - bits).astype(np.uint64)


def _top_per_row(
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    rank: npt.NDArray[np.uint64],
    n_items: int,
    top: int,
) -> npt.NDArray[np.int64]:
    """Positions of each row's `top` best entries by (rank, col), ordered row, rank, col."""
    col_bits = max(1, int(n_items - 1).bit_length())
    if 2 * col_bits + 32 > 64:
        order = np.lexsort((cols, rank, rows))
        sizes = np.bincount(rows, minlength=n_items)
        starts = np.concatenate(([0], np.cumsum(sizes)))[:-1]
        return order[np.arange(order.size) - starts[rows[order]] < top]
    shift = np.uint64(col_bits)
    keys = (rows.astype(np.uint64) << (shift + np.uint64(32))) | (rank << shift)
    keys |= cols.astype(np.uint64)
    cutoff = _row_cutoffs(np.sort(keys), rows, n_items, top)
    chosen = np.flatnonzero(keys <= cutoff[rows])
    return chosen[np.argsort(keys[chosen])]


def _row_cutoffs(
    ordered: npt.NDArray[np.uint64], rows: npt.NDArray[np.int32], n_items: int, top: int
) -> npt.NDArray[np.uint64]:
    """The largest key each row keeps: its `top`-th smallest, or all of a shorter row."""
    sizes = np.bincount(rows, minlength=n_items)
    starts = np.concatenate(([0], np.cumsum(sizes)))[:-1]
    cutoff = np.full(n_items, np.iinfo(np.uint64).max, dtype=np.uint64)
    long = sizes > top
    cutoff[long] = ordered[starts[long] + top - 1]
    return cutoff
