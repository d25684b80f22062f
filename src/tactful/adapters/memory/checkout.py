"""`tactful.services.ports.CheckoutStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class CheckoutData:
    """What the checkout store holds."""


class MemoryCheckoutStore:
    """`tactful.services.ports.CheckoutStore` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
