"""The merchant's webhook endpoints (secret key): register, list, enable, see and replay."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import AnyHttpUrl, BaseModel, Field

from tactful.domain.webhooks_out import Delivery, Endpoint, EventType
from tactful.services.webhooks_out import UnknownEndpointError
from tactful.web.api.path_params import NO_CONTROL_CHARACTERS
from tactful.web.deps import SecretKey, StateDep

router = APIRouter(tags=["webhooks out"])
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]


class EndpointIn(BaseModel):
    """Where to send which events."""

    url: AnyHttpUrl
    events: Annotated[list[EventType], Field(min_length=1)]
    description: Annotated[str, Field(max_length=200)] = ""


class EndpointOut(BaseModel):
    """An endpoint; `secret` (whsec_...) verifies its deliveries. Disabled ones say why."""

    endpoint_id: str
    url: str
    events: list[EventType]
    description: str
    secret: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class DeliveryOut(BaseModel):
    """One message to the endpoint: its `webhook-id`, status and last attempt."""

    message_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime


def _endpoint(endpoint: Endpoint) -> EndpointOut:
    return EndpointOut(
        endpoint_id=endpoint.endpoint_id,
        url=endpoint.url,
        events=list(endpoint.events),
        description=endpoint.description,
        secret=endpoint.secret,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
    )


def _delivery(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        status=delivery.status.value,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_status=delivery.last_status,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
    )


@router.post("/v1/webhook-endpoints", status_code=status.HTTP_201_CREATED)
def register_endpoint(body: EndpointIn, _key: SecretKey, state: StateDep) -> EndpointOut:
    """Register an endpoint for some events; its signing secret is in the answer."""
    endpoint = state.webhooks.register(str(body.url), body.events, body.description)
    return _endpoint(endpoint)


@router.get("/v1/webhook-endpoints")
def list_endpoints(_key: SecretKey, state: StateDep) -> list[EndpointOut]:
    """Every endpoint; one that kept failing is `enabled: false` with its `disabled_reason`."""
    return [_endpoint(endpoint) for endpoint in state.webhooks.endpoints()]


@router.post("/v1/webhook-endpoints/{endpoint_id}/enable")
def enable_endpoint(endpoint_id: Id, _key: SecretKey, state: StateDep) -> dict[str, bool]:
    """Deliver to a disabled endpoint again."""
    try:
        state.webhooks.enable(endpoint_id)
    except UnknownEndpointError:
        raise HTTPException(404, f"no endpoint {endpoint_id}") from None
    return {"enabled": True}


@router.get("/v1/webhook-endpoints/{endpoint_id}/deliveries")
def list_deliveries(endpoint_id: Id, _key: SecretKey, state: StateDep) -> list[DeliveryOut]:
    """The endpoint's latest 50 messages, newest first."""
    return [_delivery(d) for d in state.webhooks.deliveries(endpoint_id)]


@router.post("/v1/webhook-deliveries/{message_id}/replay", status_code=202)
def replay_delivery(message_id: Id, _key: SecretKey, state: StateDep) -> dict[str, str]:
    """Send a message again, now, with the same `webhook-id`."""
    try:
        state.webhooks.replay(message_id)
    except UnknownEndpointError:
        raise HTTPException(404, f"no message {message_id}") from None
    return {"message_id": message_id, "status": "pending"}
