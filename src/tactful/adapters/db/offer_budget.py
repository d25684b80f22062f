"""`OfferBudget` on SQL: insert-or-ignore per (customer, offer, day), then count, atomically.

On PostgreSQL a transaction-scoped advisory lock on the customer serialises the spends of
one customer across every process (other customers do not wait); a transaction that spends
for several customers (the decision log's batch) takes their locks in one order, so two
processes never wait on each other in a circle. On SQLite the first insert takes the
database's single write lock, so the count that follows sees every other process's
committed spends and none can slip in between.

Plain SQL on the driver, like the decision log's inserts: the spend runs in the decision
log's transaction, once for most decisions' first showing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine

from tactful.adapters.db.repositories._driver import Driver
from tactful.domain.offers.situation import budget_day
from tactful.services.ports.offer_budget import BudgetSpend

_LOCK = "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))"
_ADD = (
    "INSERT INTO offer_budget_spends (customer_id, offer_key, day, at) VALUES {rows} "
    "ON CONFLICT (customer_id, offer_key, day) DO NOTHING RETURNING offer_key"
)
_ROW = "(?, ?, ?, ?)"
_COUNT = (
    "SELECT count(*), coalesce(sum(CASE WHEN at > ? THEN 1 ELSE 0 END), 0) "
    "FROM offer_budget_spends WHERE customer_id = ?"
)
_FORGET_EXPIRED = "DELETE FROM offer_budget_spends WHERE customer_id = ? AND at <= ?"
_UNDO_TODAY = "DELETE FROM offer_budget_spends WHERE customer_id = ? AND offer_key = ? AND day = ?"
_ADDING: dict[int, str] = {}
"""`_ADD` for each number of offers, written once."""
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
        wanted = BudgetSpend(customer_id, tuple(keys), at, window, budget)
        if self._all_known(wanted):
            return frozenset()
        with self._engine.begin() as connection:
            refused = self.spend_in(connection, [wanted])
        self.remember([wanted], refused)
        return refused[0]

    def spend_in(
        self, connection: Connection, spends: Sequence[BudgetSpend | None]
    ) -> list[frozenset[str]]:
        """Spend each in order in the caller's transaction; the keys refused, for each.

        None, and a spend whose offers were all spent today already, cost nothing. Call
        `remember` once the transaction has committed.
        """
        needed = [wanted if wanted and not self._all_known(wanted) else None for wanted in spends]
        driver = Driver(connection)
        if not driver.sqlite:
            customers = {customer_lock_key(wanted.customer_id) for wanted in needed if wanted}
            driver.many(_LOCK, [(key,) for key in sorted(customers)])
        return [frozenset() if wanted is None else _spend(driver, wanted) for wanted in needed]

    def remember(
        self, spends: Sequence[BudgetSpend | None], refused: Sequence[frozenset[str]]
    ) -> None:
        """Note the committed spends, so the same offers again today skip the database."""
        spent = [
            (wanted.customer_id, key, budget_day(wanted.at))
            for wanted, refused_keys in zip(spends, refused, strict=True)
            if wanted is not None
            for key in wanted.keys
            if key not in refused_keys
        ]
        if not spent:
            return
        with self._known_lock:
            if len(self._known) > _KNOWN_LIMIT:
                self._known.clear()
            self._known.update(spent)

    def _all_known(self, wanted: BudgetSpend) -> bool:
        day = budget_day(wanted.at)
        return all((wanted.customer_id, key, day) in self._known for key in wanted.keys)


def _adding(count: int) -> str:
    """The INSERT of `count` spends that returns the keys it added (not spent today before)."""
    statement = _ADDING.get(count)
    if statement is None:
        statement = _ADDING[count] = _ADD.format(rows=", ".join([_ROW] * count))
    return statement


def _spend(driver: Driver, wanted: BudgetSpend) -> frozenset[str]:
    """Add the offers not yet spent today, then refuse the last of them over the budget.

    Two statements for a first showing: one INSERT of every offer (those already spent today
    stay as they are), then one count of the customer's spends, in the window and in all;
    expired spends are deleted only when that count finds some.
    """
    customer_id = wanted.customer_id
    day = driver.bound_day(budget_day(wanted.at))
    at = driver.bound_time(wanted.at)
    keys = list(dict.fromkeys(wanted.keys))
    params = [value for key in keys for value in (customer_id, key, day, at)]
    returned = {row[0] for row in driver.rows(_adding(len(keys)), *params)}
    added = [key for key in keys if key in returned]
    if not added:
        return frozenset()
    since = driver.bound_time(wanted.at - wanted.window)
    stored, in_window = driver.rows(_COUNT, since, customer_id)[0]
    if stored > in_window:
        driver.run(_FORGET_EXPIRED, customer_id, since)
    over = int(in_window) - wanted.budget
    if over <= 0:
        return frozenset()
    refused = added[-over:]
    driver.many(_UNDO_TODAY, [(customer_id, key, day) for key in refused])
    return frozenset(refused)
