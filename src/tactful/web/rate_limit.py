"""The publishable endpoints' rate limit: calls per (key, client IP) in each clock minute.

Counted in fixed one-minute windows of the `WindowCounters` the container built: in the
database, every server process (and `serve --workers N`) shares the count; in memory, each
process counts its own.
"""

from __future__ import annotations

import hashlib
import math

from starlette.concurrency import run_in_threadpool

from tactful.services.ports.counters import WindowCounters

WINDOW_SECONDS = 60


class RateLimit:
    """At most `per_minute` calls per caller in each minute; 0 per minute: no limit.

    `take(caller)` counts one call and returns 0 when it is allowed, or the seconds until
    the minute ends (the 429's Retry-After). `offload` runs the count off the event loop
    (a database round trip); counters in memory are counted in place.
    """

    def __init__(self, counters: WindowCounters, per_minute: int, *, offload: bool) -> None:
        self.counters = counters
        self.per_minute = per_minute
        self.offload = offload

    @property
    def enabled(self) -> bool:
        """Whether any limit applies."""
        return self.per_minute > 0

    def take(self, caller: str) -> float:
        """Count a call by `caller`: 0 when allowed, else the seconds until the window ends."""
        if not self.enabled:
            return 0.0
        hit = self.counters.add(caller_key(caller), WINDOW_SECONDS)
        return 0.0 if hit.count <= self.per_minute else max(hit.resets_in, 0.001)

    async def take_async(self, caller: str) -> float:
        """`take` from the event loop."""
        if self.offload and self.enabled:
            return await run_in_threadpool(self.take, caller)
        return self.take(caller)


def caller_key(caller: str) -> str:
    """The counter of one caller: a hash, so a key's secret part is never stored."""
    return "publishable:" + hashlib.sha256(caller.encode()).hexdigest()[:32]


def retry_after(seconds: float) -> int:
    """A Retry-After value in whole seconds, at least 1."""
    return max(1, math.ceil(seconds))
