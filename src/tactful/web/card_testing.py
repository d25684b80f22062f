"""Card testing held off: a hosted pay form answers 429 once it has seen too many declines.

Card testers post stolen numbers to any form that says "declined" or "paid". So pay attempts
are limited per client address, and declined ones per address, per checkout page and per
card (a salted hash of its number, never the number). Past a limit the form answers 429
with Retry-After, before anything reaches the gateway. Counts are sliding windows kept in
each server process, so with `serve --workers N` a tester gets at most N times the limit.
Behind a reverse proxy, uvicorn must trust its X-Forwarded-For (FORWARDED_ALLOW_IPS, as in
compose.yaml), or every shopper shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 3600.0
SWEEP_ABOVE = 10_000  # keys kept before expired ones are swept


@dataclass(frozen=True, slots=True)
class Limits:
    """How many pay attempts and declines each key may have in one window."""

    attempts_per_address: int = 60
    declines_per_address: int = 5
    declines_per_page: int = 25
    declines_per_card: int = 3
    window_seconds: float = WINDOW_SECONDS


class PayGuard:
    """Sliding-window counters of pay attempts and declines; thread-safe."""

    def __init__(
        self, limits: Limits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._salt = secrets.token_bytes(16)
        self._seen: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def card(self, number: str) -> str:
        """The card's fingerprint: a salted hash of its digits (the number is never kept)."""
        digits = "".join(ch for ch in number if ch.isdigit())
        return hashlib.sha256(self._salt + digits.encode()).hexdigest()[:32] if digits else ""

    def wait_seconds(self, address: str, page: str, card: str) -> float:
        """0 when this attempt may go ahead, else how long until the oldest count expires."""
        limits = self.limits
        checks = [
            (("attempt", address), limits.attempts_per_address),
            (("declined-address", address), limits.declines_per_address),
            (("declined-page", page), limits.declines_per_page),
        ]
        if card:
            checks.append((("declined-card", card), limits.declines_per_card))
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, limit, now) for key, limit in checks]
        return max(waits)

    def record(self, address: str, page: str, card: str, *, declined: bool) -> None:
        """Count an attempt that reached the gateway, and its decline if it was one."""
        now = self._clock()
        keys = [("attempt", address)]
        if declined:
            keys += [("declined-address", address), ("declined-page", page)]
            keys += [("declined-card", card)] if card else []
        with self._lock:
            for key in keys:
                self._seen[key].append(now)
            if len(self._seen) > SWEEP_ABOVE:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget keys whose every count has expired, so memory stays bounded."""
        horizon = now - self.limits.window_seconds
        for key in [k for k, times in self._seen.items() if not times or times[-1] <= horizon]:
            del self._seen[key]

    def _wait(self, key: tuple[str, str], limit: int, now: float) -> float:
        times = self._seen.get(key)
        if not times:
            return 0.0
        while times and times[0] <= now - self.limits.window_seconds:
            times.popleft()
        if len(times) < limit:
            return 0.0
        return times[0] + self.limits.window_seconds - now
