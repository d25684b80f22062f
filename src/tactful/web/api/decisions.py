"""POST /v1/decisions and responses to offers: the storefront's calls (publishable key)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.types import Receive, Scope

from tactful.domain.offers import OfferResponse
from tactful.services.decision_request import DecisionRequest
from tactful.services.decisions import UnknownOfferError
from tactful.web.api.path_params import PathDecisionId
from tactful.web.api.schemas_decisions import DecisionOut, ResponseIn, ResponseOut, answer_json
from tactful.web.deps import (
    INVALID_KEY,
    MISSING_KEY,
    AnyKey,
    DecisionsDep,
    StateDep,
    scope_of_key,
)
from tactful.web.errors import validation_body
from tactful.web.fast_path import Answer, header, json_error, read_body, too_large
from tactful.web.observability import Metrics
from tactful.web.state import AppState

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])


def read_request(raw: bytes) -> DecisionRequest | list[dict[str, Any]]:
    """The request read from its JSON in one pass, or errors naming the field like FastAPI's."""
    try:
        return DecisionRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return [{**error, "loc": ("body", *error["loc"])} for error in errors]


_CHALLENGE = ((b"www-authenticate", b"Bearer"),)


async def answer_decision(
    state: AppState, authorization: bytes | None, raw: bytes, metrics: Metrics | None = None
) -> Answer:
    """The whole endpoint as bytes in, bytes out: key check, validation, decide, log, JSON.

    Both ways in (the ASGI fast path and the documented FastAPI route) call this, so they
    cannot drift apart: 401 without a valid key, 422 naming the field, 200 once logged.
    """
    scheme, _, token = (authorization or b"").partition(b" ")
    token = token.strip()
    if not token or scheme.lower() != b"bearer":
        return 401, json_error(401, MISSING_KEY), _CHALLENGE
    if scope_of_key(state.settings, token) is None:
        return 401, json_error(401, INVALID_KEY), _CHALLENGE
    request = read_request(raw)
    if isinstance(request, list):
        return 422, orjson.dumps(validation_body(request)), ()
    decision = await state.decisions.decide_logged(request)
    if metrics is not None:
        kinds = (offer.kind.value for offer in decision.offers)
        metrics.count_decision(decision.moment.value, decision.held_out, kinds)
    return 200, answer_json(decision), ()


async def serve_decision_fast(
    state: AppState, metrics: Metrics | None, scope: Scope, receive: Receive
) -> Answer:
    """POST /v1/decisions straight from ASGI (see tactful.web.fast_path)."""
    limit = state.settings.max_body_bytes
    raw = await read_body(scope, receive, limit)
    if raw is None:
        return 413, too_large(limit), ()
    return await answer_decision(state, header(scope, b"authorization"), raw, metrics)


async def _serve_decision(request: Request) -> Response:
    """The same endpoint through FastAPI's stack, when the fast path is not taken."""
    state: AppState = request.app.state.tactful
    authorization = request.headers.get("authorization")
    status_code, payload, headers = await answer_decision(
        state,
        authorization.encode("latin-1") if authorization is not None else None,
        await request.body(),
        getattr(request.app.state, "metrics", None),
    )
    extra = {k.decode(): v.decode() for k, v in headers}
    return Response(payload, status_code, headers=extra, media_type="application/json")


class _DecisionRoute(APIRoute):
    """Documented from `create_decision`'s signature, served by `answer_decision`.

    FastAPI's generic handler (dependency solving, a second JSON pass, response
    validation) costs more than the decision itself; this route keeps its OpenAPI entry
    and the same errors (401 JSON, 422 naming the field) at a fraction of the cost.
    """

    def get_route_handler(self) -> Any:
        return _serve_decision


async def create_decision(body: DecisionRequest, _scope: AnyKey) -> DecisionOut:
    """Decide at most two offers for the customer's moment; every shown offer is logged.

    The decision is read and decided on the event loop (small indexed reads, under a
    millisecond), and its log rows are committed together with concurrent decisions; the
    response is sent once they are stored.
    """
    raise NotImplementedError  # served by answer_decision (see _DecisionRoute)


router.add_api_route(
    "",
    create_decision,
    methods=["POST"],
    response_model=DecisionOut,
    route_class_override=_DecisionRoute,
)


@router.post("/{decision_id}/responses", response_model=ResponseOut)
def respond(
    decision_id: PathDecisionId,
    body: ResponseIn,
    _scope: AnyKey,
    service: DecisionsDep,
    state: StateDep,
) -> ResponseOut:
    """Record accepted, declined or dismissed; a declined offer then cools down everywhere."""
    try:
        outcome = service.respond(decision_id, body.offer_id, OfferResponse(body.response))
    except UnknownOfferError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return ResponseOut(
        decision_id=outcome.decision_id,
        offer_id=outcome.offer_id,
        response=body.response,
        duplicate=outcome.duplicate,
    )
