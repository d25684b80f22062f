"""`DecisionLog` on SQL, a group commit: many concurrent decisions stored in one transaction.

Each request hands its decision record to the log and waits until the transaction that
holds it has committed, so a 200 still means "stored". A record that shows offers comes with
their spend of the shown-offer budget (`write_spending`): the batch's transaction spends the
budget for each decision in order (`SqlOfferBudget.spend_in`, atomic across processes), then
stores each record without the offers the budget refused. A batch that fails is retried one
record at a time, so one bad record fails only its own request. `close()` writes whatever
is queued, then stops.

Two writers share that contract:

- On SQLite the event loop writes itself (`_LoopWriter`): the records decided in one loop
  iteration are committed together by one callback at the end of it, on a connection held
  for the purpose. A local SQLite commit without fsync takes tens of microseconds, while
  handing records to a thread cost more than the writes themselves (the two threads fight
  over the GIL at every SQLite step, measured in bench/http_decisions.py). That connection
  never waits for a lock and never checkpoints: when another writer holds the database,
  the batch goes to the writer thread (which may wait), and a checkpoint thread moves the
  WAL into the database file off the loop.
- Elsewhere (PostgreSQL: a network round trip per commit) and from plain threads, a writer
  thread takes everything queued while its previous transaction was committing.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.repositories import offers as offers_repo
from tactful.adapters.db.wal_checkpoints import WalCheckpoints
from tactful.domain.offers.records import DecisionRecord
from tactful.services.ports.decisions import DecisionLogClosedError, RecordWithout
from tactful.services.ports.offer_budget import BudgetSpend

_log = logging.getLogger(__name__)
MAX_BATCH = 512
ConnectionSource = Callable[[], Connection]
"""The calling thread's held connection (e.g. the one its decision reads use)."""


Refused = frozenset[str]
"""The offer keys the budget refused for one decision (empty when it spent nothing)."""


@dataclass(frozen=True, slots=True)
class _Pending:
    """A record, its budget spend if any, and what its writer waits on: a future of an
    event loop, or a plain one; the result is the keys the budget refused."""

    record: DecisionRecord
    done: asyncio.Future[Refused] | Future[Refused]
    loop: asyncio.AbstractEventLoop | None = None
    spend: BudgetSpend | None = None
    without: RecordWithout | None = None

    def stored(self, refused: Refused) -> DecisionRecord:
        """The record to store once the budget has refused `refused`."""
        if not refused or self.without is None:
            return self.record
        return self.without(refused)


def _store(
    connection: Connection, budget: SqlOfferBudget, batch: Sequence[_Pending]
) -> list[Refused]:
    """Spend each decision's budget in order, then store the records (caller's transaction)."""
    refused = budget.spend_in(connection, [pending.spend for pending in batch])
    records = [pending.stored(keys) for pending, keys in zip(batch, refused, strict=True)]
    offers_repo.save_decisions(connection, records)
    return refused


_STOP = object()


class SqlDecisionLog:
    """`DecisionLog` committing records in batches: on the event loop (SQLite) or a thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        on_loop: bool | None = None,
        checkpoint_every: float = 0.5,
        connections: ConnectionSource | None = None,
        budget: SqlOfferBudget | None = None,
    ) -> None:
        self._engine = engine
        self.budget = budget or SqlOfferBudget(engine)
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        sqlite = engine.dialect.name == "sqlite"
        use_loop = sqlite if on_loop is None else on_loop and sqlite
        self._loop_writer = _LoopWriter(self, checkpoint_every, connections) if use_loop else None

    async def write(self, record: DecisionRecord) -> None:
        """Store `record`; returns once its transaction has committed (raises if it failed)."""
        await self._written(record)

    async def write_spending(
        self, record: DecisionRecord, spend: BudgetSpend, without: RecordWithout
    ) -> Refused:
        """Spend the budget and store the record in the batch's transaction (see the port)."""
        return await self._written(record, spend, without)

    def write_sync(self, record: DecisionRecord) -> None:
        """Store `record` from a plain thread, waiting for the commit like `write`."""
        done: Future[Refused] = Future()
        self._put(_Pending(record, done))
        done.result()

    async def _written(
        self,
        record: DecisionRecord,
        spend: BudgetSpend | None = None,
        without: RecordWithout | None = None,
    ) -> Refused:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Refused] = loop.create_future()
        pending = _Pending(record, done, loop, spend, without)
        if self._loop_writer is None:
            self._put(pending)
        else:
            if self._closed:
                raise DecisionLogClosedError("the decision log is closed")
            self._loop_writer.add(pending)
        return await done

    def close(self, timeout: float = 30.0) -> None:
        """Write everything queued, then stop the writer; later writes are refused."""
        with self._lock:
            self._closed = True
        if self._loop_writer is not None:
            self._loop_writer.close()  # may hand a last batch to the thread
        with self._lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout)

    def _put(self, pending: _Pending, *, handed_over: bool = False) -> None:
        """Queue for the writer thread; after close() only what the loop writer hands over."""
        with self._lock:
            if self._closed and not handed_over:
                raise DecisionLogClosedError("the decision log is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="decision-log", daemon=True)
                self._thread.start()
        self._queue.put(pending)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Pending] = []
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, _Pending):
                    batch.append(item)
                if len(batch) >= self._max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(batch)

    def _commit(self, batch: Sequence[_Pending]) -> None:
        try:
            with self._engine.begin() as connection:
                refused = _store(connection, self.budget, batch)
        except Exception:
            if len(batch) == 1:
                _log.exception("storing decision %s failed", batch[0].record.decision_id)
                _settle(batch, _failure())
                return
            for pending in batch:  # find the bad record; the others still get stored
                self._commit((pending,))
            return
        self.budget.remember([pending.spend for pending in batch], refused)
        _settle(batch, refused)


class _LoopWriter:
    """Commits on the event loop what was decided during one iteration of it (SQLite only).

    `add` queues a record and, once per iteration, schedules `flush` with `call_soon`, so it
    runs after every request that became ready in the same iteration has queued its record.
    Each event loop has its own queue (tests run several loops, one per thread).

    It writes on the calling thread's connection from `source`: the decision service passes
    the connection its reads use, because SQLite empties a connection's page cache whenever
    another connection has committed, and a decision's reads then start from cold pages
    (measured: a third of the reads' cost). While writing, the connection waits for no lock
    (`busy_timeout=0`): a lock held by another writer sends the batch to the writer thread
    instead of stalling the loop. It never checkpoints (`wal_autocheckpoint=0`):
    `WalCheckpoints` moves the WAL into the database from a thread of its own.
    """

    def __init__(
        self, log: SqlDecisionLog, checkpoint_every: float, source: ConnectionSource | None
    ) -> None:
        self.log = log
        self.checkpoint_every = checkpoint_every
        self._source = source or self._own
        self._queues: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._owned: list[Connection] = []
        self._waits: WeakKeyDictionary[Connection, int] = WeakKeyDictionary()
        self._checkpoints: WalCheckpoints | None = None

    def add(self, pending: _Pending) -> None:
        loop = pending.loop
        assert loop is not None
        queued = self._queues.get(loop)
        if queued is None:
            self._queues[loop] = [pending]
            loop.call_soon(self.flush, loop)
        else:
            queued.append(pending)

    def flush(self, loop: asyncio.AbstractEventLoop) -> None:
        """Commit everything `loop` queued; hand it to the writer thread when SQLite is busy."""
        if self._checkpoints is not None and self._checkpoints.restarting:
            loop.call_later(0.0005, self.flush, loop)  # the WAL starts over in a moment
            return
        batch = self._queues.pop(loop, None)
        if not batch:
            return
        try:
            refused = self._store(batch)
        except Exception as exc:
            if _busy(exc):
                for pending in batch:  # another writer holds the database: let the thread wait
                    self.log._put(pending, handed_over=True)
                return
            self._one_by_one(batch)
            return
        _finish(batch, refused)

    def _one_by_one(self, batch: Sequence[_Pending]) -> None:
        for pending in batch:
            try:
                refused = self._store((pending,))
            except Exception as exc:
                if _busy(exc):
                    self.log._put(pending, handed_over=True)
                    continue
                _log.exception("storing decision %s failed", pending.record.decision_id)
                _finish((pending,), _failure())
                continue
            _finish((pending,), refused)

    def _store(self, batch: Sequence[_Pending]) -> list[Refused]:
        connection = self._source()
        raw = connection.connection.driver_connection
        assert raw is not None
        waits = self._waits.get(connection)
        if waits is None:
            waits = self._prepare(connection, raw)
        if connection.in_transaction():
            connection.rollback()
        raw.execute("PRAGMA busy_timeout=0")
        try:
            # The transaction is the driver's own: SQLAlchemy's bookkeeping around BEGIN and
            # COMMIT cost more than the batch's inserts (the connection is outside any
            # SQLAlchemy transaction here, checked above).
            raw.execute("BEGIN")
            try:
                refused = _store(connection, self.log.budget, batch)
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout={waits}")
        self.log.budget.remember([pending.spend for pending in batch], refused)
        if self._checkpoints is not None:
            self._checkpoints.wrote()
        return refused

    def _prepare(self, connection: Connection, raw: Any) -> int:
        """First write on this connection: no checkpoints; remember its lock timeout."""
        raw.execute("PRAGMA wal_autocheckpoint=0")
        waits = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
        self._waits[connection] = waits
        with self._lock:
            if self._checkpoints is None:
                self._checkpoints = WalCheckpoints(self.log._engine, self.checkpoint_every)
        return waits

    def _own(self) -> Connection:
        """The calling thread's own connection, when no source was given."""
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._local.connection = self.log._engine.connect()
            with self._lock:
                self._owned.append(connection)
        return connection

    def close(self) -> None:
        """Write what is still queued, stop checkpointing, drop the connections it opened."""
        for loop in list(self._queues):
            self.flush(loop)
        if self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints = None
        with self._lock:
            owned, self._owned = self._owned, []
        for connection in owned:
            connection.invalidate()  # its pragmas differ from the pool's: never reuse it
            connection.close()


Outcome = Sequence[Refused] | BaseException
"""What a batch's waiters learn: the keys refused for each of them, or why it failed."""


def _finish(batch: Sequence[_Pending], outcome: Outcome) -> None:
    """Settle futures directly on their own loop's thread, else through `_settle`."""
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if here is not None and all(p.loop is here for p in batch):
        _resolve(_results(batch, outcome))
    else:  # close() from another thread
        _settle(batch, outcome)


def _busy(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds the write lock."""
    cause = exc.orig if isinstance(exc, OperationalError) else exc
    return isinstance(cause, sqlite3.OperationalError) and (
        "locked" in str(cause) or "busy" in str(cause)
    )


def _failure() -> RuntimeError:
    return RuntimeError("the decision could not be stored")


_Result = tuple[asyncio.Future[Refused] | Future[Refused], Refused | BaseException]


def _results(batch: Sequence[_Pending], outcome: Outcome) -> list[_Result]:
    """Each waiter's future with its result: its refused keys, or the batch's failure."""
    if isinstance(outcome, BaseException):
        return [(pending.done, outcome) for pending in batch]
    return [(pending.done, keys) for pending, keys in zip(batch, outcome, strict=True)]


def _settle(batch: Sequence[_Pending], outcome: Outcome) -> None:
    """Wake every waiter of the batch: one call into each event loop, not one per request."""
    waiting: dict[asyncio.AbstractEventLoop, list[_Result]] = {}
    for pending, result in zip(batch, _results(batch, outcome), strict=True):
        if pending.loop is None:
            _resolve((result,))
        else:
            waiting.setdefault(pending.loop, []).append(result)
    for loop, results in waiting.items():
        try:
            loop.call_soon_threadsafe(_resolve, results)
        except RuntimeError:  # that event loop is closed (shutdown): nobody waits any more
            _log.warning("%d decisions stored after their requests ended", len(results))


def _resolve(results: Sequence[_Result]) -> None:
    for done, result in results:
        if done.cancelled() or done.done():
            continue
        if isinstance(result, BaseException):
            done.set_exception(result)
        else:
            done.set_result(result)
