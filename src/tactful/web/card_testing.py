"""Card testing held off: a hosted pay form answers 429 once it has seen too many declines.

Card testers post stolen numbers to any form that says "declined" or "paid". So pay attempts
are limited per client address, and declined ones per address, per checkout page and per
card (a keyed hash of its number, never the number). Past a limit the form answers 429
with Retry-After, before anything reaches the gateway. Counts are fixed windows of the
`WindowCounters` the container built: in the database (the default) every server process
and `serve --workers N` worker adds to the same counts; in memory, each process counts its
own. Behind a reverse proxy, uvicorn must trust its X-Forwarded-For (FORWARDED_ALLOW_IPS, as
in compose.yaml), or every shopper shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from tactful.services.ports.counters import WindowCounters

WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Limits:
    """How many pay attempts and declines each key may have in one window."""

    attempts_per_address: int = 60
    declines_per_address: int = 5
    declines_per_page: int = 25
    declines_per_card: int = 3
    window_seconds: int = WINDOW_SECONDS


class PayGuard:
    """Fixed-window counts of pay attempts and declines in `counters`.

    `key` makes the card fingerprints (an HMAC of the digits); every process must use the
    same key (the container's link secret) so they count the same card as one.
    """

    def __init__(self, counters: WindowCounters, key: bytes, limits: Limits | None = None) -> None:
        self.counters = counters
        self.limits = limits or Limits()
        self._key = key

    def card(self, number: str) -> str:
        """The card's fingerprint: a keyed hash of its digits (the number is never kept)."""
        digits = "".join(ch for ch in number if ch.isdigit())
        if not digits:
            return ""
        return hmac.new(self._key, digits.encode(), hashlib.sha256).hexdigest()[:32]

    def wait_seconds(self, address: str, page: str, card: str) -> float:
        """0 when this attempt may go ahead, else how long until the window ends."""
        limits = self.limits
        checks = [
            (f"attempt:{address}", limits.attempts_per_address),
            (f"declined-address:{address}", limits.declines_per_address),
            (f"declined-page:{page}", limits.declines_per_page),
        ]
        if card:
            checks.append((f"declined-card:{card}", limits.declines_per_card))
        return max(self._wait(key, limit) for key, limit in checks)

    def record(self, address: str, page: str, card: str, *, declined: bool) -> None:
        """Count an attempt that reached the gateway, and its decline if it was one."""
        keys = [f"attempt:{address}"]
        if declined:
            keys += [f"declined-address:{address}", f"declined-page:{page}"]
            keys += [f"declined-card:{card}"] if card else []
        for key in keys:
            self.counters.add(key, self.limits.window_seconds)

    def _wait(self, key: str, limit: int) -> float:
        seen = self.counters.read(key, self.limits.window_seconds)
        return 0.0 if seen.count < limit else max(seen.resets_in, 0.001)
