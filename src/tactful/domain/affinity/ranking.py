"""Ranking add-ons for a cart: score every item against the cart with one sparse product.

Every ranking here is a cart row vector times an item-by-item score matrix, built once per
model, so a recommendation is one sparse row sum, never a loop over item pairs.

tactful's default is a ridge regression of each item on the rest of the basket, solved in
closed form from the pair counts (Steck, "Embarrassingly Shallow Autoencoders", WWW 2019)
plus an intercept: W = -P / diag(P) with P = (XᵀX + λI)⁻¹, X carrying a column of ones.
Unlike summed confidence or cosine it weighs the cart as a whole: evidence two cart items
share is not counted twice, and a staple that co-occurs with everything is ranked by its
base rate instead of by the co-occurrence it soaks up. It needs the full pair counts
(`CoOccurrence.complete`); from a model's pruned neighbour table tactful falls back to a
normalised co-occurrence score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import scipy.linalg as sla
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.model import AffinityModel
from tactful.domain.affinity.similarity import item_neighbours

FloatArray = npt.NDArray[np.float64]


class Ranking(StrEnum):
    """How candidates are scored: tactful's default and the baselines it is measured against."""

    TACTFUL = "tactful"
    POPULARITY = "popularity"
    CONFIDENCE = "confidence"
    COSINE = "cosine"


@dataclass(frozen=True)
class TactfulWeights:
    """Knobs of the default ranking; `ridge` is chosen per catalogue by `evaluation.tune`.

    Ridge regression (full counts): λ = ridge * mean count of the items bought, so the
    penalty keeps its meaning as history grows; each cart item keeps its `top` strongest
    weights (by size, negatives included); only the `max_items` most bought items are
    regressed (the solve is cubic in them), rarer ones are ranked by popularity alone.

    Fallback (a model's pruned counts): score(j | cart) = sum over cart items c of
    (C'[c,j] / (n_c^alpha * n_j^(1-alpha)))^power + prior * typical_score * popularity(j),
    where C' = C^2 / (C + shrinkage) damps pairs seen only a few times and pairs below
    `min_count` or `min_lift` are dropped (lift is a filter, never a score).
    """

    ridge: float = 0.1
    top: int = 200
    max_items: int = 5000
    alpha: float = 0.6
    shrinkage: float = 3.0
    prior: float = 0.1
    power: float = 1.0
    min_count: int = 1
    min_lift: float = 0.0


@dataclass(frozen=True, eq=False)
class CoOccurrence:
    """Item counts and pair counts: the sufficient statistics every ranking needs.

    `complete` is false when only each item's top neighbours are kept (a mined model).
    """

    items: tuple[str, ...]
    counts: FloatArray
    pairs: sp.csr_matrix
    n_baskets: float
    complete: bool = True
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index.update({label: i for i, label in enumerate(self.items)})

    @classmethod
    def from_baskets(cls, baskets: Baskets, weights: FloatArray | None = None) -> CoOccurrence:
        """Count items and pairs (optionally weighted per basket) as X^T W X."""
        x = incidence(baskets)
        w = np.ones(baskets.n_baskets) if weights is None else np.asarray(weights, np.float64)
        weighted = sp.diags(w, format="csr") @ x
        pairs = (x.T @ weighted).tocsr()
        counts = np.asarray(pairs.diagonal(), dtype=np.float64)
        pairs.setdiag(0.0)
        pairs.eliminate_zeros()
        return cls(items=baskets.items, counts=counts, pairs=pairs, n_baskets=float(w.sum()))

    @classmethod
    def from_model(cls, model: AffinityModel) -> CoOccurrence:
        """The counts a mined model keeps: each item's top neighbours with their pair counts."""
        table = model.neighbour_table
        n = len(model.items)
        pairs = sp.csr_matrix((table.counts, table.indices, table.indptr), shape=(n, n))
        pairs.sort_indices()
        return cls(
            items=model.items,
            counts=np.asarray(model.item_counts, dtype=np.float64),
            pairs=pairs,
            n_baskets=float(model.itemsets.n_baskets),
            complete=False,
        )

    @classmethod
    def pruned(cls, baskets: Baskets, *, min_count: float, top: int) -> CoOccurrence:
        """What a model mined from `baskets` would keep (see `item_neighbours`)."""
        full = cls.from_baskets(baskets)
        table = item_neighbours(baskets, full.counts, min_count=min_count, top=top)
        n = len(full.items)
        pairs = sp.csr_matrix((table.counts, table.indices, table.indptr), shape=(n, n))
        pairs.sort_indices()
        return cls(full.items, full.counts, pairs, full.n_baskets, complete=False)


def incidence(baskets: Baskets) -> sp.csr_matrix:
    """The baskets-by-items 0/1 matrix as float64 CSR."""
    data = np.ones(baskets.indices.size, dtype=np.float64)
    shape = (baskets.n_baskets, len(baskets.items))
    return sp.csr_matrix((data, baskets.indices, baskets.indptr), shape=shape)


def popularity_prior(cooc: CoOccurrence) -> FloatArray:
    """Item support scaled to [0, 1]; also breaks ties between equal scores."""
    top = cooc.counts.max() if cooc.counts.size else 0.0
    return cooc.counts / top if top > 0 else np.zeros_like(cooc.counts)


def _scale_rows(matrix: sp.csr_matrix, factors: FloatArray) -> sp.csr_matrix:
    return (sp.diags(factors, format="csr") @ matrix).tocsr()


def _scale_cols(matrix: sp.csr_matrix, factors: FloatArray) -> sp.csr_matrix:
    return (matrix @ sp.diags(factors, format="csr")).tocsr()


def _safe_power(values: FloatArray, power: float) -> FloatArray:
    out = np.zeros_like(values)
    positive = values > 0
    out[positive] = 1.0 / np.power(values[positive], power)
    return out


def confidence_matrix(cooc: CoOccurrence) -> sp.csr_matrix:
    """S[c, j] = P(j | c)."""
    return _scale_rows(cooc.pairs, _safe_power(cooc.counts, 1.0))


def cosine_matrix(cooc: CoOccurrence) -> sp.csr_matrix:
    """S[c, j] = C[c, j] / sqrt(n_c n_j) (Amazon's item-to-item similarity on baskets)."""
    inv = _safe_power(cooc.counts, 0.5)
    return _scale_cols(_scale_rows(cooc.pairs, inv), inv)


def tactful_matrix(cooc: CoOccurrence, weights: TactfulWeights) -> sp.csr_matrix:
    """The default ranking's item-by-item scores (see TactfulWeights)."""
    pairs = cooc.pairs.copy()
    if weights.min_count > 1:
        pairs.data[pairs.data < weights.min_count] = 0.0
    if weights.min_lift > 0:
        pairs = _drop_low_lift(pairs, cooc, weights.min_lift)
    pairs.eliminate_zeros()
    if weights.shrinkage > 0:
        pairs.data = pairs.data * pairs.data / (pairs.data + weights.shrinkage)
    scored = _scale_cols(
        _scale_rows(pairs, _safe_power(cooc.counts, weights.alpha)),
        _safe_power(cooc.counts, 1.0 - weights.alpha),
    )
    if weights.power != 1.0:
        scored.data = np.power(scored.data, weights.power)
    return scored


def ridge_weights(cooc: CoOccurrence, weights: TactfulWeights) -> tuple[sp.csr_matrix, FloatArray]:
    """W[c, j], item j's regression weight on cart item c (top `weights.top` per c), and b[j].

    The regression has an intercept (a pseudo-item in every basket, not penalised): it
    carries each item's base rate, so staples are ranked by how often they are bought
    rather than by how much co-occurrence they soak up, and an empty cart gets popularity.
    """
    keep = _regressed_items(cooc.counts, weights.max_items)
    counts = cooc.counts[keep][:, np.newaxis]
    corner = np.array([[cooc.n_baskets]])
    block = sp.bmat([[cooc.pairs[keep][:, keep], counts], [counts.T, corner]])
    gram = block.astype(np.float32).toarray()
    diagonal = np.diag_indices(keep.size)
    gram[diagonal] = cooc.counts[keep]
    bought = cooc.counts[cooc.counts > 0]
    lam = weights.ridge * float(bought.mean()) if bought.size else 0.0
    gram[diagonal] += np.float32(max(lam, 1e-6))
    inverse = _spd_inverse(gram)
    solved = inverse / -np.diag(inverse)[np.newaxis, :]
    solved[np.diag_indices_from(solved)] = 0.0
    intercept = np.zeros(len(cooc.items))
    intercept[keep] = solved[-1, :-1]
    matrix = _top_per_row(solved[:-1, :-1], keep, len(cooc.items), weights.top)
    return matrix, intercept


def _regressed_items(counts: FloatArray, limit: int) -> npt.NDArray[np.int64]:
    """The `limit` most bought items (ascending codes); ties go to the lower code."""
    bought = np.flatnonzero(counts > 0)
    if bought.size > limit:
        order = np.argsort(-counts[bought], kind="stable")[:limit]
        bought = np.sort(bought[order])
    return bought.astype(np.int64)


def _spd_inverse(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Inverse of a symmetric positive definite matrix via Cholesky (float32, float64 if needed)."""
    if matrix.size == 0:
        return matrix
    for dtype in (np.float32, np.float64):
        try:
            factor, _ = sla.cho_factor(matrix.astype(dtype), check_finite=False)
        except np.linalg.LinAlgError:
            continue
        invert = sla.lapack.spotri if dtype is np.float32 else sla.lapack.dpotri
        inverse, info = invert(factor, lower=False)
        if info == 0:
            upper = np.triu(inverse)
            return np.asarray(upper + np.triu(upper, 1).T, dtype=np.float32)
    raise np.linalg.LinAlgError("ranking: the pair-count matrix is not positive definite")


def _top_per_row(
    dense: npt.NDArray[np.float32], codes: npt.NDArray[np.int64], n: int, top: int
) -> sp.csr_matrix:
    """Keep each row's `top` largest entries by size, placed back at item codes `codes`."""
    k = min(top, dense.shape[1])
    if k == 0:
        return sp.csr_matrix((n, n))
    part = np.argpartition(-np.abs(dense), k - 1, axis=1)[:, :k]
    values = np.take_along_axis(dense, part, axis=1).astype(np.float64)
    rows = np.repeat(codes, k)
    cols = codes[part].ravel()
    matrix = sp.csr_matrix((values.ravel(), (rows, cols)), shape=(n, n))
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix


def _typical_row_max(matrix: sp.csr_matrix) -> float:
    """Median over items of their best score: puts the popularity prior on the same scale."""
    if matrix.nnz == 0:
        return 1.0
    row_max = np.asarray(matrix.max(axis=1).todense()).ravel()
    positive = row_max[row_max > 0]
    return float(np.median(positive)) if positive.size else 1.0


def _drop_low_lift(pairs: sp.csr_matrix, cooc: CoOccurrence, min_lift: float) -> sp.csr_matrix:
    """Lift as a filter: keep pair (c, j) only when C[c,j] * N / (n_c n_j) >= min_lift."""
    coo = pairs.tocoo()
    lift = coo.data * cooc.n_baskets / (cooc.counts[coo.row] * cooc.counts[coo.col])
    keep = lift >= min_lift
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=pairs.shape)


@dataclass(frozen=True, eq=False)
class Scorer:
    """One ranking ready to score carts: a score matrix plus an additive item prior."""

    cooc: CoOccurrence
    matrix: sp.csr_matrix
    prior: FloatArray

    def score(self, carts: sp.csr_matrix) -> FloatArray:
        """Dense scores for a batch of carts (rows); cart items and unseen items get -inf."""
        scores = np.asarray((carts @ self.matrix).todense(), dtype=np.float64)
        scores += self.prior[np.newaxis, :]
        scores[:, self.cooc.counts <= 0] = -np.inf
        rows, cols = carts.nonzero()
        scores[rows, cols] = -np.inf
        return scores


def scorer(
    cooc: CoOccurrence, ranking: Ranking = Ranking.TACTFUL, weights: TactfulWeights | None = None
) -> Scorer:
    """Build the scorer for `ranking`; baselines get a negligible popularity tie-break."""
    pop = popularity_prior(cooc)
    tie = 1e-9 * pop
    n = len(cooc.items)
    if ranking is Ranking.POPULARITY:
        return Scorer(cooc, sp.csr_matrix((n, n)), pop)
    if ranking is Ranking.CONFIDENCE:
        return Scorer(cooc, confidence_matrix(cooc), tie)
    if ranking is Ranking.COSINE:
        return Scorer(cooc, cosine_matrix(cooc), tie)
    w = weights or TactfulWeights()
    if cooc.complete:
        matrix, intercept = ridge_weights(cooc, w)
        return Scorer(cooc, matrix, intercept + tie)
    matrix = tactful_matrix(cooc, w)
    return Scorer(cooc, matrix, w.prior * _typical_row_max(matrix) * pop + tie)


@dataclass(frozen=True, eq=False)
class RankingWeights:
    """The default ranking fitted on full pair counts, kept with a model: served is measured.

    A model keeps only each item's top neighbours, too few for the ridge regression, so the
    weights are solved once at mining time and stored next to it.
    """

    matrix: sp.csr_matrix
    intercept: FloatArray
    counts: FloatArray

    @classmethod
    def fit(cls, cooc: CoOccurrence, weights: TactfulWeights) -> RankingWeights:
        """Solve the ridge regression on complete counts (see `ridge_weights`)."""
        if not cooc.complete:
            raise ValueError("ranking: the ridge regression needs complete pair counts")
        matrix, intercept = ridge_weights(cooc, weights)
        return cls(matrix, intercept, np.asarray(cooc.counts, dtype=np.float64))

    def row_lookup(self, items: Sequence[str]) -> Callable[[str], dict[str, float]]:
        """x -> {add-on: x's weight towards it}: one cart item's share of the served score."""
        index = {label: i for i, label in enumerate(items)}
        matrix = sp.csr_matrix(self.matrix)

        def row(sku: str) -> dict[str, float]:
            i = index.get(sku)
            if i is None:
                return {}
            start, end = matrix.indptr[i], matrix.indptr[i + 1]
            targets, values = matrix.indices[start:end], matrix.data[start:end]
            return {items[j]: float(w) for j, w in zip(targets, values, strict=True)}

        return row

    def scorer(self, cooc: CoOccurrence) -> Scorer:
        """The scorer `scorer(full counts, TACTFUL, weights)` would build, over `cooc`'s items."""
        n = len(cooc.items)
        if self.matrix.shape != (n, n) or self.intercept.shape != (n,):
            raise ValueError(f"ranking: weights for {self.intercept.size} items, model has {n}")
        fitted = replace(cooc, counts=self.counts, index=dict(cooc.index))
        tie = 1e-9 * popularity_prior(fitted)
        return Scorer(fitted, self.matrix, self.intercept + tie)


def top_k(scores: FloatArray, k: int) -> npt.NDArray[np.int64]:
    """Column indices of the k best scores per row, best first (stable on ties)."""
    k = min(k, scores.shape[1])
    if k <= 0:
        return np.zeros((scores.shape[0], 0), dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1).astype(np.int64)


def cart_matrix(cooc: CoOccurrence, carts: Iterable[Sequence[str]]) -> sp.csr_matrix:
    """Carts of SKUs as 0/1 rows over the model's items; unknown SKUs are ignored."""
    indptr, indices = [0], []
    for cart in carts:
        codes = {cooc.index[s] for s in cart if s in cooc.index}
        indices.extend(sorted(codes))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(cooc.items)))


def recommend(
    model: AffinityModel | CoOccurrence | Scorer, cart_skus: Sequence[str], k: int = 3
) -> list[tuple[str, float]]:
    """The k best add-ons for a cart as (sku, score), best first; nothing already in the cart.

    Pass a ready `Scorer` (e.g. from `ModelProvider`) on hot paths: building one from a
    model costs a few sparse products.
    """
    ranker = as_scorer(model)
    carts = cart_matrix(ranker.cooc, [cart_skus])
    scores = ranker.score(carts)
    best = top_k(scores, k)[0]
    return [(ranker.cooc.items[j], float(scores[0, j])) for j in best if np.isfinite(scores[0, j])]


def as_scorer(
    model: AffinityModel | CoOccurrence | Scorer, weights: TactfulWeights | None = None
) -> Scorer:
    """tactful's default scorer for a model or co-occurrence counts (a Scorer passes through)."""
    if isinstance(model, Scorer):
        return model
    cooc = model if isinstance(model, CoOccurrence) else CoOccurrence.from_model(model)
    return scorer(cooc, Ranking.TACTFUL, weights)
