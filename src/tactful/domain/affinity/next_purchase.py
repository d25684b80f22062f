"""Next purchase: predict each customer's next order from their earlier ones (recall, NDCG).

Protocol (`tactful evaluate --task next-purchase`):
- split `last` (the default): every customer with two or more orders; their last order is the
  target, the earlier ones their history. Shared statistics (popularity, which items the same
  customers buy) come from every order that is nobody's target.
- split `time:YYYY-MM-DD`: customers with an order before the date and one on or after it; the
  target is their first order on or after the date, the history their orders before it, and
  shared statistics come only from orders before the date (nothing from the future leaks).

Rankings, each a list of k items per customer, repeat purchases allowed:
- `email`: the email ranking. Score = how many of the customer's orders held the item
  + 0.45 x recency (orders weighted by a year's half-life, scaled to 0..1)
  + 0.5 x prior (0.2 x what customers with the same items also buy, a cosine over customers'
  item sets, + 0.8 x popularity, each scaled to 0..1). The extras add up to less than one
  order, so an item bought more often always ranks higher; they order items bought equally
  often and fill short histories with complements and staples.
- `personal-frequency`: the customer's own items by how many orders held them (P-TopFreq);
  nothing beyond their history.
- `popularity`: the items in the most orders (G-TopFreq), the same for everyone.
- `personal-then-popular`: personal frequency, then popularity for the slots left (GP-TopFreq).

recall@k is the share of the target order's distinct items in the top k, averaged over
customers; ndcg@k uses binary relevance and the ideal order of min(k, target size) hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.ranking import top_k

RANKINGS = ("email", "personal-frequency", "popularity", "personal-then-popular")
HALF_LIFE_DAYS = 365.0
PRIOR_WEIGHT = 0.5
RECENCY_WEIGHT = 0.45
NEIGHBOUR_SHARE = 0.2
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
    tie = 1e-9 * pop
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
    matrix = sp.csr_matrix(baskets.matrix(), dtype=np.float64)
    popularity = np.asarray(matrix[np.flatnonzero(found.shared)].sum(axis=0)).ravel()
    cosine = customer_cosine(baskets, found.shared)
    history = matrix[found.history_rows]
    owner = found.history_owner
    frequency = _per_customer(history, owner, np.ones(owner.size), n)
    decay = np.power(0.5, found.history_age_days / HALF_LIFE_DAYS)
    recency = _per_customer(history, owner, decay, n)
    targets = matrix[found.targets]
    totals = {name: {k: [0.0, 0.0] for k in ks} for name in RANKINGS}
    for start in range(0, n, _CHUNK):
        part = slice(start, min(start + _CHUNK, n))
        dense_recency = recency[part].toarray()
        neighbours = sp.csr_matrix(sp.csr_matrix(_scaled(dense_recency)) @ cosine).toarray()
        for name in RANKINGS:
            scores = _scores(name, frequency[part].toarray(), dense_recency, neighbours, popularity)
            for k in ks:
                recall, ndcg = _hits(scores, targets[part], k)
                totals[name][k][0] += float(recall.sum())
                totals[name][k][1] += float(ndcg.sum())
    results = tuple(
        NextPurchaseMetrics(
            name,
            {k: totals[name][k][0] / n for k in ks},
            {k: totals[name][k][1] / n for k in ks},
            n,
        )
        for name in RANKINGS
    )
    return NextPurchaseResult(split.label, n, int(found.shared.sum()), results)
