"""Next purchase: predict each customer's next order from their earlier ones (recall, NDCG).

Protocol (`tactful evaluate --task next-purchase`):
- split `last` (the default): every customer with two or more orders; their last order is the
  target, the earlier ones their history. Shared statistics (popularity, which items the same
  customers buy) come from every order that is nobody's target.
- split `time:YYYY-MM-DD`: customers with an order before the date and one on or after it; the
  target is their first order on or after the date, the history their orders before it, and
  shared statistics come only from orders before the date (nothing from the future leaks).

Rankings, each a list of k items per customer, repeat purchases allowed:
- `email`: the engine's email ranking, `buy_again.scores` (how many of the customer's orders
  held the item + recency + a prior of neighbours and popularity), here vectorised over
  customers with neighbours from a cosine over customers' item sets (who buys X also buys Y);
  a test holds it equal to `buy_again.scores` over `MatrixPrior` on random histories.
- `personal-frequency`: the customer's own items by how many orders held them (P-TopFreq);
  nothing beyond their history.
- `popularity`: the items in the most orders (G-TopFreq), the same for everyone.
- `personal-then-popular`: personal frequency, then popularity for the slots left (GP-TopFreq).

recall@k is the share of the target order's distinct items in the top k, averaged over
customers; ndcg@k uses binary relevance and the ideal order of min(k, target size) hits.
Each mean comes with its standard error over customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.buy_again import (
    HALF_LIFE_DAYS,
    NEIGHBOUR_SHARE,
    PRIOR_WEIGHT,
    RECENCY_WEIGHT,
    TIE,
)
from tactful.domain.affinity.ranking import top_k

RANKINGS = ("email", "personal-frequency", "popularity", "personal-then-popular")
_CHUNK = 1024
_DAY = 86400.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class NextPurchaseSplit:
    """Which order each customer must predict: their last (`last`) or the first after a date."""

    at: date | None = None

    @classmethod
    def parse(cls, text: str | None) -> NextPurchaseSplit:
        """Parse None or 'last' (leave the last order out) or 'time:YYYY-MM-DD'."""
        if text is None or text == "last":
            return cls()
        kind, _, value = text.partition(":")
        if kind != "time":
            raise ValueError(f"split: expected last or time:YYYY-MM-DD, got {text!r}")
        try:
            return cls(date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"split: {value!r} is not a date YYYY-MM-DD") from None

    @property
    def label(self) -> str:
        """'last' or 'time:YYYY-MM-DD'."""
        return "last" if self.at is None else f"time:{self.at}"


@dataclass(frozen=True, eq=False)
class Cases:
    """Per test customer: history rows (orders) with their weights, and the target order."""

    history_rows: IntArray
    history_owner: IntArray
    history_age_days: FloatArray
    targets: IntArray
    shared: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class NextPurchaseMetrics:
    """One ranking's quality: recall@k and ndcg@k for each k, over `n_test` customers."""

    ranking: str
    recall: dict[int, float]
    ndcg: dict[int, float]
    n_test: int
    recall_se: dict[int, float] = field(default_factory=dict)
    ndcg_se: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NextPurchaseResult:
    """Every ranking measured on the same customers."""

    split: str
    n_customers: int
    n_shared_orders: int
    results: tuple[NextPurchaseMetrics, ...]

    def metric(self, ranking: str, name: str, k: int) -> float:
        """e.g. metric('email', 'recall', 10)."""
        found = next(m for m in self.results if m.ranking == ranking)
        return (found.recall if name == "recall" else found.ndcg)[k]


def _ordered(baskets: Baskets) -> tuple[IntArray, IntArray, IntArray]:
    """Orders with a customer sorted by (customer, time, row): rows, customers, times (s)."""
    if baskets.customers is None or baskets.times is None:
        raise ValueError(
            "next-purchase: needs customer ids and order times (customer_id, created_at)"
        )
    stamps = baskets.times.astype("datetime64[s]").astype(np.int64)
    rows = np.flatnonzero(baskets.customers >= 0)
    rows = rows[np.lexsort((rows, stamps[rows], baskets.customers[rows]))]
    return rows, baskets.customers[rows].astype(np.int64), stamps[rows]


def cases(baskets: Baskets, split: NextPurchaseSplit) -> Cases:
    """The test customers' histories and targets, and which orders feed shared statistics."""
    rows, owners, stamps = _ordered(baskets)
    starts = np.r_[True, owners[1:] != owners[:-1]]
    group = np.cumsum(starts) - 1
    if split.at is None:
        ends = np.r_[owners[1:] != owners[:-1], True]
        sizes = np.bincount(group)
        is_target = ends & (sizes[group] >= 2)
        tested = np.zeros(group.max() + 1 if group.size else 0, dtype=bool)
        tested[group[is_target]] = True
        in_history = tested[group] & ~is_target
        shared = np.ones(baskets.n_baskets, dtype=bool)
        shared[rows[is_target]] = False
    else:
        cut = int(np.datetime64(split.at, "s").astype(np.int64))
        before = stamps < cut
        has_before = np.zeros(group.max() + 1 if group.size else 0, dtype=bool)
        has_before[group[before]] = True
        after = ~before & has_before[group]
        first_after = after & np.r_[True, ~after[:-1] | (group[1:] != group[:-1])]
        is_target = first_after
        tested = np.zeros_like(has_before)
        tested[group[is_target]] = True
        in_history = tested[group] & before
        all_stamps = baskets.times.astype("datetime64[s]").astype(np.int64)  # type: ignore[union-attr]
        shared = all_stamps < cut
    customer_of = np.full(group.max() + 1 if group.size else 0, -1, dtype=np.int64)
    customer_of[group[is_target]] = np.arange(int(is_target.sum()))
    last_seen = np.full(customer_of.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_seen, group[in_history], stamps[in_history])
    age = (last_seen[group[in_history]] - stamps[in_history]) / _DAY
    return Cases(
        history_rows=rows[in_history],
        history_owner=customer_of[group[in_history]],
        history_age_days=age.astype(np.float64),
        targets=rows[is_target],
        shared=shared,
    )


def _per_customer(
    matrix: sp.csr_matrix, owner: IntArray, weights: FloatArray, n: int
) -> sp.csr_matrix:
    """Customers x items: the weighted sum of each customer's order rows."""
    mixer = sp.csr_matrix((weights, (owner, np.arange(owner.size))), shape=(n, owner.size))
    return sp.csr_matrix(mixer @ matrix)


def customer_cosine(baskets: Baskets, shared: npt.NDArray[np.bool_]) -> sp.csr_matrix:
    """Item x item cosine over customers' item sets (who buys X also buys Y), shared orders."""
    rows = np.flatnonzero(shared & (baskets.customers >= 0))  # type: ignore[operator]
    owners = baskets.customers[rows]  # type: ignore[index]
    n = int(owners.max()) + 1 if owners.size else 0
    bought = _per_customer(baskets.matrix()[rows].astype(np.float64), owners, np.ones(rows.size), n)
    bought.data[:] = 1.0
    pairs = sp.csr_matrix(bought.T @ bought)
    counts = pairs.diagonal().astype(np.float64)
    pairs.setdiag(0)
    pairs.eliminate_zeros()
    scale = sp.diags(1.0 / np.sqrt(np.maximum(counts, 1.0)))
    return sp.csr_matrix(scale @ pairs @ scale)


def _scaled(matrix: FloatArray) -> FloatArray:
    """Each row divided by its maximum (rows of zeros stay zero)."""
    peak = matrix.max(axis=1, keepdims=True)
    scaled: FloatArray = np.divide(matrix, peak, out=np.zeros_like(matrix), where=peak > 0)
    return scaled


def _scores(
    ranking: str,
    frequency: FloatArray,
    recency: FloatArray,
    neighbours: FloatArray,
    popularity: FloatArray,
) -> FloatArray:
    """Scores of one ranking for a chunk of customers; -inf where it proposes nothing."""
    pop = popularity / max(float(popularity.max()), 1.0)
    tie = TIE * pop
    if ranking == "popularity":
        scores = np.broadcast_to(pop, frequency.shape).copy()
        scores[:, popularity <= 0] = -np.inf
        return scores
    if ranking == "personal-frequency":
        return np.where(frequency > 0, frequency + tie, -np.inf)
    if ranking == "personal-then-popular":
        scores = frequency * 1e6 + pop
        scores[(frequency <= 0) & (popularity <= 0)] = -np.inf
        return scores
    prior = NEIGHBOUR_SHARE * _scaled(neighbours) + (1.0 - NEIGHBOUR_SHARE) * pop
    scores = frequency + PRIOR_WEIGHT * prior + RECENCY_WEIGHT * _scaled(recency)
    scores[(frequency <= 0) & (neighbours <= 0) & (popularity <= 0)] = -np.inf
    return scores + tie


def _hits(scores: FloatArray, targets: sp.csr_matrix, k: int) -> tuple[FloatArray, FloatArray]:
    """Per customer: recall@k and ndcg@k of `scores` against the target orders."""
    best = top_k(scores, k)
    finite = np.isfinite(np.take_along_axis(scores, best, axis=1))
    relevant = np.asarray(targets[np.arange(best.shape[0])[:, None], best].todense()) * finite
    sizes = np.asarray(targets.sum(axis=1)).ravel()
    discount = 1.0 / np.log2(np.arange(2, best.shape[1] + 2))
    ideal = np.cumsum(discount)[np.minimum(sizes, best.shape[1]).astype(np.int64) - 1]
    recall = relevant.sum(axis=1) / sizes
    ndcg = (relevant * discount).sum(axis=1) / ideal
    return recall, ndcg


@dataclass(frozen=True, eq=False)
class Statistics:
    """What the rankings read: the test customers' histories and everyone's shared orders."""

    frequency: sp.csr_matrix
    recency: sp.csr_matrix
    cosine: sp.csr_matrix
    popularity: FloatArray


def statistics(baskets: Baskets, found: Cases) -> Statistics:
    """Per test customer, orders holding each item and their recency; shared co-buys, counts."""
    matrix = sp.csr_matrix(baskets.matrix(), dtype=np.float64)
    n = int(found.targets.size)
    history = matrix[found.history_rows]
    owner = found.history_owner
    decay = np.power(0.5, found.history_age_days / HALF_LIFE_DAYS)
    return Statistics(
        frequency=_per_customer(history, owner, np.ones(owner.size), n),
        recency=_per_customer(history, owner, decay, n),
        cosine=customer_cosine(baskets, found.shared),
        popularity=np.asarray(matrix[np.flatnonzero(found.shared)].sum(axis=0)).ravel(),
    )


def chunk_scores(stats: Statistics, part: slice, rankings: Sequence[str]) -> dict[str, FloatArray]:
    """Every ranking's scores for the customers in `part` (-inf where it proposes nothing)."""
    recency = stats.recency[part].toarray()
    neighbours = sp.csr_matrix(sp.csr_matrix(_scaled(recency)) @ stats.cosine).toarray()
    frequency = stats.frequency[part].toarray()
    return {
        name: _scores(name, frequency, recency, neighbours, stats.popularity) for name in rankings
    }


class MatrixPrior:
    """`buy_again.Prior` over item indices: the cosine's rows and the popularity counts."""

    def __init__(self, cosine: sp.csr_matrix, popularity: FloatArray) -> None:
        self._cosine = cosine
        self._popularity = popularity / max(float(popularity.max(initial=0.0)), 1.0)

    def similar(self, item: int) -> list[tuple[int, float]]:
        """The cosine row of `item`."""
        row = self._cosine[item]
        return list(zip(row.indices.tolist(), row.data.tolist(), strict=True))

    def popularity(self, item: int) -> float:
        """Orders of `item` over the most popular item's."""
        return float(self._popularity[item])


def _standard_error(total: float, squares: float, n: int) -> float:
    """Standard error of a mean of n values from their sum and sum of squares."""
    if n < 2:
        return 0.0
    variance = max(squares - total * total / n, 0.0) / (n - 1)
    return float(np.sqrt(variance / n))


def evaluate_next_purchase(
    baskets: Baskets, split: NextPurchaseSplit, ks: Sequence[int] = (10,)
) -> NextPurchaseResult:
    """Measure every ranking on the split's customers; ValueError if there are none."""
    if not ks or min(ks) < 1:
        raise ValueError("k: every k must be a positive integer")
    found = cases(baskets, split)
    n = int(found.targets.size)
    if n == 0:
        raise ValueError(f"split {split.label}: no customer has an order to predict")
    stats = statistics(baskets, found)
    targets = sp.csr_matrix(baskets.matrix(), dtype=np.float64)[found.targets]
    totals = {name: {k: np.zeros(4) for k in ks} for name in RANKINGS}
    for start in range(0, n, _CHUNK):
        part = slice(start, min(start + _CHUNK, n))
        for name, scores in chunk_scores(stats, part, RANKINGS).items():
            for k in ks:
                recall, ndcg = _hits(scores, targets[part], k)
                totals[name][k] += (recall.sum(), (recall**2).sum(), ndcg.sum(), (ndcg**2).sum())
    results = tuple(
        NextPurchaseMetrics(
            name,
            {k: float(totals[name][k][0]) / n for k in ks},
            {k: float(totals[name][k][2]) / n for k in ks},
            n,
            {k: _standard_error(totals[name][k][0], totals[name][k][1], n) for k in ks},
            {k: _standard_error(totals[name][k][2], totals[name][k][3], n) for k in ks},
        )
        for name in RANKINGS
    )
    return NextPurchaseResult(split.label, n, int(found.shared.sum()), results)
