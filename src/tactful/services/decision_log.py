"""Group commit for the decision log: one writer stores many concurrent decisions at once.

Each request hands its decision record to the writer and waits until the transaction that
holds it has committed, so a 200 still means "durably stored". The writer thread takes
everything queued while the previous transaction was committing and writes it in one
transaction (one executemany per table), which spreads the commit over the whole batch.
A batch that fails is retried one record at a time, so one bad record fails only its own
request. `close()` writes whatever is queued, then stops the thread.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Engine

from tactful.adapters.db.repositories import offers as offers_repo

_log = logging.getLogger(__name__)
DecisionRecord = offers_repo.DecisionRecord
MAX_BATCH = 512


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
    """A single writer thread that commits queued decision records in batches."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    async def write(self, record: DecisionRecord) -> None:
        """Store `record`; returns once its transaction has committed (raises if it failed)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._put(_Pending(record, done, loop))
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
            thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout)

    def _put(self, pending: _Pending) -> None:
        with self._lock:
            if self._closed:
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
