"""Association rules with a single consequent, derived from counted itemsets by any engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.itemsets import FloatArray, FrequentItemsets, IntArray


@dataclass(frozen=True, slots=True)
class Rule:
    """'Baskets with `antecedent` also hold `consequent`', with the counts behind it.

    Counts are baskets (or summed recency weights): `count` holds antecedent and consequent,
    `antecedent_count` the antecedent, `consequent_count` the consequent, of `n_baskets`.
    """

    antecedent: tuple[str, ...]
    consequent: str
    support: float
    confidence: float
    lift: float
    count: float
    antecedent_count: float
    consequent_count: float
    n_baskets: float

    @property
    def items(self) -> frozenset[str]:
        """Every item of the rule."""
        return frozenset((*self.antecedent, self.consequent))


@dataclass(frozen=True, eq=False)
class RuleArrays:
    """Rules as columns (antecedent rows padded with -1), for fast filtering and export."""

    antecedents: IntArray
    consequents: IntArray
    counts: FloatArray
    antecedent_counts: FloatArray
    consequent_counts: FloatArray


@dataclass(frozen=True, eq=False)
class RuleTable:
    """Rules kept as columns, best first; a `Rule` is made only for the rows asked for.

    Hundreds of thousands of rules cost a few bytes each here instead of a Python object each.
    """

    arrays: RuleArrays
    items: tuple[str, ...]
    n_baskets: float

    def __len__(self) -> int:
        return int(self.arrays.consequents.size)

    def __iter__(self) -> Iterator[Rule]:
        return (self.rule(j) for j in range(len(self)))

    def rule(self, j: int) -> Rule:
        """The `j`-th best rule."""
        a, n = self.arrays, self.n_baskets
        count, antecedent_count = a.counts[j], a.antecedent_counts[j]
        confidence = count / antecedent_count
        return Rule(
            antecedent=tuple(self.items[i] for i in a.antecedents[j].tolist() if i >= 0),
            consequent=self.items[int(a.consequents[j])],
            support=float(count / n),
            confidence=float(confidence),
            lift=float(confidence / (a.consequent_counts[j] / n)),
            count=float(count),
            antecedent_count=float(antecedent_count),
            consequent_count=float(a.consequent_counts[j]),
            n_baskets=float(n),
        )

    def rows_by_antecedent(self) -> dict[tuple[int, ...], npt.NDArray[np.intp]]:
        """The rows of each antecedent (item indices), best first."""
        if not len(self):
            return {}
        groups, inverse = np.unique(self.arrays.antecedents, axis=0, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        bounds = np.cumsum(np.bincount(inverse.ravel(), minlength=len(groups)))[:-1]
        rows = np.split(order, bounds)
        return {
            tuple(i for i in group if i >= 0): part
            for group, part in zip(groups.tolist(), rows, strict=True)
        }


def derive_rules(itemsets: FrequentItemsets, config: MiningConfig) -> list[Rule]:
    """Rules of `min_len`..`max_len` items the engine can use, best first."""
    return list(rule_table(itemsets, config))


def rule_table(itemsets: FrequentItemsets, config: MiningConfig) -> RuleTable:
    """The rules of `derive_rules` as columns: best (confidence, then count) first."""
    arrays = rule_arrays(itemsets, config)
    confidence = arrays.counts / arrays.antecedent_counts
    ties = [arrays.antecedents[:, i] for i in reversed(range(arrays.antecedents.shape[1]))]
    order = np.lexsort(np.vstack([*ties, arrays.consequents, -arrays.counts, -confidence]))
    return RuleTable(_take(arrays, order), itemsets.items, itemsets.n_baskets)


def _take(arrays: RuleArrays, rows: npt.NDArray[np.intp]) -> RuleArrays:
    return RuleArrays(
        arrays.antecedents[rows],
        arrays.consequents[rows],
        arrays.counts[rows],
        arrays.antecedent_counts[rows],
        arrays.consequent_counts[rows],
    )


def rule_arrays(itemsets: FrequentItemsets, config: MiningConfig) -> RuleArrays:
    """Every rule (antecedent -> one item) of each frequent itemset the engine can use.

    Rules below `min_confidence` or at or under `min_lift` are dropped, and of each antecedent
    only the `top_k` best consequents kept; each slice is pruned as it is made, so memory
    follows what is kept, not every rule the itemsets allow.
    """
    width = config.max_len - 1
    levels: list[RuleArrays] = []
    for k in range(max(2, config.min_len), config.max_len + 1):
        sets, counts = itemsets.level(k)
        parts = []
        for position in range(k):
            antecedent = np.delete(sets, position, axis=1)
            support = _subset_counts(itemsets, antecedent)
            keep = counts / support >= config.min_confidence
            padded = np.full((int(keep.sum()), width), -1, dtype=np.int32)
            padded[:, : k - 1] = antecedent[keep]
            consequents = sets[keep, position].astype(np.int32)
            part = RuleArrays(
                padded, consequents, counts[keep], support[keep], itemsets.item_counts[consequents]
            )
            parts.append(_usable(part, itemsets.n_baskets, config))
        levels.append(_usable(_concatenate(parts, width), itemsets.n_baskets, config))
    return _concatenate(levels, width)


def _concatenate(parts: list[RuleArrays], width: int) -> RuleArrays:
    if not parts:
        empty = np.empty(0, dtype=np.float64)
        return RuleArrays(
            np.empty((0, width), np.int32), np.empty(0, np.int32), empty, empty, empty
        )
    return RuleArrays(
        antecedents=np.concatenate([p.antecedents for p in parts]),
        consequents=np.concatenate([p.consequents for p in parts]).astype(np.int32),
        counts=np.concatenate([p.counts for p in parts]),
        antecedent_counts=np.concatenate([p.antecedent_counts for p in parts]),
        consequent_counts=np.concatenate([p.consequent_counts for p in parts]),
    )


def _usable(arrays: RuleArrays, n_baskets: float, config: MiningConfig) -> RuleArrays:
    """Rules above the lift floor, and the `top_k` best of each antecedent (ranked as
    `derive_rules` ranks them: confidence, then count, then consequent)."""
    confidence = arrays.counts / arrays.antecedent_counts
    lift = confidence / (arrays.consequent_counts / n_baskets)
    keep = np.flatnonzero(lift > config.min_lift)
    if config.top_k is not None and keep.size:
        keep = keep[_top_per_antecedent(arrays, confidence, keep, config.top_k)]
    keep.sort()
    return _take(arrays, keep)


def _top_per_antecedent(
    arrays: RuleArrays, confidence: FloatArray, rows: npt.NDArray[np.intp], top_k: int
) -> npt.NDArray[np.intp]:
    """Positions in `rows` of the `top_k` best rules of each antecedent."""
    antecedents = arrays.antecedents[rows]
    columns = [antecedents[:, i] for i in reversed(range(antecedents.shape[1]))]
    keys: list[npt.NDArray[Any]] = [
        arrays.consequents[rows],
        -arrays.counts[rows],
        -confidence[rows],
        *columns,
    ]
    order = np.lexsort(np.vstack(keys))
    grouped = antecedents[order]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = np.any(grouped[1:] != grouped[:-1], axis=1)
    first = np.maximum.accumulate(np.where(starts, np.arange(order.size), 0))
    rank = np.arange(order.size) - first
    return order[rank < top_k]


def _subset_counts(itemsets: FrequentItemsets, rows: IntArray) -> FloatArray:
    """Counts of itemsets known to be frequent (subsets of frequent itemsets)."""
    if rows.shape[1] == 1:
        return itemsets.item_counts[rows[:, 0]]
    sets, counts = itemsets.level(rows.shape[1])
    base = len(itemsets.items)
    known, wanted = _keys(sets, base), _keys(rows, base)
    position = np.searchsorted(known, wanted)
    if wanted.size and (position.max() >= known.size or np.any(known[position] != wanted)):
        raise ValueError("itemsets are not closed under subsets: an engine dropped an itemset")
    return counts[position]


def _keys(rows: IntArray, base: int) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
    """Keys ordered like the rows (lexicographic); Python ints when int64 would overflow."""
    wide = float(base) ** rows.shape[1] >= 2.0**62
    keys = np.zeros(rows.shape[0], dtype=object if wide else np.int64)
    for column in range(rows.shape[1]):
        keys = keys * base + (rows[:, column].astype(object) if wide else rows[:, column])
    return keys
