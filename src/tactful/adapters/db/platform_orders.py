"""`PlatformOrderStore` on SQLAlchemy: the `platform_orders` table, in the caller's transaction."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from tactful.adapters.db.tables_storefront import platform_orders

_FIND = select(platform_orders.c.order_id).where(
    platform_orders.c.platform == bindparam("platform"),
    platform_orders.c.platform_id == bindparam("platform_id"),
)


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, built once per backend (so its compilation is cached)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(platform_orders).on_conflict_do_nothing()


class SqlPlatformOrderStore:
    """Platform order ids in the database, each pair inserted once."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def remember(self, platform: str, platform_id: str, order_id: str) -> bool:
        row = {"platform": platform, "platform_id": platform_id, "order_id": order_id}
        done = self.connection.execute(_insert_once(self.connection.dialect.name), row)
        return bool(done.rowcount)

    def order_id(self, platform: str, platform_id: str) -> str | None:
        found = self.connection.execute(
            _FIND, {"platform": platform, "platform_id": platform_id}
        ).scalar_one_or_none()
        return None if found is None else str(found)
