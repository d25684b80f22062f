"""Counters shared by every server process: rate limits and abuse throttles.

Fixed windows (`add`, `read`, `clear`) count every attempt, as the login throttle and the
card-testing guard want. `admit` is a sliding-window limiter built from two fixed windows
(the estimate of Cloudflare's and nginx's sliding window counters): a call is admitted when
the calls admitted in the current window, plus the previous window's weighted by the share
of the current window still to come, stay within the limit. Refused calls are not counted,
so a caller that keeps calling past the limit still gets the limit's rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WindowCount:
    """How many hits a key has in its current window, and when that window ends."""

    count: int
    resets_in: float
    """Seconds until the window ends and the count starts again from 0."""


@dataclass(frozen=True, slots=True)
class SlidingCount:
    """A key's admitted calls in its current window and the one before, after one try."""

    admitted: bool
    count: int
    """Calls admitted in the current window, this one included when it was admitted."""
    previous: int
    """Calls admitted in the window before."""
    window_ms: int
    elapsed_ms: int
    """How far into the current window the try came."""

    def retry_in(self, limit: int, amount: int = 1) -> float:
        """Seconds until `amount` more calls would be admitted, if none is tried before then
        (0 when this try was admitted; infinity when `amount` exceeds the limit itself)."""
        if self.admitted:
            return 0.0
        window, remaining = self.window_ms, self.window_ms - self.elapsed_ms
        if self.count + amount <= limit and self.previous > 0:
            # Later in this window, once the previous window weighs little enough.
            allowed = (limit - self.count - amount) * window // self.previous
            return max(remaining - allowed, 1) / 1000
        if amount > limit:
            return math.inf
        if self.count + amount <= limit:
            return 0.001  # nothing weighs against it any more (a clock that went back)
        # In the next window, where this window's calls are the previous ones.
        allowed = (limit - amount) * window // self.count
        return (remaining + window - allowed) / 1000


def sliding_admits(
    count: int, previous: int, remaining_ms: int, window_ms: int, limit: int, amount: int
) -> bool:
    """Whether `amount` more calls stay within `limit`: count + amount + previous x the
    remaining share of the window, in integers (so every store decides the same)."""
    return (count + amount) * window_ms + previous * remaining_ms <= limit * window_ms


class WindowCounters(Protocol):
    """Counts per key in fixed windows of wall-clock time (the same windows in every process).

    A window of `window` seconds starts at each multiple of `window` since the epoch; its
    count is shared by every process that uses the same store, and `add` and `admit` are
    atomic.
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

    def admit(self, key: str, window: int, limit: int, amount: int = 1) -> SlidingCount:
        """Count `amount` calls of `key` when `sliding_admits` allows them, else count
        nothing; both windows after the try. Kept apart from the counts of `add`."""
        ...


def window_start(now: float, window: int) -> int:
    """The start (epoch seconds) of the `window`-second window that holds `now`."""
    return int(now // window) * window


def milliseconds(now: float) -> int:
    """Epoch seconds as whole milliseconds (the sliding windows' unit)."""
    return math.floor(now * 1000)
