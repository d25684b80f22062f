"""Replaying history to measure add-on quality: hide one item per basket, ask for it back.

Protocol (the same as ../shared/data/ANCHORS.md): split the baskets by time or at random
(seeded); train on the first part; for every test basket with two or more items hide one
item chosen at random (seeded), give the rest as the cart and rank every other item seen in
training. HR@k is the share of test baskets whose hidden item is in the top k;
revenue-weighted HR@2 weights each basket by the hidden item's price; coverage is the share
of trained items that appear in any top-k list (k = the largest k asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.ranking import (
    CoOccurrence,
    Ranking,
    Scorer,
    TactfulWeights,
    incidence,
    scorer,
    top_k,
)

DEFAULT_KS = (1, 2, 10)
RIDGES = (0.03, 0.1, 0.3, 1.0, 3.0)  # λ as a multiple of the mean item count
_CHUNK = 2048
_VALIDATION_SHARE = 0.15
_VALIDATION_CARTS = 10000
_TUNING_ITEMS = 2000  # the solve is cubic in items; the most bought ones decide the ridge


@dataclass(frozen=True)
class Split:
    """Where to cut history: before a date (time) or a seeded random share (random)."""

    kind: str
    at: date | None = None
    share: float = 0.8

    @classmethod
    def parse(cls, text: str) -> Split:
        """Parse 'time:YYYY-MM-DD' or 'random:0.8'."""
        kind, _, value = text.partition(":")
        if kind == "time":
            try:
                return cls("time", at=date.fromisoformat(value))
            except ValueError:
                raise ValueError(f"split: {value!r} is not a date YYYY-MM-DD") from None
        if kind == "random":
            try:
                share = float(value)
            except ValueError:
                raise ValueError(f"split: {value!r} is not a share like 0.8") from None
            if not 0.0 < share < 1.0:
                raise ValueError(f"split: train share must be in (0, 1), got {share}")
            return cls("random", share=share)
        raise ValueError(f"split: expected time:YYYY-MM-DD or random:0.8, got {text!r}")

    def train_mask(self, baskets: Baskets, seed: int) -> npt.NDArray[np.bool_]:
        """True for baskets that go to training."""
        if self.kind == "time":
            if baskets.times is None:
                raise ValueError("split: a time split needs baskets with timestamps")
            cut = np.datetime64(self.at, "s")
            return np.asarray(baskets.times < cut)
        rng = np.random.default_rng(seed)
        return rng.random(baskets.n_baskets) < self.share


def subset(baskets: Baskets, mask: npt.NDArray[np.bool_]) -> Baskets:
    """The baskets where `mask` is true, keeping the same item codes."""
    rows = np.flatnonzero(mask)
    sizes = baskets.sizes[rows]
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    take = _row_positions(baskets.indptr[rows], sizes)
    return Baskets(
        items=baskets.items,
        indptr=indptr,
        indices=baskets.indices[take],
        customers=None if baskets.customers is None else baskets.customers[rows],
        times=None if baskets.times is None else baskets.times[rows],
        prices=baskets.prices,
    )


def _row_positions(
    starts: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Flat positions starts[r] .. starts[r]+sizes[r]-1 for every r, without a Python loop."""
    total = int(sizes.sum())
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + offsets


@dataclass(frozen=True, eq=False)
class Holdout:
    """Test carts (one row per eligible basket) and the item hidden from each."""

    carts: sp.csr_matrix
    hidden: npt.NDArray[np.int64]


def hide_one(test: Baskets, seed: int) -> Holdout:
    """For each basket with >= 2 items hide one item chosen uniformly at random (seeded)."""
    sizes = test.sizes
    rows = np.flatnonzero(sizes >= 2)
    rng = np.random.default_rng(seed)
    pick = (rng.random(rows.size) * sizes[rows]).astype(np.int64)
    hidden_pos = test.indptr[rows] + pick
    hidden = test.indices[hidden_pos].astype(np.int64)
    positions = _row_positions(test.indptr[rows], sizes[rows])
    keep = np.ones(test.indices.size, dtype=bool)
    keep[hidden_pos] = False
    kept = positions[keep[positions]]
    cart_sizes = sizes[rows] - 1
    indptr = np.concatenate([[0], np.cumsum(cart_sizes)]).astype(np.int64)
    data = np.ones(kept.size, dtype=np.float64)
    carts = sp.csr_matrix((data, test.indices[kept], indptr), shape=(rows.size, len(test.items)))
    return Holdout(carts=carts, hidden=hidden)


@dataclass(frozen=True)
class Metrics:
    """Quality of one ranking on one split."""

    ranking: str
    hit_rates: dict[int, float]
    revenue_hr2: float | None
    coverage: float
    n_test: int


def measure(
    ranker: Scorer,
    holdout: Holdout,
    prices: npt.NDArray[np.int64] | None,
    ks: Sequence[int] = DEFAULT_KS,
    name: str = "",
) -> Metrics:
    """Hit rates, revenue-weighted HR@2 and coverage of `ranker` on `holdout`."""
    kmax = max(max(ks), 2)
    ranks = np.full(holdout.hidden.size, kmax, dtype=np.int64)
    recommended = np.zeros(len(ranker.cooc.items), dtype=bool)
    for start in range(0, holdout.hidden.size, _CHUNK):
        stop = start + _CHUNK
        scores = ranker.score(holdout.carts[start:stop])
        best = top_k(scores, kmax)
        finite = np.isfinite(np.take_along_axis(scores, best, axis=1))
        recommended[best[finite]] = True
        hit = (best == holdout.hidden[start:stop, np.newaxis]) & finite
        ranks[start:stop] = np.where(hit.any(axis=1), hit.argmax(axis=1), kmax)
    n = max(holdout.hidden.size, 1)
    rates = {k: float((ranks < k).sum() / n) for k in ks}
    trained = int((ranker.cooc.counts > 0).sum())
    return Metrics(
        ranking=name,
        hit_rates=rates,
        revenue_hr2=_revenue_hr(ranks < 2, holdout.hidden, prices),
        coverage=float(recommended.sum() / trained) if trained else 0.0,
        n_test=int(holdout.hidden.size),
    )


def _revenue_hr(
    hits: npt.NDArray[np.bool_],
    hidden: npt.NDArray[np.int64],
    prices: npt.NDArray[np.int64] | None,
) -> float | None:
    if prices is None:
        return None
    price = prices[hidden].astype(np.float64)
    known = price >= 0
    total = price[known].sum()
    if not known.any() or total <= 0:
        return None
    return float((price[known] * hits[known]).sum() / total)


@dataclass(frozen=True)
class Evaluation:
    """Every ranking measured on the same split."""

    split: str
    seed: int
    n_train: int
    n_test_baskets: int
    results: tuple[Metrics, ...]
    weights: TactfulWeights | None = None

    def best_baseline(self, k: int = 2) -> Metrics:
        """The strongest non-tactful ranking by HR@k."""
        baselines = [m for m in self.results if m.ranking != Ranking.TACTFUL]
        return max(baselines, key=lambda m: m.hit_rates.get(k, 0.0))


def evaluate(
    baskets: Baskets,
    split: Split,
    *,
    seed: int = 0,
    ks: Sequence[int] = DEFAULT_KS,
    rankings: Sequence[Ranking] = tuple(Ranking),
    weights: TactfulWeights | None = None,
) -> Evaluation:
    """Split, train co-occurrence on the train part and measure every ranking on the test part."""
    if not ks or min(ks) < 1:
        raise ValueError("k: every k must be a positive integer")
    mask = split.train_mask(baskets, seed)
    train, test = subset(baskets, mask), subset(baskets, ~mask)
    if train.n_baskets == 0 or test.n_baskets == 0:
        raise ValueError("split: both the train and the test part must hold baskets")
    cooc = CoOccurrence.from_baskets(train)
    holdout = hide_one(test, seed)
    tuned = weights or tune(train, seed=seed)
    results = tuple(
        measure(scorer(cooc, r, tuned), holdout, baskets.prices, ks, name=str(r)) for r in rankings
    )
    label = f"time:{split.at}" if split.kind == "time" else f"random:{split.share}"
    return Evaluation(label, seed, train.n_baskets, test.n_baskets, results, tuned)


def validation_mask(train: Baskets, seed: int) -> npt.NDArray[np.bool_]:
    """True for the fitting part: all but the latest 15% (by time if known, else at random)."""
    if train.times is not None and train.n_baskets:
        stamps = train.times.astype(np.int64)
        cut = np.quantile(stamps, 1.0 - _VALIDATION_SHARE)
        fit = np.asarray(stamps < cut)
        if fit.any() and not fit.all():
            return fit
    rng = np.random.default_rng(seed + 1)
    return rng.random(train.n_baskets) >= _VALIDATION_SHARE


def hide_each(check: Baskets, seed: int, limit: int = _VALIDATION_CARTS) -> Holdout:
    """Every (basket, hidden item) pair of baskets with >= 2 items, at most `limit` (seeded).

    Hiding each item in turn gives several times more validation carts than `hide_one`
    from the same baskets, which steadies the choice of the ridge.
    """
    sizes = check.sizes
    eligible = np.repeat(sizes >= 2, sizes)
    positions = np.flatnonzero(eligible)
    if positions.size > limit:
        rng = np.random.default_rng(seed + 2)
        positions = np.sort(rng.choice(positions, size=limit, replace=False))
    owner = np.repeat(np.arange(check.n_baskets), sizes)[positions]
    hidden = check.indices[positions].astype(np.int64)
    one_hot = sp.csr_matrix(
        (np.ones(hidden.size), (np.arange(hidden.size), hidden)),
        shape=(hidden.size, len(check.items)),
    )
    carts = (incidence(check)[owner] - one_hot).tocsr()
    carts.eliminate_zeros()
    return Holdout(carts=carts, hidden=hidden)


def tune(
    train: Baskets,
    *,
    seed: int = 0,
    base: TactfulWeights | None = None,
    ridges: Sequence[float] = RIDGES,
) -> TactfulWeights:
    """Pick the ridge on a validation slice of the training history, never the test.

    Fits on the earlier 85% and scores carts from the latest 15% by HR@2, hiding each
    item of each validation basket in turn (several times the carts `hide_one` gives),
    for every ridge of the grid. Each trial is one Cholesky solve, cubic in items, so
    trials regress only the 2,000 most bought items (λ scales with the mean count of all
    items, so it means the same in the trial and in the final fit). Small histories
    keep `base`.
    """
    start = base or TactfulWeights()
    mask = validation_mask(train, seed)
    fit, check = subset(train, mask), subset(train, ~mask)
    holdout = hide_each(check, seed)
    if fit.n_baskets == 0 or holdout.hidden.size < 50:
        return start
    cooc = CoOccurrence.from_baskets(fit)
    trial = replace(start, max_items=min(start.max_items, _TUNING_ITEMS))
    quality = [
        measure(
            scorer(cooc, Ranking.TACTFUL, replace(trial, ridge=r)), holdout, None, (2,)
        ).hit_rates[2]
        for r in ridges
    ]
    best = int(np.argmax(quality))  # ties go to the smaller ridge
    return replace(start, ridge=ridges[best])
