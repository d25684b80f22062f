"""Whether a database is at the newest schema, without loading Alembic or any migration.

Each revision file is named after its revision id (`0020_email_feedback.py` is revision
"0020", tests/adapters/test_revisions.py keeps that true), so the newest one shipped is the
highest file name, and the database's own is the one row of `alembic_version`.
"""

from __future__ import annotations

import re
from importlib.resources import files

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

__all__ = ["database_is_current", "shipped_head"]

_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def shipped_head() -> str:
    """The newest revision id shipped with this version of tactful."""
    folder = files("tactful.adapters.db") / "migrations" / "versions"
    found = [m.group(1) for p in folder.iterdir() if (m := _REVISION_FILE.match(p.name))]
    return max(found)


def database_is_current(engine: Engine) -> bool:
    """The database's schema revision is the newest shipped (False when never migrated)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return False
    return [row[0] for row in found] == [shipped_head()]
