"""`tactful db ...`: schema migrations."""

from __future__ import annotations

from tactful.adapters.db.schema import current_revision, head_revision, upgrade
from tactful.cli._app import console, db_app, load_settings, open_database


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database (TACTFUL_DATABASE_URL) to the newest schema."""
    settings = load_settings()
    engine = open_database(settings, upgrade=False)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"Database {url} is already at revision {after}.")
    else:
        console.print(f"Database {url} upgraded from {before or 'empty'} to {after}.")
    engine.dispose()


@db_app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the newest one this version ships."""
    settings = load_settings()
    engine = open_database(settings, upgrade=False)
    console.print(f"current: {current_revision(engine) or 'empty'}  head: {head_revision()}")
    engine.dispose()
