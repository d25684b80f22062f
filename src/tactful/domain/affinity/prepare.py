"""Turn orders into the baskets an engine counts: customer windows, size caps, recency weights."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import Level, MiningConfig

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, eq=False)
class PreparedBaskets:
    """Baskets ready for an engine, with how many were cut down to the size cap."""

    baskets: Baskets
    capped: int


def prepare_baskets(baskets: Baskets, config: MiningConfig) -> PreparedBaskets:
    """Apply the level, the basket-size cap and recency weights, in that order."""
    if baskets.n_baskets == 0:
        raise ValueError("baskets: there are no baskets to mine")
    if config.level is Level.CUSTOMER:
        baskets = customer_baskets(baskets, config.window_days)
    baskets, capped = cap_baskets(baskets, config.max_basket_size)
    if config.half_life_days is not None:
        baskets = replace(baskets, weights=recency_weights(baskets, config.half_life_days))
    return PreparedBaskets(baskets=baskets, capped=capped)


def _seconds(baskets: Baskets, purpose: str) -> npt.NDArray[np.int64]:
    if baskets.times is None:
        raise ValueError(f"times: {purpose} needs the time of each basket")
    times = baskets.times.astype("datetime64[s]")
    if np.isnat(times).any():
        raise ValueError(f"times: {purpose} needs a time for every basket, some are missing")
    return times.astype(np.int64)


def recency_weights(baskets: Baskets, half_life_days: float) -> npt.NDArray[np.float64]:
    """0.5 ** (age / half-life), age in days before the newest basket, so old behaviour fades."""
    seconds = _seconds(baskets, "recency weighting")
    age_days = (seconds.max() - seconds) / SECONDS_PER_DAY
    weights: npt.NDArray[np.float64] = np.power(0.5, age_days / half_life_days)
    return weights


def customer_baskets(baskets: Baskets, window_days: float) -> Baskets:
    """One basket per customer and window: what a customer bought within `window_days`.

    A customer's windows are consecutive and anchored at their first order:
    [first + k·window, first + (k+1)·window) for k = 0, 1, ... Each non-empty window becomes
    one basket holding the distinct items of its orders, timed at its last order. Guest
    orders (customer < 0) stay baskets of their own.
    """
    if baskets.customers is None:
        raise ValueError("customers: customer-level mining needs the customer of each basket")
    seconds = _seconds(baskets, "customer-level mining")
    customers = baskets.customers
    known, customer = np.unique(customers, return_inverse=True)
    first = np.full(known.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, customer, seconds)
    window = (seconds - first[customer]) // int(window_days * SECONDS_PER_DAY)
    guest = customers < 0
    span = int(window.max()) + 1
    key = np.where(guest, -1 - np.arange(baskets.n_baskets), customer * span + window)
    _, group = np.unique(key, return_inverse=True)
    n_groups = int(group.max()) + 1
    entry_group = np.repeat(group, baskets.sizes).astype(np.int64)
    pairs = np.unique(entry_group * len(baskets.items) + baskets.indices)
    owner = pairs // len(baskets.items)
    last = np.full(n_groups, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, group, seconds)
    group_customer = np.empty(n_groups, dtype=np.int64)
    group_customer[group] = customers
    return Baskets(
        items=baskets.items,
        indptr=np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=n_groups)))),
        indices=(pairs % len(baskets.items)).astype(np.int32),
        customers=group_customer,
        times=last.astype("datetime64[s]"),
        prices=baskets.prices,
    )


def cap_baskets(baskets: Baskets, max_size: int) -> tuple[Baskets, int]:
    """Keep only the `max_size` most popular items of larger baskets; say how many were cut.

    Popularity is the item's basket count over all baskets (ties: lower item index), so the
    items a huge basket keeps are the ones that can still form frequent itemsets.
    """
    sizes = baskets.sizes
    oversized = int(np.count_nonzero(sizes > max_size))
    if oversized == 0:
        return baskets, 0
    popularity = np.bincount(baskets.indices, minlength=len(baskets.items))
    basket = np.repeat(np.arange(baskets.n_baskets), sizes)
    order = np.lexsort((baskets.indices, -popularity[baskets.indices], basket))
    rank = np.arange(order.size) - baskets.indptr[basket[order]]
    kept = order[rank < max_size]
    kept = kept[np.lexsort((baskets.indices[kept], basket[kept]))]
    new_sizes = np.minimum(sizes, max_size)
    indptr = np.concatenate(([0], np.cumsum(new_sizes))).astype(np.int64)
    return replace(baskets, indptr=indptr, indices=baskets.indices[kept]), oversized
