"""Storage and transport of webhooks out: endpoints, the outbox, and the HTTP sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tactful.domain.webhooks_out import Delivery, Endpoint, EventType, Outcome


@dataclass(frozen=True, slots=True)
class Claimed:
    """A due message taken for sending, with where it goes and how it is signed."""

    message_id: str
    url: str
    secret: str
    payload: str
    attempts: int
    """Attempts so far, this one included."""


class Outbox(Protocol):
    """The outbox as one transaction sees it: a message queued here commits (or rolls back)
    together with the fact it reports, so a crash between them can neither lose nor repeat it."""

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        """Queue the message for every enabled endpoint subscribed to `event_type`; returns
        the new message ids (one per endpoint)."""
        ...


class WebhookStore(Protocol):
    """Endpoints and the durable outbox (one row per message and endpoint)."""

    def add_endpoint(self, endpoint: Endpoint) -> None:
        """Store a new endpoint."""
        ...

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, oldest first."""
        ...

    def set_enabled(self, endpoint_id: str, enabled: bool, reason: str | None) -> bool:
        """Enable or disable an endpoint (with why); False when it is unknown."""
        ...

    def update_endpoint(
        self, endpoint_id: str, *, url: str, events: Sequence[EventType], description: str
    ) -> bool:
        """Change where an endpoint is and what it hears; False when it is unknown."""
        ...

    def set_secret(self, endpoint_id: str, secret: str) -> bool:
        """Sign with a new secret from now on; False when the endpoint is unknown."""
        ...

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        """Queue the message for every enabled endpoint subscribed to `event_type`, in the
        same transaction; returns the new message ids (one per endpoint)."""
        ...

    def enqueue_to(
        self, endpoint_id: str, event_type: str, payload: str, at: datetime
    ) -> str | None:
        """Queue one message for this endpoint alone (a test event); None when unknown."""
        ...

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
        """Take up to `limit` due messages (and ones whose lease ran out) for this worker."""
        ...

    def finish(
        self, message_id: str, outcome: Outcome, now: datetime, retry_at: datetime | None
    ) -> str | None:
        """Record an attempt: delivered, retried at `retry_at`, or given up (retry_at None).

        When given up, the endpoint is disabled; returns its id then (None otherwise).
        """
        ...

    def replay(self, message_id: str, now: datetime) -> bool:
        """Send a message again now, whatever became of it; False when it is unknown."""
        ...

    def deliveries(self, endpoint_id: str, limit: int) -> list[Delivery]:
        """An endpoint's latest messages, newest first."""
        ...


class WebhookSender(Protocol):
    """Sends signed messages over HTTP, several at once."""

    def send_all(self, messages: Sequence[Claimed], now: datetime) -> list[Outcome]:
        """Each message signed (Standard Webhooks) and POSTed; outcomes in the same order."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
