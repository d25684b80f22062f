"""The demo: a ready database with real sample orders, prepared by a list of steps.

Later parts (mining, offers) add their own step to `DEMO_STEPS`; each step reads and writes
the shared `DemoRun` and says what it did through `say`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories import count_rows, was_imported
from tactful.adapters.db.schema import upgrade
from tactful.adapters.importers import ImportOptions, Progress
from tactful.services.importing import file_sha256, import_file
from tactful.settings import Settings

SAMPLE_NAME = "online_retail_sample.csv.gz"
SAMPLE_FORMAT = "online-retail"


@dataclass
class DemoRun:
    """What the steps share: settings, the engine, and notes for the final report."""

    settings: Settings
    engine: Engine
    say: Callable[[str], None]
    progress: Progress | None = None
    facts: dict[str, Any] = field(default_factory=dict)


DemoStep = Callable[[DemoRun], None]


def sample_file() -> AbstractContextManager[Path]:
    """The packaged Online Retail sample as a real file path (works from a wheel too)."""
    return as_file(files("tactful") / "data" / SAMPLE_NAME)


def migrate(run: DemoRun) -> None:
    """Create or migrate the database."""
    upgrade(run.engine)
    run.say(f"Database ready: {run.engine.url.render_as_string(hide_password=True)}")


def import_sample(run: DemoRun) -> None:
    """Import the Online Retail sample once; a re-run sees it was imported and moves on."""
    with sample_file() as path:
        with run.engine.connect() as conn:
            done = was_imported(conn, file_sha256(path), SAMPLE_FORMAT)
        if done:
            run.say("Sample orders already imported (UCI Online Retail, November 2011).")
            return
        summary = import_file(
            run.engine, path, SAMPLE_FORMAT, options=ImportOptions(), progress=run.progress
        )
    run.facts["import"] = summary
    run.say(
        f"Imported the UCI Online Retail sample (November 2011): {summary.lines_read:,} lines, "
        f"{summary.orders_new:,} orders, {summary.products_new:,} products, "
        f"{summary.lines_skipped:,} lines skipped by reason {summary.skipped} "
        f"in {summary.seconds:.1f} s."
    )


def mine_sample(run: DemoRun) -> None:
    """Mine the stored orders into a model unless an active one already covers them."""
    from tactful.adapters.db.repositories.models import NpzModelPayloads
    from tactful.adapters.db.transaction import SqlDatabase
    from tactful.domain.affinity import MiningConfig
    from tactful.services.models import ModelStorage, current_model, mine_and_activate

    storage = ModelStorage(SqlDatabase(run.engine), NpzModelPayloads())
    with run.engine.connect() as conn:
        orders = count_rows(conn).get("orders", 0)
    active = current_model(storage)
    if active is not None and active.summary.get("n_baskets") == orders:
        run.say(f"Affinity model {active.version} is active (mined from {orders:,} orders).")
        return
    info = mine_and_activate(storage, run.settings, MiningConfig(min_support=0.01))
    run.facts["model"] = info
    rules = info.summary.get("n_rules", "?")
    run.say(f"Mined affinity model {info.version}: {rules} rules from {orders:,} orders.")


def pick_example(run: DemoRun) -> None:
    """Choose a real customer (not held out) and a popular SKU for the example decision."""
    from sqlalchemy import func, select

    from tactful.adapters.db.tables import order_lines, orders
    from tactful.domain.experiments import assign
    from tactful.domain.offers import OfferPolicy

    policy = OfferPolicy(holdout_share=run.settings.holdout_share)
    with run.engine.connect() as conn:
        sku = conn.execute(
            select(order_lines.c.sku)
            .group_by(order_lines.c.sku)
            .order_by(func.count().desc(), order_lines.c.sku)
            .limit(1)
        ).scalar()
        customers = conn.execute(
            select(orders.c.customer_id)
            .where(orders.c.customer_id.is_not(None))
            .group_by(orders.c.customer_id)
            .order_by(func.count().desc())
            .limit(50)
        ).scalars()
        customer = next(
            (c for c in customers if not assign(c, policy.holdout_salt, policy.holdout_share)),
            "demo-customer",
        )
    if sku is not None:
        run.facts["example"] = {"customer_id": customer, "sku": sku}


def decision_curl(base_url: str, publishable_key: str, example: dict[str, str]) -> str:
    """A ready-to-paste curl command asking for a decision on the example cart."""
    body = (
        f'{{"customer_id": "{example["customer_id"]}", "moment": "cart", '
        f'"cart": [{{"sku": "{example["sku"]}", "quantity": 1}}]}}'
    )
    return (
        f"curl -s -X POST {base_url}/v1/decisions -H 'Authorization: Bearer {publishable_key}' "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )


def count_data(run: DemoRun) -> None:
    """Note what the database holds now."""
    with run.engine.connect() as conn:
        run.facts["counts"] = count_rows(conn)


DEMO_STEPS: list[DemoStep] = [migrate, import_sample, mine_sample, pick_example, count_data]


def prepare_demo(
    settings: Settings,
    *,
    say: Callable[[str], None] = print,
    progress: Progress | None = None,
    steps: list[DemoStep] | None = None,
) -> DemoRun:
    """Run the demo steps against the configured database (SQLite in the data dir by default)."""
    engine = build_engine(settings.resolved_database_url)
    run = DemoRun(settings, engine, say, progress)
    try:
        for step in DEMO_STEPS if steps is None else steps:
            step(run)
    finally:
        engine.dispose()
    return run
