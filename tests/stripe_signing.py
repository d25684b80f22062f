"""Stripe's webhook signature scheme, written out for tests: `t=TIME,v1=HMAC_SHA256(secret,
"TIME.BODY")`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any


def signature_header(body: bytes, secret: str, at: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for `body`."""
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(event_id: str, kind: str, obj: dict[str, Any]) -> bytes:
    """An event in Stripe's shape (`../shared/stripe/fixtures3.json` `event`) about `obj`."""
    event = {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }
    return json.dumps(event).encode()
