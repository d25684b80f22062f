"""`DecisionReads` on SQL: what a decision reads per request, as cheaply as it can be read.

A held read connection per thread on SQLite (no pool round trip), and each recent
customer's purchases kept in memory while their orders are unchanged: a shopper asks for
decisions several times in a visit (product page, cart, checkout, thank-you page), and
their order history is the largest thing a decision reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from tactful.adapters.db.repositories import decision_inputs as inputs_repo
from tactful.adapters.db.repositories.past_orders import read_past_orders
from tactful.domain.offers import PastOrder, Purchase
from tactful.domain.offers.records import DecisionInputs


class ReadConnections:
    """A long-lived read connection per thread on SQLite; a pooled one per use elsewhere.

    Checking a connection out of the pool and back costs about as much as a decision's
    reads. SQLite reads outside a transaction each see the latest commit, so holding one
    connection per thread between decisions is safe.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._held: list[Connection] = []

    def connect(self) -> AbstractContextManager[Connection]:
        """The calling thread's connection, with any transaction ended on the way out."""
        if not self._sqlite:
            return self._engine.connect()  # given back to the pool on the way out
        return _Ended(self.held())

    def held(self) -> Connection:
        """The calling thread's long-lived connection (SQLite), opened on first use.

        The decision log writes through it too, so the page cache its reads warmed up
        survives the log's commits.
        """
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._local.connection = self._engine.connect()
            with self._lock:
                self._held.append(connection)
        return connection

    def close(self) -> None:
        """Give every held connection back (shutdown)."""
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            connection.close()


class _Ended:
    """A held connection for one `with` block, leaving no transaction open after it.

    A class rather than a generator-based context manager: it is entered once per decision.
    """

    __slots__ = ("connection",)

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __enter__(self) -> Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()


@dataclass(frozen=True, slots=True)
class _Known:
    stamp: inputs_repo.Stamp
    recent: datetime | None
    purchases: tuple[Purchase, ...]


class PurchaseCache:
    """Recent customers' purchases, valid while their order count and newest order stay.

    Orders are only ever added, each with its lines, so a new order changes the stamp.
    An entry read with an older `recent` bound holds a superset of what a later decision
    needs (the engine ignores purchases outside its window), so it stays valid as time
    moves on; orders dated after the read are never cached.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._known: OrderedDict[str, _Known] = OrderedDict()

    def purchases(
        self, connection: Connection, customer_id: str, *, until: datetime, recent: datetime
    ) -> tuple[Purchase, ...]:
        """The customer's purchases, from memory when their orders have not changed."""
        # A decision's reads with no offer-event window: the same path, the same cache.
        return read_inputs(
            connection, customer_id, since=until, until=until, recent=recent, cache=self
        ).purchases

    def held(self, customer_id: str, recent: datetime) -> _Known | None:
        """The entry to check against the customer's stamp, if it covers `recent`."""
        with self._lock:
            known = self._known.get(customer_id)
        return known if known is not None and _covers(known.recent, recent) else None

    def settle(
        self,
        connection: Connection,
        customer_id: str,
        reads: inputs_repo.CustomerReads,
        held: _Known | None,
        *,
        until: datetime,
        recent: datetime,
    ) -> tuple[Purchase, ...]:
        """The purchases: held ones if the stamp still matches, else read (and kept)."""
        stamp = reads.stamp
        if stamp[0] == 0:
            return ()
        if held is not None and held.stamp == stamp:
            return held.purchases
        found = reads.purchases
        if found is None:
            found = inputs_repo.read_purchases(connection, customer_id, until=until, recent=recent)
        newest = stamp[1]
        if newest is not None and newest <= until:
            self._keep(customer_id, _Known(stamp, recent, found))
        return found

    def _keep(self, customer_id: str, known: _Known) -> None:
        with self._lock:
            self._known[customer_id] = known
            self._known.move_to_end(customer_id)
            while len(self._known) > self._size:
                self._known.popitem(last=False)


def _covers(cached: datetime | None, wanted: datetime) -> bool:
    """An entry read for purchases since `cached` holds every one since `wanted`."""
    return cached is None or cached <= wanted


def read_inputs(
    connection: Connection,
    customer_id: str,
    *,
    since: datetime,
    until: datetime,
    recent: datetime,
    cache: PurchaseCache,
) -> DecisionInputs:
    """The customer, their purchases (through `cache`) and offer events since `since`.

    One statement reads the customer, their orders' stamp and their offer events. Purchases
    come from `cache` while the stamp is unchanged; otherwise they are read with that
    statement (on SQLite right after it) or, if the customer ordered since, in a second one.
    """
    held = cache.held(customer_id, recent)
    reads = inputs_repo.read_customer_inputs(
        connection, customer_id, since=since, until=until, recent=recent, purchases=held is None
    )
    purchases = cache.settle(connection, customer_id, reads, held, until=until, recent=recent)
    return DecisionInputs(reads.customer, purchases, reads.offer_events)


class SqlDecisionReads:
    """`tactful.services.ports.decisions.DecisionReads` on a SQLAlchemy engine.

    Reads on the calling thread's held connection (SQLite) or a pooled one, with each recent
    customer's purchases kept in `purchases` while their orders are unchanged.
    """

    def __init__(self, engine: Engine, *, cached_customers: int = 20_000) -> None:
        self.connections = ReadConnections(engine)
        self.purchases = PurchaseCache(cached_customers)

    def read_inputs(
        self, customer_id: str, *, since: datetime, until: datetime, recent: datetime
    ) -> DecisionInputs:
        """The customer, their purchases (cached) and their offer events since `since`."""
        with self.connections.connect() as connection:
            return read_inputs(
                connection,
                customer_id,
                since=since,
                until=until,
                recent=recent,
                cache=self.purchases,
            )

    def past_orders(self, customer_id: str, *, until: datetime) -> tuple[PastOrder, ...]:
        """The customer's orders up to `until` with their SKUs (not cached: moment email)."""
        with self.connections.connect() as connection:
            return read_past_orders(connection, customer_id, until=until)

    def close(self) -> None:
        """Give every held connection back (shutdown)."""
        self.connections.close()
