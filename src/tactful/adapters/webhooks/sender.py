"""`WebhookSender` over httpx: each message signed per the Standard Webhooks specification.

Headers `webhook-id` (the message id, the same on every retry, so receivers dedupe by it),
`webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
`id.timestamp.body` under the endpoint's `whsec_` secret), made by the `standardwebhooks`
package so any Standard Webhooks library verifies them. Several messages are sent at once on
a pool of threads sharing one connection pool.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
from standardwebhooks import Webhook

from tactful.domain.webhooks_out import Outcome
from tactful.services.ports.webhooks_out import Claimed

TIMEOUT_SECONDS = 10.0
PARALLEL = 16
USER_AGENT = "tactful-webhooks/1"


def new_secret() -> str:
    """A fresh endpoint secret in the Standard Webhooks form (`whsec_` + base64 of 24 bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class StandardWebhookSender:
    """POSTs signed JSON messages; a 2xx answer is delivered, anything else a failure."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS, parallel: int = PARALLEL) -> None:
        self.timeout = timeout
        self.parallel = parallel
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            limits = httpx.Limits(max_connections=self.parallel * 2)
            self._client = httpx.Client(timeout=self.timeout, limits=limits)
        return self._client

    def send_all(self, messages: Sequence[Claimed], now: datetime) -> list[Outcome]:
        if len(messages) <= 1:
            return [self._send(message, now) for message in messages]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(messages))) as pool:
            return list(pool.map(lambda message: self._send(message, now), messages))

    def _send(self, message: Claimed, now: datetime) -> Outcome:
        signature = Webhook(message.secret).sign(message.message_id, now, message.payload)
        headers = {
            "webhook-id": message.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        try:
            answer = self.client.post(message.url, content=message.payload, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}")
        error = None if answer.is_success else answer.text[:200]
        return Outcome(answer.status_code, error)

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None
