"""The publishable endpoints' rate limit: calls per (key, client IP) in a sliding minute.

A call is admitted when the calls admitted so far in this clock minute, plus last minute's
weighted by the share of this minute still to come, stay within the limit (the two-window
estimate of a sliding minute; `WindowCounters.admit`). A fixed clock minute let a caller
make the limit at 12:00:59 and the limit again at 12:01:00; with the estimate, a span of
s seconds admits at most limit x (1 + s/60) calls, so a burst across a minute's end gets
little more than the limit. Refused calls are not counted: a caller past the limit still
gets the limit's rate. Counted by the counters the container built: in the database, every
server process (and `serve --workers N`) shares the count; in memory, each process counts
its own.
"""

from __future__ import annotations

import hashlib
import math

from starlette.concurrency import run_in_threadpool

from tactful.services.ports.counters import WindowCounters

WINDOW_SECONDS = 60


class RateLimit:
    """At most `per_minute` calls per caller in a sliding minute; 0 per minute: no limit.

    `take(caller)` counts one call and returns 0 when it is allowed, or the seconds until
    a call would be (the 429's Retry-After). `offload` runs the count off the event loop
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
        """Count a call by `caller`: 0 when allowed, else the seconds until one would be."""
        if not self.enabled:
            return 0.0
        tried = self.counters.admit(caller_key(caller), WINDOW_SECONDS, self.per_minute)
        return 0.0 if tried.admitted else max(tried.retry_in(self.per_minute), 0.001)

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
