"""The dashboard's figures, kept in this process for a minute and in the database for all.

A page's figures over a million decisions take seconds to compute from the logs. Views within
a minute share one computation (kept in memory); beyond that a view reads the figures stored
in the database (`StoredFigures`) while they are younger than `STORED_MAX_AGE`, and computes
them itself only when none are stored. The worker keeps the standard pages' figures fresh
(`DashboardRefresh`), so a merchant's first view reads one row instead of the raw log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from tactful.domain.clock import Clock, SystemClock
from tactful.domain.dashboard import Period
from tactful.services.ports.dashboard import StoredFigures

__all__ = [
    "FIGURES_VERSION",
    "REFRESH_AFTER",
    "REPORT_CACHE_SECONDS",
    "STORED_MAX_AGE",
    "FigureCache",
    "figures_key",
    "stored_key",
]

T = TypeVar("T")
REPORT_CACHE_SECONDS = 60.0
"""How long a report is reused in memory: views within a minute share one computation."""
REFRESH_AFTER = timedelta(minutes=10)
"""The worker recomputes stored figures older than this."""
FIGURES_VERSION = 2
"""The shape of the stored figures: raise it whenever a stored report class gains, loses or
renames a field (2: the funnel's refunded lines). Figures stored under another version are not
read (a page computes them afresh, the worker stores them anew) and are dropped after a day."""
STORED_MAX_AGE = timedelta(minutes=30)
"""A view reads stored figures up to this old; older ones (no worker running) it recomputes."""


@dataclass
class FigureCache:
    """Figures by key: from memory (a minute), the store (`STORED_MAX_AGE`), or computed."""

    stored: StoredFigures | None = None
    clock: Clock = field(default_factory=SystemClock)
    _memory: dict[str, tuple[float, Any]] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def reuse(self, key: str, compute: Callable[[], T]) -> T:
        """The figures under `key`: kept ones when fresh enough, else computed and kept."""
        with self._lock:
            found = self._memory.get(key)
            if found is not None and time.monotonic() - found[0] < REPORT_CACHE_SECONDS:
                return cast(T, found[1])
            loaded = self.load(key)
            if loaded is not None:
                self._remember(key, loaded)
                return cast(T, loaded)
            return self.refresh(key, compute)

    def refresh(self, key: str, compute: Callable[[], T]) -> T:
        """Compute the figures under `key` now, and keep them in memory and in the store."""
        with self._lock:
            started = self.clock.now()
            value = compute()
            self.keep(key, value, computed_at=started)
            return value

    def keep(self, key: str, value: Any, *, computed_at: datetime | None = None) -> None:
        """Keep figures computed elsewhere (a thread of their own) in memory and the store;
        `computed_at` is when their computation began (default: now)."""
        if self.stored is not None:
            moment = computed_at or self.clock.now()
            self.stored.save(stored_key(key), value, computed_at=moment)
        with self._lock:
            self._remember(key, value)

    def load(self, key: str) -> Any | None:
        """Stored figures younger than `STORED_MAX_AGE`, or None."""
        if self.stored is None:
            return None
        found = self.stored.load(stored_key(key))
        if found is None or self.clock.now() - found[0] >= STORED_MAX_AGE:
            return None
        return found[1]

    def stored_at(self, key: str) -> datetime | None:
        """When the stored figures under `key` were computed, None when there are none."""
        return None if self.stored is None else self.stored.computed_at(stored_key(key))

    def _remember(self, key: str, value: Any) -> None:
        now = time.monotonic()
        stale = [k for k, (at, _) in self._memory.items() if now - at >= REPORT_CACHE_SECONDS]
        for old in stale:
            del self._memory[old]
        self._memory[key] = (now, value)


def stored_key(key: str, version: int = FIGURES_VERSION) -> str:
    """The row figures under `key` are stored in, for figures of `version`'s shape."""
    return f"v{version}/{key}"


def figures_key(page: str, period: Period, segment: str | None = None) -> str:
    """The stored figures' key of a page over a period (and segment)."""
    parts = [page, period.since.isoformat(), period.until.isoformat(), segment]
    return "/".join(part for part in parts if part is not None)
