"""Which of our orders a shop platform's order id is (refund webhooks name only theirs)."""

from __future__ import annotations

from typing import Protocol


class PlatformOrderIds(Protocol):
    """Remembers platform order ids; each pair is stored once."""

    def remember(self, platform: str, platform_id: str, order_id: str) -> None:
        """Record that `platform`'s order `platform_id` is our `order_id` (a repeat is a no-op)."""
        ...

    def order_id(self, platform: str, platform_id: str) -> str | None:
        """Our order id for the platform's, or None when that order never came."""
        ...
