"""`tactful.services.ports.CatalogStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CatalogData:
    """What the catalog store holds."""


class MemoryCatalogStore:
    """`tactful.services.ports.CatalogStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
