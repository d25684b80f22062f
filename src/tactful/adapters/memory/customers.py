"""`tactful.services.ports.CustomerStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CustomerData:
    """What the customers store holds."""


class MemoryCustomerStore:
    """`tactful.services.ports.CustomerStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
