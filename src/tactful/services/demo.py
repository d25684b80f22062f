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
from typing import TYPE_CHECKING, Any, Protocol

from tactful.domain.imports import ImportOptions, Progress
from tactful.services.importing import file_sha256, import_file
from tactful.services.ports.imports import OrderFiles
from tactful.services.ports.storage import Database
from tactful.settings import Settings

if TYPE_CHECKING:
    from tactful.domain.affinity import MiningConfig

SAMPLE_NAME = "online_retail_sample.csv.gz"
SAMPLE_FORMAT = "online-retail"


class ModelVersion(Protocol):
    """What the demo reports of a model version."""

    @property
    def version(self) -> str: ...

    @property
    def summary(self) -> dict[str, Any]: ...


class DemoModels(Protocol):
    """The model use cases the demo runs, bound to the demo's database by the entry point."""

    def current_model(self) -> ModelVersion | None:
        """The active model version, if any."""
        ...

    def mine_and_activate(self, config: MiningConfig) -> ModelVersion:
        """Mine the stored orders into a new version and make it the active one."""
        ...


@dataclass
class DemoRun:
    """What the steps share: settings, storage, file readers, models, notes for the report."""

    settings: Settings
    database: Database
    files: OrderFiles
    models: DemoModels
    say: Callable[[str], None]
    progress: Progress | None = None
    facts: dict[str, Any] = field(default_factory=dict)


DemoStep = Callable[[DemoRun], None]


def sample_file() -> AbstractContextManager[Path]:
    """The packaged Online Retail sample as a real file path (works from a wheel too)."""
    return as_file(files("tactful") / "data" / SAMPLE_NAME)


def import_sample(run: DemoRun) -> None:
    """Import the Online Retail sample once; a re-run sees it was imported and moves on."""
    with sample_file() as path:
        with run.database.transaction() as tx:
            done = tx.imports.was_imported(file_sha256(path), SAMPLE_FORMAT)
        if done:
            run.say("Sample orders already imported (UCI Online Retail, November 2011).")
            return
        summary = import_file(
            run.database,
            run.files,
            path,
            SAMPLE_FORMAT,
            options=ImportOptions(),
            progress=run.progress,
        )
    run.facts["import"] = summary
    run.say(
        f"Imported the UCI Online Retail sample (November 2011): {summary.lines_read:,} lines, "
        f"{summary.orders_new:,} orders, {summary.products_new:,} products, "
        f"{summary.lines_skipped:,} lines skipped by reason {summary.skipped} "
        f"in {summary.seconds:.1f} s."
    )


def mine_sample(run: DemoRun) -> None:
    """Mine the stored orders once; an active model, whoever mined it, stays active."""
    from tactful.domain.affinity import MiningConfig

    active = run.models.current_model()
    if active is not None:
        run.say(
            f"Affinity model {active.version} is active and kept (`tactful mine` makes a new one)."
        )
        return
    with run.database.transaction() as tx:
        orders = tx.orders.count_rows().get("orders", 0)
    info = run.models.mine_and_activate(MiningConfig(min_support=0.01))
    run.facts["model"] = info
    rules = info.summary.get("n_rules", "?")
    run.say(f"Mined affinity model {info.version}: {rules} rules from {orders:,} orders.")


def pick_example(run: DemoRun) -> None:
    """Choose a real customer (not held out) and a popular SKU for the example decision."""
    from tactful.domain.experiments import assign
    from tactful.domain.offers import OfferPolicy

    policy = OfferPolicy(holdout_share=run.settings.holdout_share)
    with run.database.transaction() as tx:
        sku = tx.orders.best_selling_sku()
        customers = tx.orders.frequent_customers(50)
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
    with run.database.transaction() as tx:
        run.facts["counts"] = tx.orders.count_rows()


DEMO_STEPS: list[DemoStep] = [import_sample, mine_sample, pick_example, count_data]


def prepare_demo(
    settings: Settings,
    database: Database,
    files: OrderFiles,
    models: DemoModels,
    *,
    say: Callable[[str], None] = print,
    progress: Progress | None = None,
    steps: list[DemoStep] | None = None,
) -> DemoRun:
    """Run the demo steps against a database whose schema is ready (see `cli/demo.py`)."""
    run = DemoRun(settings, database, files, models, say, progress)
    for step in DEMO_STEPS if steps is None else steps:
        step(run)
    return run
