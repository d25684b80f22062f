"""`WindowCounters` in one process's memory: correct for a single server process (and tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tactful.services.ports.counters import WindowCount, window_start

SWEEP_ABOVE = 50_000
"""Keys kept before those of ended windows are forgotten."""


class MemoryWindowCounters:
    """Counts in a dict keyed by (key, window, window start); thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counts: dict[tuple[str, int], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, window: int, amount: int = 1) -> WindowCount:
        now = self.clock()
        start = window_start(now, window)
        with self._lock:
            count = self._current(key, window, start) + amount
            if len(self._counts) >= SWEEP_ABOVE:
                self._sweep(now)
            self._counts[key, window] = (start, count)
        return WindowCount(count, start + window - now)

    def read(self, key: str, window: int) -> WindowCount:
        now = self.clock()
        start = window_start(now, window)
        with self._lock:
            count = self._current(key, window, start)
        return WindowCount(count, start + window - now)

    def clear(self, key: str, window: int) -> None:
        with self._lock:
            self._counts.pop((key, window), None)

    def _current(self, key: str, window: int, start: int) -> int:
        started, count = self._counts.get((key, window), (start, 0))
        return count if started == start else 0

    def _sweep(self, now: float) -> None:
        ended = [held for held, (start, _) in self._counts.items() if start + held[1] <= now]
        for held in ended:
            del self._counts[held]
