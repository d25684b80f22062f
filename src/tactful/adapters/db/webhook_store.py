"""The `WebhookStore` port on SQLAlchemy: endpoints and the outbox of webhooks out.

Claiming stamps a lease on the oldest due rows in one transaction (`FOR UPDATE SKIP LOCKED`
on PostgreSQL, a single writer on SQLite); a row whose lease ran out (its worker died) is due
again, so a kill -9 loses no message: it is sent again, with the same `webhook-id`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from tactful.adapters.db.tables_storefront import webhook_endpoints, webhook_outbox
from tactful.domain.webhooks_out import Delivery, DeliveryStatus, Endpoint, EventType, Outcome
from tactful.services.ports.webhooks_out import Claimed

PENDING = DeliveryStatus.PENDING.value
MAX_ERROR = 500


class SqlOutbox:
    """The `Outbox` port inside a transaction (its rows commit with the caller's writes)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        subscribed = [
            row.endpoint_id
            for row in self.connection.execute(
                select(webhook_endpoints.c.endpoint_id, webhook_endpoints.c.events).where(
                    webhook_endpoints.c.enabled.is_(True)
                )
            )
            if event_type in row.events
        ]
        rows = [
            _new_row(f"msg_{uuid.uuid4().hex}", endpoint_id, event_type, payload, at)
            for endpoint_id in subscribed
        ]
        if rows:
            self.connection.execute(insert(webhook_outbox), rows)
        return [row["message_id"] for row in rows]


class SqlWebhookStore:
    """Endpoints and outbox rows in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_endpoint(self, endpoint: Endpoint) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(webhook_endpoints).values(
                    endpoint_id=endpoint.endpoint_id,
                    url=endpoint.url,
                    secret=endpoint.secret,
                    events=[str(e) for e in endpoint.events],
                    description=endpoint.description,
                    enabled=endpoint.enabled,
                    disabled_reason=endpoint.disabled_reason,
                    created_at=endpoint.created_at,
                )
            )

    def endpoints(self) -> list[Endpoint]:
        query = select(webhook_endpoints).order_by(
            webhook_endpoints.c.created_at, webhook_endpoints.c.endpoint_id
        )
        with self.engine.connect() as conn:
            return [_endpoint(row) for row in conn.execute(query)]

    def set_enabled(self, endpoint_id: str, enabled: bool, reason: str | None) -> bool:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.endpoint_id == endpoint_id)
                .values(enabled=enabled, disabled_reason=None if enabled else reason)
            )
        return bool(changed.rowcount)

    def update_endpoint(
        self, endpoint_id: str, *, url: str, events: Sequence[EventType], description: str
    ) -> bool:
        values = {"url": url, "events": [str(e) for e in events], "description": description}
        return self._update(endpoint_id, values)

    def set_secret(self, endpoint_id: str, secret: str) -> bool:
        return self._update(endpoint_id, {"secret": secret})

    def _update(self, endpoint_id: str, values: dict[str, Any]) -> bool:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.endpoint_id == endpoint_id)
                .values(**values)
            )
        return bool(changed.rowcount)

    def enqueue(self, event_type: str, payload: str, at: datetime) -> list[str]:
        with self.engine.begin() as conn:
            return SqlOutbox(conn).enqueue(event_type, payload, at)

    def enqueue_to(
        self, endpoint_id: str, event_type: str, payload: str, at: datetime
    ) -> str | None:
        message_id = f"msg_{uuid.uuid4().hex}"
        with self.engine.begin() as conn:
            known = conn.execute(
                select(webhook_endpoints.c.endpoint_id).where(
                    webhook_endpoints.c.endpoint_id == endpoint_id
                )
            ).first()
            if known is None:
                return None
            conn.execute(
                insert(webhook_outbox),
                [_new_row(message_id, endpoint_id, event_type, payload, at)],
            )
        return message_id

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
        with self.engine.begin() as conn:
            due = (
                select(webhook_outbox.c.message_id)
                .where(
                    webhook_outbox.c.status == PENDING,
                    webhook_outbox.c.next_attempt_at <= now,
                    or_(
                        webhook_outbox.c.claimed_until.is_(None),
                        webhook_outbox.c.claimed_until < now,
                    ),
                )
                .order_by(webhook_outbox.c.next_attempt_at)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            ids = list(conn.execute(due).scalars())
            if not ids:
                return []
            conn.execute(
                update(webhook_outbox)
                .where(webhook_outbox.c.message_id.in_(ids))
                .values(claimed_until=now + lease, attempts=webhook_outbox.c.attempts + 1)
            )
            rows = conn.execute(
                select(
                    webhook_outbox.c.message_id,
                    webhook_outbox.c.payload,
                    webhook_outbox.c.attempts,
                    webhook_endpoints.c.url,
                    webhook_endpoints.c.secret,
                )
                .join(
                    webhook_endpoints,
                    webhook_endpoints.c.endpoint_id == webhook_outbox.c.endpoint_id,
                )
                .where(webhook_outbox.c.message_id.in_(ids))
                .order_by(webhook_outbox.c.next_attempt_at)
            )
            return [Claimed(r.message_id, r.url, r.secret, r.payload, r.attempts) for r in rows]

    def finish(
        self, message_id: str, outcome: Outcome, now: datetime, retry_at: datetime | None
    ) -> str | None:
        values: dict[str, Any] = {
            "claimed_until": None,
            "last_status": outcome.status,
            "last_error": (outcome.error or "")[:MAX_ERROR] or None,
        }
        if outcome.delivered:
            values.update(status=DeliveryStatus.DELIVERED.value, delivered_at=now)
        elif retry_at is not None:
            values.update(next_attempt_at=retry_at)
        else:
            values.update(status=DeliveryStatus.FAILED.value)
        where = webhook_outbox.c.message_id == message_id
        with self.engine.begin() as conn:
            conn.execute(update(webhook_outbox).where(where).values(**values))
            if outcome.delivered or retry_at is not None:
                return None
            endpoint_id = conn.execute(select(webhook_outbox.c.endpoint_id).where(where)).scalar()
            reason = (
                f"every delivery of event {message_id} failed for 3 days; fix the endpoint,"
                " enable it, then replay the failed deliveries"
            )
            conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.endpoint_id == endpoint_id)
                .values(enabled=False, disabled_reason=reason)
            )
            return None if endpoint_id is None else str(endpoint_id)

    def replay(self, message_id: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(webhook_outbox)
                .where(webhook_outbox.c.message_id == message_id)
                .values(status=PENDING, next_attempt_at=now, claimed_until=None, attempts=0)
            )
        return bool(changed.rowcount)

    def deliveries(self, endpoint_id: str, limit: int) -> list[Delivery]:
        query = (
            select(webhook_outbox)
            .where(webhook_outbox.c.endpoint_id == endpoint_id)
            .order_by(webhook_outbox.c.created_at.desc(), webhook_outbox.c.message_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_delivery(row) for row in conn.execute(query)]


def _new_row(
    message_id: str, endpoint_id: str, event_type: str, payload: str, at: datetime
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "endpoint_id": endpoint_id,
        "event_type": event_type,
        "payload": payload,
        "created_at": at,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": at,
    }


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(
        endpoint_id=row.endpoint_id,
        url=row.url,
        secret=row.secret,
        events=tuple(EventType(e) for e in row.events),
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        message_id=row.message_id,
        endpoint_id=row.endpoint_id,
        event_type=row.event_type,
        payload=row.payload,
        created_at=row.created_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status=row.last_status,
        last_error=row.last_error,
    )
