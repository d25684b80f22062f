"""Webhooks out: endpoints registered by the merchant, events published to an outbox,
delivered at least once by the worker (`WebhookDelivery.run_due`), retried for three days.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tactful.domain.clock import Clock
from tactful.domain.webhooks_out import Delivery, Endpoint, EventType, next_attempt
from tactful.services.ports.webhooks_out import Outbox, WebhookSender, WebhookStore

BATCH = 200
LEASE = timedelta(minutes=2)
MAX_PER_RUN = 20_000
TEST_EVENT = "webhook.test"
"""What "send test event" sends: to one endpoint, whatever events it subscribed to."""


def message_body(event_type: EventType, data: Mapping[str, Any], now: datetime) -> str:
    """The JSON a receiver gets: the event's type, when it happened, and its data."""
    body = {"type": event_type.value, "timestamp": now.isoformat(), "data": dict(data)}
    return json.dumps(body, default=str)


def publish_in(
    outbox: Outbox, event_type: EventType, data: Mapping[str, Any], now: datetime
) -> list[str]:
    """Queue `event_type` in the caller's transaction (`tx.outbox`), so the message commits
    with the fact it reports, or neither does; returns the message ids."""
    return outbox.enqueue(event_type.value, message_body(event_type, data, now), now)


class UnknownEndpointError(LookupError):
    """No endpoint (or message) with this id."""


@dataclass
class Webhooks:
    """The merchant's endpoints, and publishing an event to every subscribed one."""

    store: WebhookStore
    clock: Clock
    new_secret: Callable[[], str]

    def register(self, url: str, events: Sequence[EventType], description: str = "") -> Endpoint:
        """A new, enabled endpoint with a fresh signing secret (shown to the merchant once)."""
        endpoint = Endpoint(
            endpoint_id=f"ep_{uuid.uuid4().hex[:24]}",
            url=url,
            secret=self.new_secret(),
            events=tuple(dict.fromkeys(events)),
            description=description,
            enabled=True,
            disabled_reason=None,
            created_at=self.clock.now(),
        )
        self.store.add_endpoint(endpoint)
        return endpoint

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, with whether it is enabled and why not."""
        return self.store.endpoints()

    def enable(self, endpoint_id: str) -> None:
        """Deliver to a disabled endpoint again (its failed messages can then be replayed)."""
        if not self.store.set_enabled(endpoint_id, True, None):
            raise UnknownEndpointError(endpoint_id)

    def publish(self, event_type: EventType, data: Mapping[str, Any]) -> list[str]:
        """Queue `event_type` for every subscribed endpoint; returns the message ids."""
        now = self.clock.now()
        return self.store.enqueue(event_type.value, message_body(event_type, data, now), now)

    def update(
        self, endpoint_id: str, url: str, events: Sequence[EventType], description: str
    ) -> None:
        """Point an endpoint elsewhere or change the events it hears."""
        unique = tuple(dict.fromkeys(events))
        if not self.store.update_endpoint(
            endpoint_id, url=url, events=unique, description=description
        ):
            raise UnknownEndpointError(endpoint_id)

    def disable(self, endpoint_id: str, reason: str = "disabled by the merchant") -> None:
        """Stop delivering to an endpoint (its messages wait; enable it to resume)."""
        if not self.store.set_enabled(endpoint_id, False, reason):
            raise UnknownEndpointError(endpoint_id)

    def rotate_secret(self, endpoint_id: str) -> str:
        """A new signing secret, used from the next delivery on; returned to show once."""
        secret = self.new_secret()
        if not self.store.set_secret(endpoint_id, secret):
            raise UnknownEndpointError(endpoint_id)
        return secret

    def send_test(self, endpoint_id: str) -> str:
        """Queue a `webhook.test` message for this endpoint alone; returns its id."""
        now = self.clock.now()
        body = json.dumps(
            {"type": TEST_EVENT, "timestamp": now.isoformat(), "data": {"test": True}}
        )
        message_id = self.store.enqueue_to(endpoint_id, TEST_EVENT, body, now)
        if message_id is None:
            raise UnknownEndpointError(endpoint_id)
        return message_id

    def replay(self, message_id: str) -> None:
        """Send a message again now, with its own id (receivers dedupe by it)."""
        if not self.store.replay(message_id, self.clock.now()):
            raise UnknownEndpointError(message_id)

    def deliveries(self, endpoint_id: str, limit: int = 50) -> list[Delivery]:
        """An endpoint's latest messages and how they went."""
        return self.store.deliveries(endpoint_id, limit)


@dataclass
class WebhookDelivery:
    """The worker's due work: send what is due, record each outcome, schedule retries."""

    store: WebhookStore
    sender: WebhookSender
    name: str = "webhooks"
    batch: int = BATCH

    def run_due(self, now: datetime) -> int:
        """Send every message due at `now` (in batches); returns how many were attempted."""
        attempted = 0
        while attempted < MAX_PER_RUN:
            claimed = self.store.claim(now, self.batch, LEASE)
            if not claimed:
                break
            outcomes = self.sender.send_all(claimed, now)
            for message, outcome in zip(claimed, outcomes, strict=True):
                retry_at = None if outcome.delivered else next_attempt(message.attempts, now)
                self.store.finish(message.message_id, outcome, now, retry_at)
            attempted += len(claimed)
        return attempted

    def close(self) -> None:
        """Release the sender's connections."""
        self.sender.close()
