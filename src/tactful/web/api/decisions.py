"""POST /v1/decisions and responses to offers: the storefront's calls (publishable key)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse

from tactful.domain.catalog import Sku
from tactful.domain.offers import CartLine, OfferPolicy
from tactful.services.decisions import (
    DecisionRequest,
    DecisionService,
    ModelCache,
    UnknownOfferError,
)
from tactful.services.ingest import Ingest
from tactful.web.api.schemas_decisions import (
    DecisionIn,
    DecisionOut,
    ResponseIn,
    ResponseOut,
    decision_body,
)
from tactful.web.deps import AnyKey, StateDep
from tactful.web.state import AppState

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
_wiring = threading.Lock()


def _current_model(state: AppState) -> Any:
    """The model the models part holds active now (its provider's get()), or None."""
    provider: Any = state.extras.get("models")
    if provider is None:
        return None
    return provider.get() if hasattr(provider, "get") else provider()


async def decision_service(state: StateDep) -> DecisionService:
    """The app's one decision service (built on first use, shared by every request)."""
    service = state.extras.get("decisions")
    if service is None:
        with _wiring:
            service = state.extras.get("decisions")
            if service is None:
                policy = OfferPolicy(holdout_share=state.settings.holdout_share)
                service = DecisionService(
                    state.engine, policy=policy, model=ModelCache(lambda: _current_model(state))
                )
                state.extras["decisions"] = service
    assert isinstance(service, DecisionService)
    return service


async def ingest_service(state: StateDep) -> Ingest:
    """The app's ingest service; product upserts refresh the decision catalogue."""
    service = state.extras.get("ingest")
    if service is None:
        decisions = await decision_service(state)
        with _wiring:
            service = state.extras.get("ingest")
            if service is None:
                service = Ingest(state.engine, catalog_changed=decisions.catalog.reload)
                state.extras["ingest"] = service
    assert isinstance(service, Ingest)
    return service


DecisionsDep = Annotated[DecisionService, Depends(decision_service)]
IngestDep = Annotated[Ingest, Depends(ingest_service)]


def _request(body: DecisionIn) -> DecisionRequest:
    context = body.context
    return DecisionRequest(
        customer_id=body.customer_id,
        moment=body.moment,
        cart=tuple(CartLine(Sku(line.sku), line.quantity) for line in body.cart),
        task=context.task,
        channel=context.channel,
        viewing=Sku(context.viewing) if context.viewing else None,
        expires_at=context.expires_at,
    )


@router.post("", response_model=DecisionOut)
async def create_decision(body: DecisionIn, _scope: AnyKey, service: DecisionsDep) -> JSONResponse:
    """Decide at most two offers for the customer's moment; every shown offer is logged.

    Runs on the event loop: a decision is about a millisecond of small indexed reads and one
    write, cheaper than a hop to the threadpool (measured in bench/http_decisions.py).
    """
    decision = service.decide(_request(body))
    return JSONResponse(decision_body(decision))


@router.post("/{decision_id}/responses", response_model=ResponseOut)
def respond(
    decision_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: ResponseIn,
    _scope: AnyKey,
    service: DecisionsDep,
) -> ResponseOut:
    """Record accepted, declined or dismissed; a declined offer then cools down everywhere."""
    try:
        outcome = service.respond(decision_id, body.offer_id, body.response)
    except UnknownOfferError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return ResponseOut(
        decision_id=outcome.decision_id,
        offer_id=outcome.offer_id,
        response=outcome.response,
        duplicate=outcome.duplicate,
    )
