"""Frequent itemsets with their counts: what every mining engine must produce."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import MiningConfig

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class FrequentItemsets:
    """Engine-agnostic result of counting: plain arrays, comparable across engines.

    - `items`: the item labels; every index below refers to this tuple.
    - `n_baskets`: number of baskets counted (sum of weights when recency-weighted).
    - `item_counts[i]`: baskets holding item i, for EVERY item (frequent or not).
    - `levels[k - 2]` for k = 2..max_len: an (N_k, k) int32 array of frequent k-itemsets, each
      row strictly increasing, rows in lexicographic order; `counts[k - 2]` their counts
      (float64; whole numbers unless `weighted`).
    """

    items: tuple[str, ...]
    n_baskets: float
    item_counts: FloatArray
    levels: tuple[IntArray, ...]
    counts: tuple[FloatArray, ...]
    weighted: bool = False

    def __post_init__(self) -> None:
        if self.item_counts.shape != (len(self.items),):
            raise ValueError("item_counts must have one entry per item")
        if len(self.levels) != len(self.counts):
            raise ValueError("levels and counts must have the same length")
        for k, (sets, counts) in enumerate(zip(self.levels, self.counts, strict=True), start=2):
            if sets.ndim != 2 or sets.shape[1] != k or counts.shape != (sets.shape[0],):
                raise ValueError(f"level {k} must be an (N, {k}) array with N counts")

    @property
    def pairs(self) -> IntArray:
        """Frequent pairs as an (N, 2) array."""
        return self.level(2)[0]

    @property
    def triples(self) -> IntArray:
        """Frequent triples as an (N, 3) array."""
        return self.level(3)[0]

    def level(self, k: int) -> tuple[IntArray, FloatArray]:
        """Frequent k-itemsets (k >= 2) and their counts; empty when not mined."""
        if 2 <= k < len(self.levels) + 2:
            return self.levels[k - 2], self.counts[k - 2]
        return np.empty((0, k), dtype=np.int32), np.empty(0, dtype=np.float64)

    def frequent_items(self, min_support: float) -> IntArray:
        """Indices of items whose support reaches `min_support`, ascending."""
        if self.n_baskets <= 0:
            return np.empty(0, dtype=np.int32)
        keep = self.item_counts / self.n_baskets >= min_support
        return np.flatnonzero(keep).astype(np.int32)

    def n_itemsets(self, min_support: float) -> int:
        """Number of frequent itemsets of every size, single items included."""
        singles = int(self.frequent_items(min_support).size)
        return singles + sum(int(sets.shape[0]) for sets in self.levels)

    def same_as(self, other: FrequentItemsets, *, tolerance: float = 1e-9) -> bool:
        """Same items, itemsets and counts (counts equal to `tolerance`, relative)."""
        if self.items != other.items or len(self.levels) != len(other.levels):
            return False
        if not np.isclose(self.n_baskets, other.n_baskets, rtol=tolerance, atol=0):
            return False
        if not np.allclose(self.item_counts, other.item_counts, rtol=tolerance, atol=0):
            return False
        return all(
            a.shape == b.shape
            and np.array_equal(a, b)
            and np.allclose(ca, cb, rtol=tolerance, atol=0)
            for a, b, ca, cb in zip(
                self.levels, other.levels, self.counts, other.counts, strict=True
            )
        )


class MiningEngine(Protocol):
    """Counts frequent itemsets; the local engine and the Spark engine implement this.

    Engines receive baskets already prepared by `prepare_baskets` (customer level, capped,
    `weights` set for recency) and count each basket as its weight. They must return exactly
    the `FrequentItemsets` the local engine returns (same itemsets, counts equal to 1e-9).
    """

    def frequent_itemsets(self, baskets: Baskets, config: MiningConfig) -> FrequentItemsets:
        """Count the itemsets of `baskets` that reach `config.min_support`, up to `max_len`."""
        ...
