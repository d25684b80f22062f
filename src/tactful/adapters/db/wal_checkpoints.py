"""The SQLite WAL moved into the database file by a thread, while the loop's writer commits."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

_log = logging.getLogger(__name__)


class WalCheckpoints:
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
