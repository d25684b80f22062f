"""`tactful demo`: a database with real sample orders, then the server."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from tactful.cli._app import app, console, load_settings, with_saved_keys
from tactful.cli.importing import progress_bar
from tactful.cli.serve import run_server
from tactful.services.due_work import run_until
from tactful.settings import Settings

if TYPE_CHECKING:
    from tactful.services.demo import DemoRun
    from tactful.services.simulation import SimulationService


def _prepare(settings: Settings) -> DemoRun:
    """Create or migrate the database, then run the demo steps on it."""
    from tactful.container import open_container
    from tactful.services.demo import prepare_demo
    from tactful.services.email_demo import prepare_email_demo
    from tactful.services.models import ModelVersions

    container = open_container(settings)
    console.print(f"Database ready: {container.database_url}")
    try:
        with progress_bar() as bar:
            task = bar.add_task("Importing the sample", total=None)
            run = prepare_demo(
                settings,
                container.database,
                container.order_files,
                ModelVersions(container.model_storage, settings),
                say=console.print,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        prepare_email_demo(
            container.sequences,
            container.ingest,
            container.database,
            container.clock.now(),
            say=console.print,
        )
        _simulate_traffic(container.simulation)
        return run
    finally:
        container.close()


def _simulate_traffic(simulation: SimulationService) -> None:
    """Four weeks of simulated offers and orders, once per database, so /admin has figures."""
    from tactful.services.simulation import SimulationRequest

    traffic = SimulationRequest(days=28, customers=1000, uplift=0.05, seed=1)
    try:
        done = simulation.run(traffic)
    except ValueError as exc:  # e.g. a second demo: the traffic simulated first is kept
        console.print(f"Simulated traffic: none added ({exc}).")
        return
    console.print(
        f"Simulated traffic for the dashboard: {done['decisions']:,} decisions and "
        f"{done['orders']:,} orders over {traffic.days} days, with a planted "
        f"{traffic.uplift:.0%} uplift (tactful simulate; see tactful report)."
    )


def start_worker_thread(settings: Settings) -> threading.Event:
    """`tactful worker` in a daemon thread (its own container); set the event to stop it."""
    stop = threading.Event()

    def work() -> None:
        from tactful.container import open_container

        container = open_container(settings, migrated=False)
        try:
            run_until(container.due_work, container.clock.now, settings.worker_interval, stop)
        finally:
            container.close()

    threading.Thread(target=work, name="tactful-worker", daemon=True).start()
    return stop


@app.command()
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server afterwards."),
) -> None:
    """Create the database, import the bundled Online Retail sample and serve on :8000."""
    from tactful.services.demo import decision_curl

    environment = load_settings()
    settings = with_saved_keys(environment).model_copy(update={"demo_shop": True})
    run = _prepare(settings)
    table = Table(title="What the demo database holds")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in run.facts.get("counts", {}).items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    base = settings.base_url
    console.print(f"Where to look: {base}/healthz  and the API docs at {base}/docs")
    console.print(f"The sample shop with the offers widget: {base}/demo/shop")
    console.print(f"The merchant dashboard: {base}/admin (sign in with the secret key)")
    console.print(f"  secret key:      {settings.secret_key}", highlight=False)
    console.print(f"  publishable key: {settings.publishable_key}", highlight=False)
    if environment.missing_keys():
        console.print(f"  (kept in {settings.key_file}; the environment's TACTFUL_* keys win)")
    example = run.facts.get("example")
    if example:
        console.print("Ask for a decision (a real customer and the sample's best-selling item):")
        console.print(decision_curl(base, settings.publishable_key, example), soft_wrap=True)
    if serve:
        console.print(
            f"Worker thread: enrols and sends due mails every {settings.worker_interval:g} s "
            f"(.eml files in {settings.data_dir / 'outbox'}; outbox: GET {base}/v1/email/outbox)"
        )
        stop = start_worker_thread(settings)
        try:
            run_server(settings)
        finally:
            stop.set()
