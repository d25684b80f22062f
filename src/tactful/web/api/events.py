"""POST /v1/events: behavioural signals, acknowledged only once durably stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status

from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId
from tactful.web.api.schemas_ingest import EventIn, EventsIn, EventsOut, convert_each
from tactful.web.deps import AnyKey, IngestDep

router = APIRouter(prefix="/v1/events", tags=["events"])


def to_event(item: EventIn, now: datetime) -> Event:
    """The domain event; a missing id gets a fresh UUID, a missing time is now."""
    return Event(
        event_id=EventId(item.id or str(uuid.uuid4())),
        type=item.type,
        customer_id=CustomerId(item.customer_id),
        at=item.at or now,
        sku=Sku(item.sku) if item.sku else None,
        properties=item.properties,
    )


@router.post("", response_model=EventsOut, status_code=status.HTTP_202_ACCEPTED)
def record_events(body: EventsIn, _scope: AnyKey, ingest: IngestDep) -> EventsOut:
    """Store the batch in one transaction; a repeated event id is stored once."""
    now = ingest.clock.now()
    batch = convert_each("events", body.events, lambda e: to_event(e, now))
    counts = ingest.events(batch)
    return EventsOut(
        accepted=counts.accepted,
        duplicate=counts.duplicate,
        ids=[e.event_id for e in batch],
    )
