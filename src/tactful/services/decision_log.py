"""Group commit for the decision log: many concurrent decisions stored in one transaction.

Each request hands its decision record to the log and waits until the transaction that
holds it has committed, so a 200 still means "stored". A batch that fails is retried one
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

from tactful.adapters.db.repositories import offers as offers_repo

_log = logging.getLogger(__name__)
DecisionRecord = offers_repo.DecisionRecord
MAX_BATCH = 512
ConnectionSource = Callable[[], Connection]
"""The calling thread's held connection (e.g. the one its decision reads use)."""


class DecisionLogClosedError(RuntimeError):
    """The log was closed (the server is shutting down); nothing more is accepted."""


@dataclass(frozen=True, slots=True)
class _Pending:
    """A record and what its writer waits on: a future of an event loop, or a plain one."""

    record: DecisionRecord
    done: asyncio.Future[None] | Future[None]
    loop: asyncio.AbstractEventLoop | None = None


_STOP = object()


class DecisionLog:
    """Commits decision records in batches: on the event loop (SQLite) or a writer thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        on_loop: bool | None = None,
        checkpoint_every: float = 0.5,
        connections: ConnectionSource | None = None,
    ) -> None:
        self._engine = engine
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
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if self._loop_writer is None:
            self._put(_Pending(record, done, loop))
        else:
            if self._closed:
                raise DecisionLogClosedError("the decision log is closed")
            self._loop_writer.add(_Pending(record, done, loop))
        await done

    def write_sync(self, record: DecisionRecord) -> None:
        """Store `record` from a plain thread, waiting for the commit like `write`."""
        done: Future[None] = Future()
        self._put(_Pending(record, done))
        done.result()

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
            self._store([p.record for p in batch])
        except Exception:
            if len(batch) == 1:
                _log.exception("storing decision %s failed", batch[0].record.decision_id)
                _settle(batch, _failure())
                return
            for pending in batch:  # find the bad record; the others still get stored
                self._commit((pending,))
            return
        _settle(batch, None)

    def _store(self, records: Sequence[DecisionRecord]) -> None:
        with self._engine.begin() as connection:
            offers_repo.save_decisions(connection, records)


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
    `_Checkpoints` moves the WAL into the database from a thread of its own.
    """

    def __init__(
        self, log: DecisionLog, checkpoint_every: float, source: ConnectionSource | None
    ) -> None:
        self.log = log
        self.checkpoint_every = checkpoint_every
        self._source = source or self._own
        self._queues: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._owned: list[Connection] = []
        self._waits: WeakKeyDictionary[Connection, int] = WeakKeyDictionary()
        self._checkpoints: _Checkpoints | None = None

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
            self._store(batch)
        except Exception as exc:
            if _busy(exc):
                for pending in batch:  # another writer holds the database: let the thread wait
                    self.log._put(pending, handed_over=True)
                return
            self._one_by_one(batch)
            return
        _finish(batch, None)

    def _one_by_one(self, batch: Sequence[_Pending]) -> None:
        for pending in batch:
            try:
                self._store((pending,))
            except Exception as exc:
                if _busy(exc):
                    self.log._put(pending, handed_over=True)
                    continue
                _log.exception("storing decision %s failed", pending.record.decision_id)
                _finish((pending,), _failure())
                continue
            _finish((pending,), None)

    def _store(self, batch: Sequence[_Pending]) -> None:
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
                offers_repo.save_decisions(connection, [p.record for p in batch])
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
        finally:
            raw.execute(f"PRAGMA busy_timeout={waits}")
        if self._checkpoints is not None:
            self._checkpoints.wrote()

    def _prepare(self, connection: Connection, raw: Any) -> int:
        """First write on this connection: no checkpoints; remember its lock timeout."""
        raw.execute("PRAGMA wal_autocheckpoint=0")
        waits = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
        self._waits[connection] = waits
        with self._lock:
            if self._checkpoints is None:
                self._checkpoints = _Checkpoints(self.log._engine, self.checkpoint_every)
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


class _Checkpoints:
    """A thread that moves the WAL into the database file while the loop's writer commits.

    The loop's connection never checkpoints, so without this the WAL would only grow. A
    PASSIVE checkpoint copies pages without taking the write lock; it runs at most every
    `every` seconds, and only after something was written. Under steady writes a PASSIVE
    checkpoint never catches up with the last frame, so SQLite never starts the WAL over:
    once it holds `restart_frames`, a RESTART checkpoint (little left to copy by then) holds
    writers back for a moment so the next commit writes from the start of the file again.
    `restarting` tells the loop's writer to wait for it rather than hit the lock.
    """

    def __init__(self, engine: Engine, every: float, restart_frames: int = 4096) -> None:
        self._engine = engine
        self._every = every
        self._restart_frames = restart_frames
        self.restarting = False
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="decision-log-wal", daemon=True)
        self._thread.start()

    def wrote(self) -> None:
        if not self._dirty.is_set():  # setting it again takes a lock for nothing
            self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.wait(self._every):
                break
            self._dirty.clear()
            self._checkpoint()
        self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            with self._engine.connect() as connection:
                raw = connection.connection.driver_connection
                assert raw is not None
                _, frames, _ = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if frames >= self._restart_frames or self._stop.is_set():
                    self.restarting = True
                    try:
                        raw.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                    finally:
                        self.restarting = False
        except Exception:  # a missed checkpoint is retried next time; SQLite stays consistent
            _log.exception("WAL checkpoint failed")

    def close(self) -> None:
        self._stop.set()
        self._dirty.set()
        self._thread.join(30)


def _finish(batch: Sequence[_Pending], error: BaseException | None) -> None:
    """Settle futures directly on their own loop's thread, else through `_settle`."""
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if here is not None and all(p.loop is here for p in batch):
        _resolve([p.done for p in batch], error)
    else:  # close() from another thread
        _settle(batch, error)


def _busy(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds the write lock."""
    cause = exc.orig if isinstance(exc, OperationalError) else exc
    return isinstance(cause, sqlite3.OperationalError) and (
        "locked" in str(cause) or "busy" in str(cause)
    )


def _failure() -> RuntimeError:
    return RuntimeError("the decision could not be stored")


def _settle(batch: Sequence[_Pending], error: BaseException | None) -> None:
    """Wake every waiter of the batch: one call into each event loop, not one per request."""
    waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for pending in batch:
        if pending.loop is None:
            _resolve((pending.done,), error)
        else:
            waiting.setdefault(pending.loop, []).append(pending.done)  # type: ignore[arg-type]
    for loop, futures in waiting.items():
        try:
            loop.call_soon_threadsafe(_resolve, futures, error)
        except RuntimeError:  # that event loop is closed (shutdown): nobody waits any more
            _log.warning("%d decisions stored after their requests ended", len(futures))


def _resolve(
    futures: Sequence[asyncio.Future[None] | Future[None]], error: BaseException | None
) -> None:
    for done in futures:
        if done.cancelled() or done.done():
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
