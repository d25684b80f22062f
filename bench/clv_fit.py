"""BG/NBD + Gamma-Gamma fitted to every Online Retail customer, and a 13-week holdout check.

Run: .venv/bin/python bench/clv_fit.py [--data CSV] [--repeat N]
Reads the full Online Retail file through the importers (as `tactful clv` does; not timed as
the fit), then times the summary, both fits and every customer's predictions.
Target: the fit for all customers under 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np

from tactful.domain.imports import ImportOptions
from tactful.domain.lifetime import fit_bgnbd, fit_gamma_gamma, predict_values
from tactful.services.lifetime import PurchaseLog, fit_lifetime, read_purchases
from tactful.standalone import file_readers

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail" / "online_retail.csv"
)
LAST_DAY = date(2011, 12, 9)
HOLDOUT_START = date(2011, 9, 9)


def timed_fit(log: PurchaseLog) -> dict[str, float]:
    """Seconds for each step of a fit over every customer up to the last day."""
    began, cpu = time.perf_counter(), time.process_time()
    summary = log.summary(LAST_DAY)
    summarised = time.perf_counter()
    purchases = fit_bgnbd(summary)
    bgnbd = time.perf_counter()
    spend = fit_gamma_gamma(summary)
    gamma_gamma = time.perf_counter()
    values = predict_values(purchases, spend, summary, 52.0)
    assert np.all(np.isfinite(values.expected_value))
    done = time.perf_counter()
    return {
        "summary": summarised - began,
        "bgnbd": bgnbd - summarised,
        "gamma_gamma": gamma_gamma - bgnbd,
        "predict": done - gamma_gamma,
        "total": done - began,
        "total_cpu": time.process_time() - cpu,
        "customers": float(summary.size),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    log = read_purchases(file_readers(), args.data, "online-retail", ImportOptions())
    print(
        f"read {log.customers.size:,} customer orders of {len(log.customer_ids):,} customers "
        f"({log.guest_orders:,} guest orders left out) in {time.perf_counter() - began:.1f} s"
    )
    runs = [timed_fit(log) for _ in range(max(args.repeat, 1))]
    for step in ("summary", "bgnbd", "gamma_gamma", "predict", "total", "total_cpu"):
        print(f"{step:>12}: median {statistics.median(r[step] for r in runs):.3f} s")
    load = os.getloadavg()[0]
    print(f"customers fitted: {int(runs[0]['customers']):,}; target total < 5 s; load {load:.1f}")
    check = fit_lifetime(log, calibration_end=HOLDOUT_START, horizon_weeks=13.0)
    holdout = check.holdout
    assert holdout is not None
    bg, gg = check.purchases, check.spend
    print(
        f"calibration to {HOLDOUT_START}: r={bg.r:.3f} alpha={bg.alpha:.3f} a={bg.a:.3f} "
        f"b={bg.b:.3f}; p={gg.p:.3f} q={gg.q:.3f} gamma={gg.gamma:.3f}"
    )
    print(
        f"holdout {holdout.weeks:.1f} weeks: {holdout.predicted_purchases:,.0f} repeat purchase "
        f"days predicted, {holdout.actual_purchases:,} made "
        f"({holdout.predicted_purchases / holdout.actual_purchases - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
