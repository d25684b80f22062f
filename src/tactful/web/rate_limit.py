"""Token buckets per (key, client IP): the publishable endpoints' rate limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable

MAX_BUCKETS = 50_000
"""Past this many callers, full buckets (callers idle for a minute) are forgotten."""


class TokenBuckets:
    """`per_minute` calls per caller, refilled evenly; a full bucket allows a minute's burst.

    `take(caller)` spends one token and returns 0, or returns how many seconds to wait
    before the next call would be allowed (the 429's Retry-After). 0 per minute: no limit.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        """Whether any limit applies."""
        return self.capacity > 0

    def take(self, caller: Hashable) -> float:
        """Spend a token for `caller`: 0 when allowed, else the seconds until one refills."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        tokens, then = self._buckets.get(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[caller] = (tokens, now)
            return (1.0 - tokens) / self.rate
        if len(self._buckets) >= MAX_BUCKETS and caller not in self._buckets:
            self._forget_idle(now)
        self._buckets[caller] = (tokens - 1.0, now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop callers whose bucket has refilled: forgetting them changes nothing."""
        idle = [
            caller
            for caller, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self.rate >= self.capacity
        ]
        for caller in idle:
            del self._buckets[caller]


def retry_after(seconds: float) -> int:
    """A Retry-After value in whole seconds, at least 1."""
    return max(1, math.ceil(seconds))
