"""Item-to-item cosine similarity over co-occurrence, kept as each item's top neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets


def cooccurrence(baskets: Baskets, *, min_count: float = 1) -> sp.csr_matrix:
    """All item pairs a < b bought together at least `min_count` times (upper triangle, CSR).

    Counts are summed basket weights when `baskets.weights` is set (int32 counts otherwise).
    """
    full = _product(baskets)
    rows = np.repeat(np.arange(full.shape[0], dtype=np.int32), np.diff(full.indptr))
    keep = full.indices > rows
    if min_count > 1 or baskets.weights is not None:
        keep &= full.data >= min_count
    indptr = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))[full.indptr]
    upper = sp.csr_matrix((full.data[keep], full.indices[keep], indptr), shape=full.shape)
    upper.sort_indices()
    return upper


def _product(baskets: Baskets) -> sp.csr_matrix:
    """XᵀWX: co-occurrence counts of every item pair, diagonal included."""
    matrix = baskets.matrix()
    if baskets.weights is None:
        return (matrix.T.tocsr() @ matrix).tocsr()
    return (matrix.multiply(baskets.weights[:, None]).T.tocsr() @ matrix).tocsr()


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
    baskets: Baskets, item_counts: npt.NDArray[np.float64], *, min_count: float, top: int
) -> Neighbours:
    """Cosine count(a, b) / sqrt(count(a) · count(b)) for pairs seen `min_count` times, top N."""
    full = _product(baskets)
    full.sort_indices()  # ties in cosine go to the lower item index
    rows = np.repeat(np.arange(full.shape[0], dtype=np.int64), np.diff(full.indptr))
    keep = (full.indices != rows) & (full.data >= min_count)
    rows, cols = rows[keep], full.indices[keep].astype(np.int32)
    counts = full.data[keep].astype(np.float64)
    cosine = counts / np.sqrt(item_counts[rows] * item_counts[cols])
    order = np.argsort(_row_then_descending(rows, cosine), kind="stable")
    rows, cols, counts, cosine = rows[order], cols[order], counts[order], cosine[order]
    n_items = item_counts.size
    starts = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_items))))
    keep = np.arange(rows.size) - starts[rows] < top
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[keep], minlength=n_items))))
    return Neighbours(
        indptr=indptr.astype(np.int64),
        indices=cols[keep],
        cosine=cosine[keep],
        counts=counts[keep],
    )


def _row_then_descending(
    rows: npt.NDArray[np.int64], score: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """One int64 key sorting by row, then by score descending (to float32 precision)."""
    bits = score.astype(np.float32).view(np.uint32).astype(np.int64)
    return (rows << 32) | (0xFFFFFFFF - bits)
