"""`tactful.services.ports.OrderStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class OrderData:
    """What the orders store holds."""


class MemoryOrderStore:
    """`tactful.services.ports.OrderStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
