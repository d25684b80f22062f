"""`WindowCounters` in one process's memory: correct for a single server process (and tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tactful.services.ports.counters import (
    SlidingCount,
    WindowCount,
    milliseconds,
    sliding_admits,
    window_start,
)

SWEEP_ABOVE = 50_000
"""Keys kept before those of ended windows are forgotten."""


class MemoryWindowCounters:
    """Counts in dicts keyed by (key, window); thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counts: dict[tuple[str, int], tuple[int, int]] = {}
        self._sliding: dict[tuple[str, int], _Windows] = {}
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

    def admit(self, key: str, window: int, limit: int, amount: int = 1) -> SlidingCount:
        now = milliseconds(self.clock())
        span = window * 1000
        start = now - now % span
        with self._lock:
            held = self._sliding.get((key, window), _Windows(start, 0, 0)).at(start, span)
            admitted = sliding_admits(
                held.count, held.previous, start + span - now, span, limit, amount
            )
            if admitted:
                held = _Windows(held.start, held.count + amount, held.previous)
            if len(self._sliding) >= SWEEP_ABOVE:
                stale = [k for k, kept in self._sliding.items() if kept.start + 2 * span <= now]
                for gone in stale:
                    del self._sliding[gone]
            self._sliding[key, window] = held
        return SlidingCount(admitted, held.count, held.previous, span, now - start)

    def _current(self, key: str, window: int, start: int) -> int:
        started, count = self._counts.get((key, window), (start, 0))
        return count if started == start else 0

    def _sweep(self, now: float) -> None:
        ended = [held for held, (start, _) in self._counts.items() if start + held[1] <= now]
        for held in ended:
            del self._counts[held]


@dataclass(frozen=True, slots=True)
class _Windows:
    """A key's current window (its start in ms) and the calls admitted in it and before."""

    start: int
    count: int
    previous: int

    def at(self, start: int, span: int) -> _Windows:
        """These windows as seen from the window starting at `start` (a later one rolls)."""
        if self.start >= start:  # the same window, or a later one seen by a slower clock
            return self
        return _Windows(start, 0, self.count if self.start == start - span else 0)
