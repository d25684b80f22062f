"""`tactful db ...`: schema migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tactful.cli._app import app, console, fail, load_settings

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (TACTFUL_DATABASE_URL) to the newest schema."""
    from tactful.standalone import migrate

    settings = load_settings()
    before, after, url = migrate(settings)
    if before == after:
        console.print(f"Database {url} is already at revision {after}.")
    else:
        console.print(f"Database {url} upgraded from {before or 'empty'} to {after}.")


@db_app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the newest one this version ships."""
    from tactful.standalone import schema_revisions

    settings = load_settings()
    current, head = schema_revisions(settings)
    console.print(f"current: {current or 'empty'}  head: {head}")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="file to write the copy to (replaced if present)")],
) -> None:
    """Copy the SQLite database to PATH while the server keeps running (online backup API).

    PostgreSQL is backed up with its own tools: `pg_dump --format=custom` (see the README).
    """
    from tactful.standalone import BackupUnsupportedError, backup_database

    settings = load_settings()
    try:
        result = backup_database(settings, path)
    except (BackupUnsupportedError, ValueError, OSError, RuntimeError) as exc:
        raise fail(f"backup failed: {exc}", 2) from exc
    console.print(
        f"Backed up to {result.path} ({result.size_bytes:,} bytes, integrity {result.integrity})."
    )
