"""The `tactful` command line: thin Typer commands that call services.

Each command's module is imported when that command runs (`tactful.cli._app.LazyCommands`).
"""

from __future__ import annotations

from tactful.cli._app import app


def main() -> None:
    """Entry point of the `tactful` script."""
    app()


__all__ = ["app", "main"]
