"""The `tactful` command line: thin Typer commands that call services."""

from __future__ import annotations

from tactful.cli import (  # noqa: F401  (registers commands)
    backtest,
    cohorts,
    db,
    demo,
    email,
    experiments,
    importing,
    lifetime,
    links,
    mining,
    models,
    pages,
    report,
    serve,
    simulate,
    webhooks,
)
from tactful.cli._app import app


def main() -> None:
    """Entry point of the `tactful` script."""
    app()


__all__ = ["app", "main"]
