"""Frequent-itemset mining speed on full Online Retail: tactful vs mlxtend vs pyfim.

Run: .venv/bin/python bench/mine_speed.py [--repeat N]
Prints one row per min_support (max_len 3) and asserts all three find the same itemsets.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tactful.domain.affinity import (
    Baskets,
    MiningConfig,
    count_itemsets,
    derive_rules,
    mine,
    prepare_baskets,
)

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail" / "online_retail.csv"
)
NON_PRODUCT = {"POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "PADS", "B", "S"}
SUPPORTS = (0.02, 0.01, 0.005)


def load_online_retail(path: Path = DATA) -> Baskets:
    """Positive invoices as baskets (no C invoices, qty > 0, price > 0, goods only)."""
    import pandas as pd

    frame = pd.read_csv(
        path,
        dtype={"InvoiceNo": str, "StockCode": str},
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
    )
    keep = (
        ~frame["InvoiceNo"].str.startswith("C")
        & (frame["Quantity"] > 0)
        & (frame["UnitPrice"] > 0)
        & ~frame["StockCode"].isin(NON_PRODUCT)
    )
    frame = frame[keep]
    invoice, invoices = pd.factorize(frame["InvoiceNo"], sort=True)
    item, items = pd.factorize(frame["StockCode"], sort=True)
    key = np.unique(invoice.astype(np.int64) * len(items) + item)
    owner = key // len(items)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=len(invoices)))))
    first = frame.groupby(invoice).agg(
        time=("InvoiceDate", "first"), customer=("CustomerID", "first")
    )
    customers = first["customer"].fillna(-1).to_numpy().astype(np.int64)
    times = pd.to_datetime(first["time"]).to_numpy().astype("datetime64[s]")
    return Baskets(
        items=tuple(str(i) for i in items),
        indptr=indptr.astype(np.int64),
        indices=(key % len(items)).astype(np.int32),
        customers=customers,
        times=times,
    )


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def _mlxtend(baskets: Baskets, support: float) -> tuple[int, int]:
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    frame = pd.DataFrame.sparse.from_spmatrix(baskets.matrix().astype(bool), columns=baskets.items)
    itemsets = fpgrowth(frame, min_support=support, max_len=3)
    rules = association_rules(itemsets, baskets.n_baskets, min_threshold=0.0)
    return len(itemsets), len(rules)


def _tactful_itemset_keys(baskets: Baskets, support: float) -> set[frozenset[str]]:
    itemsets = count_itemsets(baskets, MiningConfig(min_support=support))
    keys = {frozenset([baskets.items[i]]) for i in itemsets.frequent_items(support)}
    for sets in itemsets.levels:
        keys |= {frozenset(baskets.items[i] for i in row) for row in sets.tolist()}
    return keys


def main() -> None:
    import fim

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mlxtend-repeat", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    baskets = load_online_retail()
    print(
        f"loaded {baskets.n_baskets:,} baskets, {len(baskets.items):,} items, mean size "
        f"{baskets.sizes.mean():.1f}, max {baskets.sizes.max()} "
        f"in {time.perf_counter() - start:.2f} s"
    )
    transactions = [baskets.basket(b) for b in range(baskets.n_baskets)]
    print(
        f"{'min_support':>11} {'itemsets':>9} {'tactful':>9} {'+rules':>8} {'pyfim':>8} "
        f"{'mlxtend':>8}  tactful vs mlxtend / vs pyfim"
    )
    for support in SUPPORTS:
        config = MiningConfig(min_support=support, min_confidence=0.0001)
        t_count, itemsets = best_of(args.repeat, lambda c=config: count_itemsets(baskets, c))
        t_rules, rules = best_of(args.repeat, lambda i=itemsets, c=config: derive_rules(i, c))
        t_fim, reference = best_of(
            args.repeat,
            lambda s=support: fim.fpgrowth(
                transactions, target="s", supp=s * 100, zmin=1, zmax=3, report="a"
            ),
        )
        t_mlx, (mlx_sets, mlx_rules) = best_of(
            args.mlxtend_repeat, lambda s=support: _mlxtend(baskets, s)
        )
        ours = itemsets.n_itemsets(support)
        assert ours == len(reference) == mlx_sets, (ours, len(reference), mlx_sets)
        assert _tactful_itemset_keys(baskets, support) == {frozenset(s) for s, _ in reference}
        single_consequent = sum(1 for r in rules)
        print(
            f"{support:>11} {ours:>9,} {t_count:>8.3f}s {t_rules:>7.3f}s {t_fim:>7.3f}s "
            f"{t_mlx:>7.2f}s  {t_mlx / t_count:6.1f}x / {t_count / t_fim:4.2f}x  "
            f"({single_consequent:,} single-consequent rules; mlxtend {mlx_rules:,} rules)"
        )
    config = MiningConfig(min_support=0.01)
    t_mine, model = best_of(max(1, args.repeat // 2), lambda: mine(baskets, config))
    phases = ", ".join(f"{k} {v:.3f}s" for k, v in model.summary.timings.items())
    print(
        f"full mine() at 0.01 (rules, top-50 cosine neighbours, summary): {t_mine:.3f} s [{phases}]"
    )
    customer = MiningConfig(min_support=0.01, level="customer")  # type: ignore[arg-type]
    t_prep, prepared = best_of(args.repeat, lambda: prepare_baskets(baskets, customer))
    print(
        f"customer-level baskets (90-day windows): {prepared.baskets.n_baskets:,} from "
        f"{baskets.n_baskets:,} invoices in {t_prep:.3f} s"
    )
    _huge_baskets(baskets, args.repeat)


def _huge_baskets(baskets: Baskets, repeat: int) -> None:
    """mlxtend #909: add 20 baskets of 3,000 items; the cap keeps time and memory flat."""
    rng = np.random.default_rng(0)
    extra = np.concatenate(
        [np.sort(rng.choice(len(baskets.items), 3000, replace=False)) for _ in range(20)]
    )
    indptr = np.concatenate((baskets.indptr, baskets.indptr[-1] + 3000 * np.arange(1, 21)))
    bigger = Baskets(
        items=baskets.items,
        indptr=indptr,
        indices=np.concatenate((baskets.indices, extra)).astype(np.int32),
    )
    config = MiningConfig(min_support=0.01)
    seconds, model = best_of(max(1, repeat // 2), lambda: mine(bigger, config))
    print(
        f"with 20 extra 3,000-item baskets: mine() {seconds:.3f} s, "
        f"{model.summary.baskets_capped} baskets capped at {config.max_basket_size}"
    )


if __name__ == "__main__":
    main()
