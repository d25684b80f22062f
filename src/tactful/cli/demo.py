"""`tactful demo`: a database with real sample orders, then the server."""

from __future__ import annotations

import typer
from rich.table import Table

from tactful.cli._app import app, console, load_settings
from tactful.cli.importing import progress_bar
from tactful.cli.serve import run_server
from tactful.services.demo import decision_curl, prepare_demo


@app.command()
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server afterwards."),
) -> None:
    """Create the database, import the bundled Online Retail sample and serve on :8000."""
    settings = load_settings().with_generated_keys()
    with progress_bar() as bar:
        task = bar.add_task("Importing the sample", total=None)
        run = prepare_demo(
            settings,
            say=console.print,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    table = Table(title="What the demo database holds")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in run.facts.get("counts", {}).items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    base = settings.base_url
    console.print(f"Where to look: {base}/healthz  and the API docs at {base}/docs")
    console.print(f"  secret key:      {settings.secret_key}")
    console.print(f"  publishable key: {settings.publishable_key}")
    example = run.facts.get("example")
    if example:
        console.print("Ask for a decision (a real customer and the sample's best-selling item):")
        console.print(decision_curl(base, settings.publishable_key, example), soft_wrap=True)
    if serve:
        run_server(settings)
