"""`PlatformOrderIds` in memory, for tests."""

from __future__ import annotations


class MemoryPlatformOrderIds:
    """Platform order ids in a dict; the first pair stored wins."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}

    def remember(self, platform: str, platform_id: str, order_id: str) -> None:
        self.ids.setdefault((platform, platform_id), order_id)

    def order_id(self, platform: str, platform_id: str) -> str | None:
        return self.ids.get((platform, platform_id))
