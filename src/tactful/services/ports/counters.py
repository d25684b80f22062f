"""Fixed-window counters shared by every server process: rate limits and abuse throttles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WindowCount:
    """How many hits a key has in its current window, and when that window ends."""

    count: int
    resets_in: float
    """Seconds until the window ends and the count starts again from 0."""


class WindowCounters(Protocol):
    """Counts per key in fixed windows of wall-clock time (the same windows in every process).

    A window of `window` seconds starts at each multiple of `window` since the epoch; its
    count is shared by every process that uses the same store, and `add` is atomic.
    """

    def add(self, key: str, window: int, amount: int = 1) -> WindowCount:
        """Add `amount` to `key`'s count in the current window; the count after it."""
        ...

    def read(self, key: str, window: int) -> WindowCount:
        """`key`'s count in the current window (0 when it has none)."""
        ...

    def clear(self, key: str, window: int) -> None:
        """Forget `key`'s count in the current window."""
        ...


def window_start(now: float, window: int) -> int:
    """The start (epoch seconds) of the `window`-second window that holds `now`."""
    return int(now // window) * window
