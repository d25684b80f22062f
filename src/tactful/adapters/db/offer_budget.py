"""`OfferBudget` on SQL: insert-or-ignore per (customer, offer, day), then count, atomically.

On PostgreSQL a transaction-scoped advisory lock on the customer serialises the spends of
one customer across every process (other customers do not wait). On SQLite the first
insert takes the database's single write lock, so the count that follows sees every other
process's committed spends and none can slip in between.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tactful.adapters.db.tables_shared import offer_budget_spends as spends
from tactful.domain.offers.situation import budget_day

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_MINE = spends.c.customer_id == bindparam("customer_id")
_FORGET_EXPIRED = delete(spends).where(_MINE, spends.c.at <= bindparam("since"))
_COUNT_IN_WINDOW = (
    select(func.count()).select_from(spends).where(_MINE, spends.c.at > bindparam("since"))
)
_UNDO_TODAY = delete(spends).where(
    _MINE,
    spends.c.day == bindparam("day"),
    spends.c.offer_key.in_(bindparam("keys", expanding=True)),
)
# Built once: SQLAlchemy then finds each compiled statement in its cache instead of building
# and keying a new construct per spend (the spend runs on most decisions' first showing).
_KNOWN_LIMIT = 200_000


def customer_lock_key(customer_id: str) -> int:
    """A signed 64-bit advisory-lock key for the customer (the same in every process)."""
    digest = hashlib.blake2b(customer_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SqlOfferBudget:
    """The budget in `offer_budget_spends`; spends known to be stored skip the database.

    A spend is never undone once committed, so a refresh that shows only offers this
    process has already spent today asks the database nothing.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        insert = pg_insert(spends) if self._postgres else sqlite_insert(spends)
        self._add_spend = insert.on_conflict_do_nothing(
            index_elements=["customer_id", "offer_key", "day"]
        )
        self._known: set[tuple[str, str, date]] = set()
        self._known_lock = threading.Lock()

    def spend(
        self,
        customer_id: str,
        keys: Sequence[str],
        *,
        at: datetime,
        window: timedelta,
        budget: int,
    ) -> frozenset[str]:
        """Spend for `keys` (best first) in one transaction; returns the keys refused."""
        day = budget_day(at)
        if all((customer_id, key, day) in self._known for key in keys):
            return frozenset()
        with self._engine.begin() as connection:
            refused = self._spend(connection, customer_id, keys, day, at, window, budget)
        self._remember(customer_id, [key for key in keys if key not in refused], day)
        return refused

    def _spend(
        self,
        connection: Connection,
        customer_id: str,
        keys: Sequence[str],
        day: date,
        at: datetime,
        window: timedelta,
        budget: int,
    ) -> frozenset[str]:
        if self._postgres:
            connection.execute(_LOCK, {"key": customer_lock_key(customer_id)})
        added = [
            key for key in dict.fromkeys(keys) if self._add(connection, customer_id, key, day, at)
        ]
        if not added:
            return frozenset()
        window_of = {"customer_id": customer_id, "since": at - window}
        connection.execute(_FORGET_EXPIRED, window_of)
        over = int(connection.execute(_COUNT_IN_WINDOW, window_of).scalar_one()) - budget
        if over <= 0:
            return frozenset()
        refused = added[-over:]
        connection.execute(_UNDO_TODAY, {"customer_id": customer_id, "day": day, "keys": refused})
        return frozenset(refused)

    def _add(
        self, connection: Connection, customer_id: str, key: str, day: date, at: datetime
    ) -> bool:
        row = {"customer_id": customer_id, "offer_key": key, "day": day, "at": at}
        return bool(connection.execute(self._add_spend, row).rowcount)

    def _remember(self, customer_id: str, keys: list[str], day: date) -> None:
        with self._known_lock:
            if len(self._known) > _KNOWN_LIMIT:
                self._known.clear()
            self._known.update((customer_id, key, day) for key in keys)
