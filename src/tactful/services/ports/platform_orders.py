"""Which of our orders a shop platform's order id is (refund webhooks name only theirs)."""

from __future__ import annotations

from typing import Protocol

EXTERNAL = "external"
"""The platform under which an order sent by `POST /v1/orders` keeps its `external_id`."""


class PlatformOrderStore(Protocol):
    """Platform order ids as one transaction sees them; each (platform, id) pair once."""

    def remember(self, platform: str, platform_id: str, order_id: str) -> bool:
        """Record that `platform`'s order `platform_id` is our `order_id`; True when this pair
        is new (the delivery's dedupe record), False when it was stored before."""
        ...

    def order_id(self, platform: str, platform_id: str) -> str | None:
        """Our order id for the platform's, or None when that order never came."""
        ...
