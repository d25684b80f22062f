"""`StoredFigures` on SQL: the dashboard's report objects pickled into one row per key.

Pickle keeps the report objects whole (numpy arrays, nested results) without a second copy of
their shapes; like Django's database cache, it trusts the database the app already trusts
with its keys. A row written by another version of the code that no longer unpickles is read
as missing, and the page computes its figures afresh.
"""

from __future__ import annotations

import logging
import pickle
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select

from tactful.adapters.db.repositories._common import dialect_insert
from tactful.adapters.db.tables_measurement import stored_figures

__all__ = ["SqlStoredFigures"]

log = logging.getLogger(__name__)


class SqlStoredFigures:
    """`tactful.services.ports.dashboard.StoredFigures` on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, key: str) -> tuple[datetime, Any] | None:
        query = select(stored_figures.c.computed_at, stored_figures.c.payload).where(
            stored_figures.c.key == key
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        try:
            return row.computed_at, pickle.loads(row.payload)
        except Exception:  # written by other code: compute afresh
            log.warning("stored figures %s could not be read; recomputing", key)
            return None

    def computed_at(self, key: str) -> datetime | None:
        query = select(stored_figures.c.computed_at).where(stored_figures.c.key == key)
        with self.engine.connect() as connection:
            found: datetime | None = connection.execute(query).scalar_one_or_none()
        return found

    def save(self, key: str, figures: Any, *, computed_at: datetime) -> None:
        payload = pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL)
        row = {"key": key, "computed_at": computed_at, "payload": payload}
        with self.engine.begin() as connection:
            insert = dialect_insert(connection, stored_figures).values(**row)
            changed = {"computed_at": computed_at, "payload": payload}
            connection.execute(insert.on_conflict_do_update(index_elements=["key"], set_=changed))

    def forget_before(self, moment: datetime) -> int:
        with self.engine.begin() as connection:
            done = connection.execute(
                delete(stored_figures).where(stored_figures.c.computed_at < moment)
            )
        return int(done.rowcount or 0)
