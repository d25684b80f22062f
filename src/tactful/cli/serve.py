"""`tactful serve`: the API and pages over HTTP (uvicorn)."""

from __future__ import annotations

import gc

import typer

from tactful.cli._app import app, console, load_settings
from tactful.settings import Settings

GC_THRESHOLDS = (20_000, 20, 20)


def tune_gc() -> None:
    """Collect young garbage every 20,000 allocations instead of 700.

    A request allocates a few thousand short-lived objects; with the default threshold the
    collector ran several times per decision and cost about a tenth of its CPU (measured in
    bench/http_decisions.py). Long-lived data is frozen out of collection when it loads.
    """
    gc.set_threshold(*GC_THRESHOLDS)


def run_server(settings: Settings) -> None:
    """Migrate, build the app and serve it until interrupted; prints the keys if generated."""
    import uvicorn

    from tactful.container import migrate
    from tactful.web.app import create_app

    generated = settings.with_generated_keys()
    if generated is not settings:
        console.print(
            "[bold]API keys[/bold] (generated for this run; set TACTFUL_SECRET_KEY and "
            "TACTFUL_PUBLISHABLE_KEY to keep them):"
        )
        console.print(f"  secret key:      {generated.secret_key}")
        console.print(f"  publishable key: {generated.publishable_key}")
    tune_gc()
    migrate(generated)
    application = create_app(generated)
    console.print(f"Serving on {generated.base_url}  (health: /healthz, API docs: /docs)")
    uvicorn.run(  # http and loop "auto": httptools and uvloop, which tactful depends on
        application,
        host=generated.host,
        port=generated.port,
        log_level="warning",
        access_log=False,
    )


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to bind (default TACTFUL_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to bind (default TACTFUL_PORT or 8000)."),
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the hosted pages."""
    settings = load_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    run_server(settings)
