"""In-process latency of offers.decide() for carts of 1..20 items, model mined from Online Retail.

Run: .venv/bin/python bench/decide_latency.py [--calls N] [--seed S] [--data CSV]
Mines the full Online Retail data with tactful.domain.affinity.mine, builds the catalogue with
each SKU's median price, then times decide() on carts sampled from real invoices.
Target: p99 under 1 ms for every cart size.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tactful.domain.affinity import Baskets, MiningConfig, mine
from tactful.domain.catalog import Product, Sku
from tactful.domain.customers import Customer, CustomerId
from tactful.domain.money import Money
from tactful.domain.offers import (
    CartLine,
    Decision,
    DecisionContext,
    Moment,
    OfferCatalog,
    OfferEvent,
    OfferResponse,
    Purchase,
)
from tactful.domain.offers.engine import decide
from tactful.domain.offers.model_source import ModelAffinity

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail" / "online_retail.csv"
)
NON_PRODUCT = {"POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "PADS", "B", "S"}
NOW = datetime(2011, 12, 10, tzinfo=UTC)
TARGET = 0.001  # seconds: p99 of decide() for every cart size


def load(path: Path) -> tuple[list[list[str]], list[Product]]:
    """Positive invoices as baskets, and one product per stock code at its median price."""
    import pandas as pd  # type: ignore[import-untyped]

    frame = pd.read_csv(
        path,
        dtype={"InvoiceNo": str, "StockCode": str, "Description": str},
        usecols=["InvoiceNo", "StockCode", "Description", "Quantity", "UnitPrice"],
    )
    keep = (
        ~frame["InvoiceNo"].str.startswith("C")
        & (frame["Quantity"] > 0)
        & (frame["UnitPrice"] > 0)
        & ~frame["StockCode"].isin(NON_PRODUCT)
    )
    frame = frame[keep]
    grouped = frame.groupby("InvoiceNo")["StockCode"].agg(list)
    baskets = [sorted(set(items)) for items in grouped]
    stats = frame.groupby("StockCode").agg(
        price=("UnitPrice", "median"), title=("Description", "first")
    )
    products = [
        Product(
            Sku(str(row.Index)),
            row.title if isinstance(row.title, str) else str(row.Index),
            Money(round(row.price * 100), "GBP"),
        )
        for row in stats.itertuples()
    ]
    return baskets, products


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _setup(
    data: Path, gc_freeze: bool, rng: random.Random
) -> tuple[list[list[str]], OfferCatalog, ModelAffinity]:
    """Load, mine, build the catalogue and warm the adapter as a server would."""
    started = time.perf_counter()
    baskets, products = load(data)
    loaded = time.perf_counter()
    model = mine(Baskets.from_lists(baskets), MiningConfig(min_support=0.01))
    mined = time.perf_counter()
    catalog = OfferCatalog.build(products)
    affinity = ModelAffinity.from_model(model)
    print(
        f"Online Retail: {len(baskets):,} baskets, {len(products):,} products; "
        f"load {loaded - started:.1f} s, mine {mined - loaded:.1f} s "
        f"({model.summary.n_rules:,} rules, neighbours top {model.summary.config.top_neighbours})"
    )
    cold: list[float] = []
    for basket in rng.sample(baskets, 200):
        _time_one(catalog, affinity, basket[:5], rng, cold)
    print(
        f"first-touch decisions (adapter cache cold, 5 items): p50 "
        f"{percentile(cold, 50) * 1e3:.3f} ms, p99 {percentile(cold, 99) * 1e3:.3f} ms"
    )
    for sku in catalog.products:  # a server keeps the adapter for the model's lifetime
        affinity.cross_sells(sku, 1)
    if gc_freeze:
        gc.collect()
        gc.freeze()  # long-lived model objects leave the collector's generations
    return baskets, catalog, affinity


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1e3:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="decisions per cart size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DATA, help="the Online Retail CSV")
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="keep the loaded model in the GC's generations (a server would freeze it)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    baskets, catalog, affinity = _setup(args.data, args.gc_freeze, rng)
    print(
        f"{'items':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p99':>8} "
        f"{'candidates':>10} {'offers':>6}"
    )
    wall: list[float] = []
    cpu: list[float] = []
    worst = 0.0
    for size in range(1, 21):
        pool = [b for b in baskets if len(b) >= size]
        times: list[float] = []
        cpus: list[float] = []
        candidates = offers = 0
        for _ in range(args.calls):
            items = rng.sample(rng.choice(pool), size)
            decision = _time_one(catalog, affinity, items, rng, times, cpus)
            candidates += len(decision.trace)
            offers += len(decision.offers)
        wall.extend(times)
        cpu.extend(cpus)
        worst = max(worst, percentile(times, 99))
        print(
            f"{size:>5} {_ms(times, 50):>8} {_ms(times, 99):>8} {max(times) * 1e3:>8.3f} "
            f"{_ms(cpus, 50):>8} {_ms(cpus, 99):>8} {candidates / args.calls:>10.1f} "
            f"{offers / args.calls:>6.2f}"
        )
    verdict = "met" if worst < TARGET else "NOT met"
    print(
        f"all sizes, wall clock: {len(wall):,} decisions, p50 {_ms(wall, 50)} ms, "
        f"p99 {_ms(wall, 99)} ms; worst per-size p99 {worst * 1e3:.3f} ms "
        f"(target < {TARGET * 1e3:g} ms: {verdict})"
    )
    print(
        f"all sizes, CPU time (excludes time the OS gave other processes): p50 {_ms(cpu, 50)} ms, "
        f"p99 {_ms(cpu, 99)} ms"
    )
    print(
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs"
    )


def _time_one(
    catalog: OfferCatalog,
    affinity: ModelAffinity,
    items: list[str],
    rng: random.Random,
    sink: list[float],
    cpu_sink: list[float] | None = None,
) -> Decision:
    """Time one decision for a returning customer with a little history."""
    skus = list(catalog.products)
    history = [Purchase(Sku(rng.choice(skus)), NOW - timedelta(days=rng.uniform(1, 90)))]
    events = [
        OfferEvent(
            rng.choice(list(OfferResponse)),
            Sku(rng.choice(skus)),
            NOW - timedelta(days=rng.uniform(0, 20)),
            relevance=rng.random(),
        )
        for _ in range(3)
    ]
    customer = Customer(CustomerId(f"c{rng.randrange(100_000)}"))
    moment = rng.choice([Moment.CART, Moment.CHECKOUT, Moment.POST_PURCHASE])
    cart = [CartLine(Sku(sku), rng.randint(1, 6)) for sku in items]
    start, cpu = time.perf_counter(), time.thread_time()
    context = DecisionContext(
        decision_id=f"d{rng.randrange(10**9)}",
        now=NOW,
        catalog=catalog,
        affinity=affinity,
        purchases=history,
        offer_events=events,
    )
    decision = decide(customer, moment, cart, context)
    sink.append(time.perf_counter() - start)
    if cpu_sink is not None:
        cpu_sink.append(time.thread_time() - cpu)
    return decision


if __name__ == "__main__":
    main()
