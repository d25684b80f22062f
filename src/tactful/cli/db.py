"""`tactful db ...`: schema migrations."""

from __future__ import annotations

from tactful.cli._app import console, db_app, load_settings
from tactful.container import migrate, schema_revisions


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (TACTFUL_DATABASE_URL) to the newest schema."""
    settings = load_settings()
    before, after, url = migrate(settings)
    if before == after:
        console.print(f"Database {url} is already at revision {after}.")
    else:
        console.print(f"Database {url} upgraded from {before or 'empty'} to {after}.")


@db_app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the newest one this version ships."""
    settings = load_settings()
    current, head = schema_revisions(settings)
    console.print(f"current: {current or 'empty'}  head: {head}")
