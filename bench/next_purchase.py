"""`tactful evaluate --task next-purchase` on the shared datasets, as orders-csv files.

Run: .venv/bin/python bench/next_purchase.py [--k 10] [--keep DIR] [--engine-sample 300]
Writes both datasets as orders-csv, runs the CLI (a subprocess, `--json`) with the default
split (each customer's last order) and a time split, and prints recall@k and ndcg@k of every
ranking with the email ranking's margin over the better of the two contract baselines.

- online_retail.csv: UCI Online Retail (../shared/data/online_retail), invoices with a customer,
  credit notes ("C" invoices), non-product codes, quantity <= 0 and price <= 0 dropped.
- grocery.csv: 84.51 The Complete Journey 2.0 sample (../shared/data/dunnhumby_completejourney),
  households as customers, baskets as orders, items at the product_type level (the sample was
  drawn by line item, so product ids are too thin to recur; product types recur as grocery
  staples do in Ta-Feng).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NON_PRODUCT = {"POST", "DOT", "M", "D", "C2", "S", "B", "CRUK", "PADS", "BANK CHARGES", "AMAZONFEE"}
HEADER = ["order_id", "sku", "created_at", "quantity", "unit_price", "customer_id", "name"]


def online_retail(out: Path) -> int:
    """Positive invoices with a customer, as orders-csv rows; returns rows written."""
    written = 0
    with (
        (DATA / "online_retail" / "online_retail.csv").open(newline="") as src,
        out.open("w", newline="") as dst,
    ):
        writer = csv.writer(dst)
        writer.writerow(HEADER)
        for row in csv.DictReader(src):
            code, customer = row["StockCode"].strip(), row["CustomerID"].strip()
            if not customer or row["InvoiceNo"].startswith("C") or code.upper() in NON_PRODUCT:
                continue
            if code.upper().startswith("GIFT") or int(row["Quantity"]) <= 0:
                continue
            if float(row["UnitPrice"]) <= 0:
                continue
            writer.writerow(
                [
                    row["InvoiceNo"],
                    code,
                    row["InvoiceDate"],
                    row["Quantity"],
                    row["UnitPrice"],
                    customer.removesuffix(".0"),
                    row["Description"].strip() or code,
                ]
            )
            written += 1
    return written


def grocery(out: Path) -> int:
    """Complete Journey sample lines as orders-csv rows at the product_type level."""
    folder = DATA / "dunnhumby_completejourney"
    with (folder / "products.csv").open(newline="") as src:
        types = {
            r["product_id"]: f"{r['product_category']}/{r['product_type']}".strip("/")
            for r in csv.DictReader(src)
        }
    rows = []
    with (folder / "transactions_sample.csv").open(newline="") as src:
        for row in csv.DictReader(src):
            kind = types.get(row["product_id"])
            quantity = int(float(row["quantity"]))
            if not kind or quantity <= 0 or float(row["sales_value"]) <= 0:
                continue
            unit = float(row["sales_value"]) / quantity
            time, basket = row["transaction_timestamp"], row["basket_id"]
            rows.append([basket, kind, time, quantity, f"{unit:.2f}", row["household_id"], kind])
    # a basket's lines are sampled at different instants: order by basket, at its first line
    first: dict[str, str] = {}
    for row in rows:
        first[row[0]] = min(first.get(row[0], row[2]), row[2])
    rows.sort(key=lambda row: (first[row[0]], row[0]))
    with out.open("w", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


CASES = [
    ("online_retail.csv", "Online Retail", "time:2011-10-01"),
    ("grocery.csv", "Complete Journey (grocery)", "time:2017-10-01"),
]


def run(path: Path, split: str | None, k: int) -> tuple[dict[str, object], float, float]:
    """The CLI's JSON body, its wall time and the child's CPU time."""
    command = [sys.executable, "-m", "tactful", "evaluate", str(path), "--format", "orders-csv"]
    command += ["--task", "next-purchase", "--k", str(k), "--json"]
    command += ["--split", split] if split else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(done.stdout), wall, cpu


def report(label: str, body: dict[str, object], k: int, wall: float, cpu: float) -> None:
    """One table: every ranking, then email's margin over the better contract baseline."""
    rows = {r["ranking"]: r for r in body["results"]}  # type: ignore[attr-defined]
    print(
        f"\n{label}, split {body['split']}: {body['n_test_customers']:,} customers "
        f"({wall:.1f} s wall, {cpu:.1f} s CPU)"
    )
    for name, row in rows.items():
        recall, ndcg = f"recall@{k}", f"ndcg@{k}"
        print(
            f"  {name:24s} {recall} {row[recall]:.4f} ± {row[recall + '_se']:.4f}"
            f"  {ndcg} {row[ndcg]:.4f} ± {row[ndcg + '_se']:.4f}"
        )
    for metric in (f"recall@{k}", f"ndcg@{k}"):
        best = max(rows["personal-frequency"][metric], rows["popularity"][metric])
        print(f"  email - best baseline, {metric}: {rows['email'][metric] - best:+.4f}")


def engine_check(path: Path, k: int, sample: int) -> None:
    """The engine's path against the evaluation on the first `sample` customers of the `last`
    split: `buy_again.scores` over each history with the k best-sellers as staples (the fill
    `domain/offers/repurchases.buy_again` does) and without them (the engine before the fill),
    beside the evaluation's vectorised email ranking; the same prior (customer cosine,
    popularity) for all three, so any difference is the fill."""
    import numpy as np

    from tactful.domain.affinity.buy_again import history, ranked, scores
    from tactful.domain.affinity.next_purchase import (
        MatrixPrior,
        NextPurchaseSplit,
        cases,
        chunk_scores,
        statistics,
    )
    from tactful.domain.affinity.ranking import top_k
    from tactful.standalone import baskets_from_file

    started = time.process_time()
    baskets = baskets_from_file(path, "orders-csv")
    found = cases(baskets, NextPurchaseSplit())
    stats = statistics(baskets, found)
    n = min(sample, int(found.targets.size))
    vectorised = chunk_scores(stats, slice(0, n), ["email"])["email"]
    best = top_k(vectorised, k)
    prior = MatrixPrior(stats.cosine, stats.popularity)
    staples = np.argsort(-stats.popularity, kind="stable")[:k].tolist()
    matrix = baskets.matrix().tocsr()
    recall: dict[str, list[float]] = {"evaluation": [], "engine": [], "engine without fill": []}
    same = 0
    for customer in range(n):
        mine = found.history_owner == customer
        rows, ages = found.history_rows[mine], found.history_age_days[mine]
        bought = history(
            (age, matrix[row].indices.tolist()) for row, age in zip(rows, ages, strict=True)
        )
        wanted = set(matrix[found.targets[customer]].indices.tolist())
        evaluated = [i for i in best[customer].tolist() if np.isfinite(vectorised[customer, i])]
        filled = ranked(scores(bought, prior, staples))[:k]
        same += set(filled) == set(evaluated)
        tops = (evaluated, filled, ranked(scores(bought, prior))[:k])
        for name, top in zip(recall, tops, strict=True):
            recall[name].append(len(wanted & set(top)) / len(wanted))
    figures = ", ".join(f"{name} {sum(v) / n:.4f}" for name, v in recall.items())
    print(
        f"  engine path, first {n:,} customers of split last: recall@{k} {figures}; "
        f"top {k} the same as the evaluation's for {same:,}/{n:,} "
        f"({time.process_time() - started:.1f} s CPU)"
    )


def main() -> None:
    """Convert both datasets, then evaluate each with both splits."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="Write the orders-csv files here.")
    parser.add_argument(
        "--engine-sample", type=int, default=300, help="Customers in the engine-path check."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"online_retail.csv: {online_retail(folder / 'online_retail.csv'):,} rows")
        print(f"grocery.csv: {grocery(folder / 'grocery.csv'):,} rows")
        for name, label, time_split in CASES:
            for split in (None, time_split):
                body, wall, cpu = run(folder / name, split, args.k)
                report(label, body, args.k, wall, cpu)
            if args.engine_sample:
                engine_check(folder / name, args.k, args.engine_sample)


if __name__ == "__main__":
    main()
