"""Where `tactful report` spends its reads: each one timed in one process (CPU, best of N).

Run: TACTFUL_DATABASE_URL=sqlite:///DIR/tactful.db .venv/bin/python bench/report_parts.py
     [--repeat 3]
On the store `report_speed.py` builds (it opens the store as `tactful report` does: a store
behind the schema is migrated first, so time a copy of a shared one). The default span: whole
days from the rollups, today's hours from the raw log.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from tactful.reports_composition import open_reports
from tactful.services.reports import PRE_PERIOD
from tactful.settings import Settings


def best_cpu(label: str, call: Callable[[], object], repeat: int) -> None:
    """Print the least CPU time of `repeat` calls."""
    runs = []
    for _ in range(repeat):
        began = time.process_time()
        call()
        runs.append(time.process_time() - began)
    print(f"{label}: {min(runs):.3f} s CPU (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    opened = open_reports(Settings.from_env())
    reports = opened.reports
    try:
        span = reports.span()
        parts = reports._parts(span)
        exposures = reports._exposures(parts)
        best_cpu("exposures (rollups and raw edges)", lambda: reports._exposures(parts), repeat)
        if parts.rolled is not None and reports.rollups is not None:
            first, end = parts.rolled
            rolled = reports.rollups
            best_cpu(
                "  of which the rollups",
                lambda: rolled.rolled_exposures(first_day=first, end_day=end),
                repeat,
            )
        best_cpu(
            "each customer's orders",
            lambda: reports.reads.customer_totals(
                exposures, until=span.until, pre_period=PRE_PERIOD
            ),
            repeat,
        )
        for since, until in parts.raw:
            best_cpu(
                f"funnel, raw {since:%Y-%m-%d %H:%M} to {until:%H:%M}",
                lambda since=since, until=until: reports.reads.funnel(since=since, until=until),
                repeat,
            )
        best_cpu("the whole overview and offers", reports.overview_and_offers, repeat)
    finally:
        opened.close()


if __name__ == "__main__":
    main()
