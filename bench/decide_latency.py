"""In-process latency of offers.decide() for carts of 1..20 items, model mined from Online Retail.

Run: .venv/bin/python bench/decide_latency.py [--calls N] [--seed S] [--data CSV] [--popular N]
Mines the full Online Retail data with tactful.domain.affinity.mine, builds the catalogue with
each SKU's median price, then times decide() on carts sampled from real invoices.
Target: p99 under 1 ms for every cart size.

`--popular N` then times N decisions shaped like bench/http_decisions.py's requests: carts of
1-5 of the 400 SKUs in most baskets, its moments, every other one for a returning customer
(one of 1,000, each with 30 purchases and up to 5 offer events). Same inputs in any tree, so
`cd OTHER_TREE && .venv/bin/python THIS_FILE --popular 6000` compares engines in process.
Each section also times `trace_text(decision.trace)`, the trace as the decision log stores it
on the same path.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from collections import Counter
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
from tactful.domain.offers.trace_log import trace_text

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
    parser.add_argument(
        "--popular", type=int, default=0, help="then time this many http-shaped decisions"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    baskets, catalog, affinity = _setup(args.data, args.gc_freeze, rng)
    _by_cart_size(baskets, catalog, affinity, rng, args.calls)
    if args.popular:
        _popular(baskets, catalog, affinity, random.Random(args.seed), args.popular)
    print(
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs"
    )


def _by_cart_size(
    baskets: list[list[str]],
    catalog: OfferCatalog,
    affinity: ModelAffinity,
    rng: random.Random,
    calls: int,
) -> None:
    """Carts of 1..20 items sampled from real invoices, `calls` decisions per size."""
    print(
        f"{'items':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p99':>8} "
        f"{'candidates':>10} {'offers':>6}"
    )
    wall: list[float] = []
    cpu: list[float] = []
    traced: list[float] = []  # CPU of the trace as the decision log stores it (trace_text)
    worst = 0.0
    for size in range(1, 21):
        pool = [b for b in baskets if len(b) >= size]
        times: list[float] = []
        cpus: list[float] = []
        candidates = offers = 0
        for _ in range(calls):
            items = rng.sample(rng.choice(pool), size)
            decision = _time_one(catalog, affinity, items, rng, times, cpus)
            started = time.thread_time()
            trace_text(decision.trace)
            traced.append(time.thread_time() - started)
            candidates += len(decision.trace)
            offers += len(decision.offers)
        wall.extend(times)
        cpu.extend(cpus)
        worst = max(worst, percentile(times, 99))
        print(
            f"{size:>5} {_ms(times, 50):>8} {_ms(times, 99):>8} {max(times) * 1e3:>8.3f} "
            f"{_ms(cpus, 50):>8} {_ms(cpus, 99):>8} {candidates / calls:>10.1f} "
            f"{offers / calls:>6.2f}"
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
        f"all sizes, the stored trace (trace_text, after decide()): CPU mean "
        f"{sum(traced) / len(traced) * 1e6:.1f} µs, p50 {percentile(traced, 50) * 1e6:.1f} µs, "
        f"{sum(traced) / sum(cpu):.1%} of decide()'s mean"
    )


Inputs = tuple[Customer, Moment, list[CartLine], list[Purchase], list[OfferEvent]]


def _popular_inputs(baskets: list[list[str]], rng: random.Random, count: int) -> list[Inputs]:
    """Requests shaped like bench/http_load.py's decision bodies, with returning customers'
    purchases and offer events as the decision reads would give them."""
    popular = [Sku(sku) for sku, _ in Counter(s for b in baskets for s in b).most_common(400)]
    moments = [Moment.CART, Moment.CART, Moment.CHECKOUT, Moment.BROWSING, Moment.POST_PURCHASE]
    histories = [
        (
            [
                Purchase(rng.choice(popular), NOW - timedelta(days=rng.uniform(1, 300)))
                for _ in range(30)
            ],
            [
                OfferEvent(
                    rng.choice(list(OfferResponse)),
                    rng.choice(popular),
                    NOW - timedelta(days=rng.uniform(0, 10)),
                    relevance=rng.random(),
                )
                for _ in range(rng.randint(0, 5))
            ],
        )
        for _ in range(1000)
    ]
    inputs: list[Inputs] = []
    for number in range(count):
        known = number % 2 == 1
        customer = rng.randrange(1000) if known else number
        purchases, events = histories[customer] if known else ([], [])
        cart = [CartLine(sku, rng.randint(1, 3)) for sku in rng.sample(popular, rng.randint(1, 5))]
        who = Customer(CustomerId(f"{'c' if known else 'visitor-'}{customer}"))
        inputs.append((who, rng.choice(moments), cart, purchases, events))
    return inputs


def _popular(
    baskets: list[list[str]],
    catalog: OfferCatalog,
    affinity: ModelAffinity,
    rng: random.Random,
    count: int,
) -> None:
    """CPU per decision on http-shaped requests, the second of two passes over the same ones."""
    inputs = _popular_inputs(baskets, rng, count)
    for _ in range(2):  # the first pass warms what a long-running server holds
        cpu: list[float] = []
        traced: list[float] = []
        candidates = offers = 0
        for number, (customer, moment, cart, purchases, events) in enumerate(inputs):
            started = time.thread_time()
            context = DecisionContext(
                decision_id=f"d{number}",
                now=NOW,
                catalog=catalog,
                affinity=affinity,
                purchases=purchases,
                offer_events=events,
            )
            decision = decide(customer, moment, cart, context)
            decided = time.thread_time()
            trace_text(decision.trace)  # as the decision log stores it
            traced.append(time.thread_time() - decided)
            cpu.append(decided - started)
            candidates += len(decision.trace)
            offers += len(decision.offers)
    print(
        f"http-shaped (--popular {count:,}): CPU p50 {_ms(cpu, 50)} ms, p99 {_ms(cpu, 99)} ms, "
        f"mean {sum(cpu) / len(cpu) * 1e3:.3f} ms; {candidates / count:.1f} candidates, "
        f"{offers / count:.2f} offers per decision"
    )
    print(
        f"http-shaped, the stored trace (trace_text): CPU mean "
        f"{sum(traced) / len(traced) * 1e6:.1f} µs, p50 {percentile(traced, 50) * 1e6:.1f} µs; "
        f"decide() + trace_text mean {(sum(cpu) + sum(traced)) / count * 1e3:.3f} ms"
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
