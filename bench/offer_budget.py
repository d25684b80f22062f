"""What the atomic offer budget costs a decision (issue 21 bug 6, issue 25): one `spend` per
decision that shows offers, on SQLite and PostgreSQL.

    python bench/offer_budget.py [--decisions 2000] [--postgres URL]

Three cases per database: first showings (a transaction: per-customer lock on PostgreSQL,
one insert-or-ignore of every offer, a count), a refresh in the same process (known spends: no
database call), and a refresh by another process (a fresh adapter: the same transaction, no
row inserted). PostgreSQL runs when `--postgres` (default the test server) answers, in a
database of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.schema import upgrade

KEYS = ["cross_sell:TEA:MUG", "upsell:MUG_PLUS:MUG"]
WEEK = timedelta(days=7)
NOW = datetime.now(UTC)


def timed(calls: int, one: Callable[[int], object]) -> tuple[float, float]:
    """Median and 99th percentile of one call, in µs."""
    took = []
    for n in range(calls):
        began = time.perf_counter()
        one(n)
        took.append((time.perf_counter() - began) * 1e6)
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.99)]


def measure(url: str, decisions: int) -> None:
    engine = build_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM offer_budget_spends"))
    budget = SqlOfferBudget(engine)

    def spend(adapter: SqlOfferBudget) -> Callable[[int], object]:
        return lambda n: adapter.spend(f"bench-{n}", KEYS, at=NOW, window=WEEK, budget=6)

    cases = [
        ("first showing (2 offers)", spend(budget)),
        ("refresh, same process", spend(budget)),
        ("refresh, another process", spend(SqlOfferBudget(engine))),
    ]
    print(f"{engine.dialect.name}:")
    for label, case in cases:
        p50, p99 = timed(decisions, case)
        print(f"  {label:<26} p50 {p50:8.1f} µs   p99 {p99:8.1f} µs")
    engine.dispose()


def on_own_postgres(admin_url: str, decisions: int) -> None:
    """`measure` in a fresh PostgreSQL database next to `admin_url`'s, dropped afterwards."""
    name = f"tactful_bench_{uuid.uuid4().hex[:12]}"
    admin = build_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(admin_url).set(database=name)
        measure(url.render_as_string(hide_password=False), decisions)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tactful-budget-") as tmp:
        measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args.decisions)
    try:
        on_own_postgres(args.postgres, args.decisions)
    except sa.exc.OperationalError as exc:
        print(f"postgresql: not reachable ({str(exc).splitlines()[0]})")


if __name__ == "__main__":
    main()
