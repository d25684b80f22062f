"""What Thompson allocation learns from: impressions and acceptances per offer key, re-read
from the offer log off the decision path, and only once a decision's policy asks for them.

The read groups the whole window's impressions (about 4 s of CPU over a million on SQLite,
bench/thompson_vs_ab.py --store), so it runs on a thread of its own at most every `refresh`
seconds and decisions use the last counts read; until the first read ends they have none, and
Thompson then draws from the prior alone (every eligible candidate equally likely to lead).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from tactful.domain.clock import Clock
from tactful.domain.offers.thompson import ArmCounts
from tactful.services.ports.storage import Database

__all__ = ["ARM_REFRESH", "ARM_WINDOW", "ArmCountCache", "in_background"]

ARM_WINDOW = timedelta(days=30)
"""How far back impressions count: long enough to learn, short enough to follow a change."""
ARM_REFRESH = 600.0
"""Seconds between reads; stale counts only delay what a response teaches by that long."""
_log = logging.getLogger(__name__)


def in_background(read: Callable[[], None]) -> None:
    """Run `read` on a daemon thread (the cache's default runner)."""
    threading.Thread(target=read, name="arm-counts", daemon=True).start()


class ArmCountCache:
    """`cache()`: the offer log's counts per offer key over the last `window`, as last read;
    a call finding them older than `refresh` seconds starts a new read through `run`."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        window: timedelta = ARM_WINDOW,
        refresh: float = ARM_REFRESH,
        monotonic: Callable[[], float] = time.monotonic,
        run: Callable[[Callable[[], None]], None] = in_background,
    ) -> None:
        self.database = database
        self.clock = clock
        self.window = window
        self.refresh = refresh
        self.monotonic = monotonic
        self.run = run
        self._lock = threading.Lock()
        self._counts: Mapping[str, ArmCounts] = {}
        self._read_at: float | None = None
        self._reading = False

    def __call__(self) -> Mapping[str, ArmCounts]:
        if self._due():
            self.run(self._read)
        return self._counts

    def _due(self) -> bool:
        with self._lock:
            stale = self._read_at is None or self.monotonic() - self._read_at >= self.refresh
            if self._reading or not stale:
                return False
            self._reading = True
            return True

    def _read(self) -> None:
        try:
            with self.database.transaction() as tx:
                self._counts = tx.offers.arm_counts(since=self.clock.now() - self.window)
        except Exception:  # a failed read keeps the last counts, and is tried again later
            _log.exception("reading offer counts for Thompson allocation failed")
        finally:
            with self._lock:
                self._reading = False
                self._read_at = self.monotonic()
