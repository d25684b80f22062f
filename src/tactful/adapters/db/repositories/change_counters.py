"""Change counters: one version number per in-memory cache, bumped with every write to it.

A process that caches something read from the database (the catalogue) compares one small
row with the version it loaded; writers bump that row in the same transaction as their
write, so a CLI import, another server worker or the coming worker is noticed at once, on
SQLite and PostgreSQL alike, whatever the write did (an update with an old timestamp, a new
price point, a bundle) and without scanning the cached tables.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from tactful.adapters.db.repositories._common import dialect_insert
from tactful.adapters.db.tables_shared import change_counters

CATALOG = "catalog"
"""Products, their price history and bundles."""


def bump(connection: Connection, name: str) -> None:
    """Add one to `name`'s version within the connection's transaction (created at 1)."""
    insert = dialect_insert(connection, change_counters).values(name=name, version=1)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["name"], set_={"version": change_counters.c.version + 1}
        )
    )


def version(connection: Connection, name: str) -> int:
    """`name`'s version now (0 before its first write): one primary-key lookup."""
    query = select(change_counters.c.version).where(change_counters.c.name == name)
    found = connection.execute(query).scalar_one_or_none()
    return int(found) if found is not None else 0
