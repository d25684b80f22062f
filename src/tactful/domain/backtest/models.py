"""Affinity models mined only from orders before a moment, re-mined once per calendar month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from tactful.domain.affinity import Baskets, MiningConfig, mine
from tactful.domain.catalog import Product
from tactful.domain.lifetime.history import OrderHistory
from tactful.domain.offers import EMPTY_AFFINITY, AffinitySource
from tactful.domain.offers.model_source import ModelAffinity

MIN_ORDERS_TO_MINE = 20


def distinct_baskets(history: OrderHistory) -> Baskets:
    """Every order of the history as a basket of distinct SKUs (same order, same times)."""
    n_items = max(len(history.items), 1)
    lengths = np.diff(history.indptr)
    order_of_line = np.repeat(np.arange(history.size, dtype=np.int64), lengths)
    pairs = np.unique(order_of_line * n_items + history.indices)
    baskets_of, items_of = np.divmod(pairs, n_items)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(baskets_of, minlength=history.size))))
    return Baskets(
        items=history.items,
        indptr=indptr.astype(np.int64),
        indices=items_of.astype(np.int32),
        customers=history.customers,
        times=history.times,
    )


def baskets_before(baskets: Baskets, count: int) -> Baskets:
    """The first `count` baskets (the orders placed before some moment)."""
    end = int(baskets.indptr[count])
    return Baskets(
        items=baskets.items,
        indptr=baskets.indptr[: count + 1],
        indices=baskets.indices[:end],
        customers=None if baskets.customers is None else baskets.customers[:count],
        times=None if baskets.times is None else baskets.times[:count],
    )


@dataclass
class MonthlyModels:
    """The model a decision in a given month would have had: mined from earlier months only."""

    baskets: Baskets
    config: MiningConfig
    products: tuple[Product, ...] = ()
    mined: dict[int, AffinitySource] = field(default_factory=dict)

    @classmethod
    def of(
        cls, history: OrderHistory, config: MiningConfig, products: Iterable[Product] = ()
    ) -> MonthlyModels:
        """Models over `history` (mined lazily, once per month asked for)."""
        return cls(distinct_baskets(history), config, tuple(products))

    def for_month(self, month: np.datetime64) -> AffinitySource:
        """The model of every order placed during `month` (datetime64[M])."""
        key = int(month.astype(np.int64))
        found = self.mined.get(key)
        if found is None:
            found = self.mined[key] = self._mine_before(month.astype("datetime64[s]"))
        return found

    @property
    def times_mined(self) -> int:
        """How many models were mined so far."""
        return len(self.mined)

    def _mine_before(self, cutoff: np.datetime64) -> AffinitySource:
        times = self.baskets.times
        assert times is not None
        count = int(np.searchsorted(times, cutoff, side="left"))
        if count < MIN_ORDERS_TO_MINE:
            return EMPTY_AFFINITY
        earlier = baskets_before(self.baskets, count)
        return ModelAffinity.from_model(mine(earlier, self.config, products=self.products))
