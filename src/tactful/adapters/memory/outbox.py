"""`tactful.services.ports.webhooks_out.Outbox` in memory: messages kept with the state.

The memory database has no endpoints, so every message is kept once (under `"*"`), which is
enough for tests to see what a use case published and that a rolled-back one published nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One published message."""

    message_id: str
    event_type: str
    payload: str
    at: datetime


@dataclass
class OutboxData:
    """Published messages, oldest first."""

    messages: list[QueuedMessage] = field(default_factory=list)


class MemoryOutbox:
    """The `Outbox` port over a memory transaction's state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.outbox

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        message_id = f"msg_{len(self.data.messages) + 1}"
        self.data.messages.append(QueuedMessage(message_id, event_type, payload, at))
        return [message_id]
