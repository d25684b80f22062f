"""Per-item basket bitsets: count an itemset's baskets as the popcount of an AND of rows."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Bits = npt.NDArray[np.uint64]
WORD_BUDGET = 1 << 22  # 64-bit words per working block (32 MB) to bound memory on big inputs


def item_bitsets(matrix: sp.csr_matrix) -> Bits:
    """An (items, words) array whose row i has bit b set when basket b holds item i."""
    n_baskets, n_items = matrix.shape
    words = max(1, (n_baskets + 63) // 64)
    by_item = matrix.tocsc()
    by_item.sort_indices()
    item = np.repeat(np.arange(n_items, dtype=np.int64), np.diff(by_item.indptr))
    basket = by_item.indices.astype(np.int64)
    keys = item * words + (basket >> 6)
    values = np.left_shift(np.uint64(1), (basket & 63).astype(np.uint64))
    bits = np.zeros(n_items * words, dtype=np.uint64)
    if keys.size:
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        bits[keys[starts]] = np.bitwise_or.reduceat(values, starts)
    return bits.reshape(n_items, words)


def and_rows(bits: Bits, itemsets: npt.NDArray[np.int32]) -> Bits:
    """Bitset of the baskets holding every item of each row of `itemsets`."""
    result = bits[itemsets[:, 0]]
    for column in range(1, itemsets.shape[1]):
        np.bitwise_and(result, bits[itemsets[:, column]], out=result)
    return result


def count_extensions(
    bits: Bits,
    prefixes: npt.NDArray[np.int32],
    prefix_of: npt.NDArray[np.int64],
    extension: npt.NDArray[np.int32],
) -> npt.NDArray[np.float64]:
    """Baskets holding prefix row `prefix_of[j]` plus item `extension[j]`, for each j.

    `prefix_of` must be non-decreasing (candidates grouped by prefix), so each block
    computes the AND of its prefixes once.
    """
    counts = np.empty(extension.size, dtype=np.float64)
    step = max(1, WORD_BUDGET // bits.shape[1])
    for start in range(0, extension.size, step):
        stop = min(start + step, extension.size)
        rows, local = np.unique(prefix_of[start:stop], return_inverse=True)
        joint = and_rows(bits, prefixes[rows])[local]
        np.bitwise_and(joint, bits[extension[start:stop]], out=joint)
        counts[start:stop] = np.bitwise_count(joint).sum(axis=1, dtype=np.int64)
    return counts


def weighted_extensions(
    bits: Bits,
    matrix: sp.csr_matrix,
    weights: npt.NDArray[np.float64],
    prefixes: npt.NDArray[np.int32],
    prefix_of: npt.NDArray[np.int64],
    extension: npt.NDArray[np.int32],
) -> npt.NDArray[np.float64]:
    """Like `count_extensions`, but each basket counts as its weight (recency weighting)."""
    n_baskets, n_items = matrix.shape
    counts = np.empty(extension.size, dtype=np.float64)
    step = max(1, 4 * WORD_BUDGET // max(64 * bits.shape[1], n_items))
    for start in range(0, extension.size, step):
        stop = min(start + step, extension.size)
        rows, local = np.unique(prefix_of[start:stop], return_inverse=True)
        joint = and_rows(bits, prefixes[rows]).astype("<u8", copy=False)
        flags = np.unpackbits(joint.view(np.uint8), axis=1, bitorder="little")[:, :n_baskets]
        row, basket = np.nonzero(flags)
        holders = sp.csr_matrix(
            (weights[basket], (row, basket)), shape=(rows.size, n_baskets), dtype=np.float64
        )
        table = (holders @ matrix).toarray()
        counts[start:stop] = table[local, extension[start:stop]]
    return counts
