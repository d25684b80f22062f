"""`PlatformOrderIds` on SQLAlchemy: the `platform_orders` table."""

from __future__ import annotations

from sqlalchemy import Engine, select

from tactful.adapters.db.repositories._common import dialect_insert
from tactful.adapters.db.tables_storefront import platform_orders


class SqlPlatformOrderIds:
    """Platform order ids in the database, each pair inserted once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember(self, platform: str, platform_id: str, order_id: str) -> None:
        with self.engine.begin() as conn:
            insert = dialect_insert(conn, platform_orders).values(
                platform=platform, platform_id=platform_id, order_id=order_id
            )
            conn.execute(insert.on_conflict_do_nothing())

    def order_id(self, platform: str, platform_id: str) -> str | None:
        query = select(platform_orders.c.order_id).where(
            platform_orders.c.platform == platform, platform_orders.c.platform_id == platform_id
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return None if found is None else str(found)
