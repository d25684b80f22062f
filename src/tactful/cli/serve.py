"""`tactful serve`: the API and pages over HTTP (uvicorn), in one process or several."""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tactful.cli._app import app, console, load_settings, with_saved_keys
from tactful.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

GC_THRESHOLDS = (20_000, 20, 20)
WORKER_APP = "tactful.cli.serve:worker_app"  # what uvicorn imports in each worker process


def tune_gc() -> None:
    """Collect young garbage every 20,000 allocations instead of 700.

    A request allocates a few thousand short-lived objects; with the default threshold the
    collector ran several times per decision and cost about a tenth of its CPU (measured in
    bench/http_decisions.py). Long-lived data is frozen out of collection when it loads.
    """
    gc.set_threshold(*GC_THRESHOLDS)


def worker_app() -> FastAPI:
    """The app of one `serve --workers N` process, from the settings its parent exported."""
    from tactful.web.app import create_app
    from tactful.web.observability import configure_logging

    tune_gc()
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_format)
    return create_app(settings)


def settings_environment(settings: Settings) -> dict[str, str]:
    """`settings` as TACTFUL_* variables, which `Settings.from_env` reads back unchanged.

    An unset optional value (None) is left out, so the worker reads the same default.
    """
    values = settings.model_dump(mode="json")
    return {
        f"TACTFUL_{name.upper()}": str(value) for name, value in values.items() if value is not None
    }


def announce_keys(settings: Settings) -> Settings:
    """`settings` with the keys the environment lacks from the key file, printing them."""
    missing = settings.missing_keys()
    if not missing:
        return settings
    keyed = with_saved_keys(settings)
    console.print(
        f"[bold]API keys[/bold] (kept in {settings.key_file} for every later run; "
        "TACTFUL_SECRET_KEY and TACTFUL_PUBLISHABLE_KEY override them):"
    )
    for name in missing:
        label = name.replace("_", " ") + ":"
        console.print(f"  {label:<16} {getattr(keyed, name)}", highlight=False)
    return keyed


def shared_metrics_dir(settings: Settings) -> Path:
    """An emptied folder where every worker process writes its metrics for /metrics to sum."""
    folder = settings.data_dir / "prometheus"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def run_server(settings: Settings, workers: int = 1) -> None:
    """Migrate, build the app and serve it until interrupted; prints the keys if generated.

    One worker serves in this process. More are separate processes that uvicorn starts and
    supervises on one shared socket; each builds its own app (and database pool) from the
    settings this process exports, so they all use the same keys.
    """
    import uvicorn

    from tactful.standalone import migrate
    from tactful.web.app import create_app
    from tactful.web.observability import configure_logging

    generated = announce_keys(settings)
    configure_logging(generated.log_format)
    tune_gc()
    migrate(generated)
    serving = f"Serving on {generated.base_url}  (health: /healthz, API docs: /docs)"
    host, port = generated.host, generated.port
    if workers > 1:
        os.environ.update(settings_environment(generated))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared_metrics_dir(generated))
        console.print(f"{serving}, {workers} worker processes")
        uvicorn.run(  # http and loop "auto": httptools and uvloop, which tactful depends on
            WORKER_APP,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
        )
        return
    application = create_app(generated)
    console.print(serving)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to bind (default TACTFUL_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to bind (default TACTFUL_PORT or 8000)."),
    workers: int = typer.Option(
        1, min=1, help="Server processes on one port; 1 serves in this process."
    ),
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the hosted pages."""
    settings = load_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    run_server(settings, workers)
