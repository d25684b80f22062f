"""One entry point: baskets in, a complete affinity model out, whichever engine counts."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

import numpy as np

from tactful.domain.affinity.baskets import Baskets
from tactful.domain.affinity.config import MiningConfig
from tactful.domain.affinity.counting import LocalEngine, count_itemsets
from tactful.domain.affinity.itemsets import MiningEngine
from tactful.domain.affinity.model import AffinityModel, MiningSummary
from tactful.domain.affinity.prepare import prepare_baskets
from tactful.domain.affinity.rules import rule_table
from tactful.domain.affinity.similarity import cooccurrence_table, item_neighbours
from tactful.domain.affinity.upgrades import upgrade_steps
from tactful.domain.catalog import Product


def mine(
    baskets: Baskets,
    config: MiningConfig,
    engine: MiningEngine | None = None,
    *,
    products: Iterable[Product] = (),
) -> AffinityModel:
    """Mine rules, item similarities and upgrade steps from `baskets`."""
    engine = engine or LocalEngine()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] = now - clock
        clock = now

    prepared = prepare_baskets(baskets, config)
    lap("prepare")
    table = None
    if isinstance(engine, LocalEngine):  # one co-occurrence product for pairs and similarity
        table = cooccurrence_table(prepared.baskets)
        itemsets = count_itemsets(prepared.baskets, config, table=table)
    else:
        itemsets = engine.frequent_itemsets(prepared.baskets, config)
    lap("itemsets")
    rules = rule_table(itemsets, config)
    lap("rules")
    neighbours = item_neighbours(
        prepared.baskets,
        itemsets.item_counts,
        min_count=config.min_cooccurrence,
        top=config.top_neighbours,
        table=table,
    )
    del table
    lap("similarity")
    upgrades = upgrade_steps(products, baskets)
    lap("upgrades")
    start, end = _window(baskets)
    summary = MiningSummary(
        config=config,
        engine=type(engine).__name__,
        n_orders=baskets.n_baskets,
        n_baskets=prepared.baskets.n_baskets,
        n_items=int(np.count_nonzero(itemsets.item_counts)),
        n_frequent_items=int(itemsets.frequent_items(config.min_support).size),
        n_itemsets=itemsets.n_itemsets(config.min_support),
        n_rules=len(rules),
        baskets_capped=prepared.capped,
        total_weight=itemsets.n_baskets,
        window_start=start,
        window_end=end,
        timings=timings,
    )
    return AffinityModel.assemble(itemsets, rules, neighbours, upgrades, summary)


def _window(baskets: Baskets) -> tuple[datetime | None, datetime | None]:
    """First and last basket time: the data window the model was mined from."""
    if baskets.times is None or baskets.times.size == 0:
        return None, None
    seconds = baskets.times.astype("datetime64[s]")
    seconds = seconds[~np.isnat(seconds)]
    if seconds.size == 0:
        return None, None
    first, last = seconds.min().item(), seconds.max().item()
    return first, last
