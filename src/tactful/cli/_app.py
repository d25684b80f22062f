"""The Typer app every command module registers on, and shared helpers."""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING

import typer
import typer.main
from rich.console import Console
from typer.core import TyperGroup

from tactful.key_file import KeyFileError
from tactful.settings import Settings

if TYPE_CHECKING:
    from typer._click import Command, Context  # Typer's own copy of Click

    from tactful.container import Container
    from tactful.reports_composition import Reports

COMMAND_MODULES = {
    "cohorts": "cohorts",
    "backtest": "backtest",
    "import": "importing",
    "serve": "serve",
    "demo": "demo",
    "complaints": "email",
    "worker": "email",
    "clv": "lifetime",
    "mine": "mining",
    "rules": "mining",
    "evaluate": "mining",
    "report": "report",
    "rollups": "report",
    "simulate": "simulate",
    "db": "db",
    "sequences": "email",
    "experiments": "experiments",
    "links": "links",
    "models": "models",
    "pages": "pages",
    "webhooks": "webhooks",
}
"""Each command (or group of commands), in the order `tactful --help` lists them, and the module
of `tactful.cli` that registers it on `app` when imported."""


class LazyCommands(TyperGroup):
    """The `tactful` group, importing a command's module only when that command runs (click's
    lazily loaded subcommands): `tactful report` loads neither the server, the importers nor
    the backtest. Listing the commands (`tactful --help`) loads every module."""

    def list_commands(self, ctx: Context) -> list[str]:
        self._load(*COMMAND_MODULES.values())
        return list(COMMAND_MODULES)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands:
            module = COMMAND_MODULES.get(cmd_name)
            # an unknown name loads every command, so the "did you mean" hint sees them all
            self._load(*([module] if module else COMMAND_MODULES.values()))
        return self.commands.get(cmd_name)

    def _load(self, *modules: str) -> None:
        """Import `modules`, then add the commands they registered on `app` to this group."""
        for module in modules:
            import_module(f"tactful.cli.{module}")
        for name, command in typer.main.get_group(app).commands.items():
            self.commands.setdefault(name, command)


def _no_options() -> None:
    """A callback makes Typer build a group even while no command is registered yet."""


app = typer.Typer(
    name="tactful",
    cls=LazyCommands,
    callback=_no_options,
    help="Respectful upsells and cross-sells: import orders, mine affinities, serve offers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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
