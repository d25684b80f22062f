"""`PlatformOrderStore` in memory, for tests: kept with the memory database's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class PlatformOrderData:
    """(platform, platform id) -> our order id; the first pair stored wins."""

    ids: dict[tuple[str, str], str] = field(default_factory=dict)


class MemoryPlatformOrderStore:
    """The `PlatformOrderStore` port over a memory transaction's state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.platform_orders

    def remember(self, platform: str, platform_id: str, order_id: str) -> bool:
        if (platform, platform_id) in self.data.ids:
            return False
        self.data.ids[(platform, platform_id)] = order_id
        return True

    def order_id(self, platform: str, platform_id: str) -> str | None:
        return self.data.ids.get((platform, platform_id))
