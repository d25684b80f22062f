"""The Typer app every command module registers on, and shared helpers."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from tactful.key_file import KeyFileError
from tactful.settings import Settings

if TYPE_CHECKING:
    from tactful.container import Container
    from tactful.reports_composition import Reports

app = typer.Typer(
    name="tactful",
    help="Respectful upsells and cross-sells: import orders, mine affinities, serve offers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Settings from the process environment (the only place the CLI reads it)."""
    try:
        return Settings.from_env(os.environ)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] bad settings: {exc}")
        raise typer.Exit(2) from exc


def with_saved_keys(settings: Settings) -> Settings:
    """`settings` with the API keys the environment lacks from the data dir's key file."""
    try:
        return settings.with_saved_keys()
    except (KeyFileError, OSError) as exc:
        raise fail(f"cannot use the key file {settings.key_file}: {exc}", 2) from exc


def open_services(settings: Settings) -> Container:
    """Every service on the configured database, migrated to the newest schema first."""
    from tactful.container import open_container  # every adapter: only for a command that runs

    return open_container(settings)


def open_report_services(settings: Settings) -> Reports:
    """Only what reports read (no decision path, payments or email), for a read-only command."""
    from tactful.reports_composition import open_reports

    return open_reports(settings)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
