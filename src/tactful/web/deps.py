"""Typed FastAPI dependencies: the app's container, its services and API-key scopes."""

from __future__ import annotations

import hmac
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tactful.services.decisions import DecisionService
from tactful.services.ingest import Ingest
from tactful.services.models import ModelProvider
from tactful.settings import Settings
from tactful.web.state import AppState


class Scope(StrEnum):
    """What a key may do: secret keys everything, publishable keys only the storefront calls."""

    SECRET = "secret"
    PUBLISHABLE = "publishable"


async def get_state(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.tactful
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_decisions(state: StateDep) -> DecisionService:
    """The app's one decision service."""
    return state.decisions


async def get_ingest(state: StateDep) -> Ingest:
    """The app's ingest service; product upserts refresh the decision catalogue."""
    return state.ingest


async def get_models(state: StateDep) -> ModelProvider:
    """The process's model provider (the active model in memory)."""
    return state.models


DecisionsDep = Annotated[DecisionService, Depends(get_decisions)]
IngestDep = Annotated[Ingest, Depends(get_ingest)]
ModelsDep = Annotated[ModelProvider, Depends(get_models)]

_bearer = HTTPBearer(auto_error=False)


async def key_scope(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    """Which scope the presented key has; 401 when it is missing or wrong."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, MISSING_KEY, headers={"WWW-Authenticate": "Bearer"}
        )
    scope = scope_of_key(state.settings, credentials.credentials.encode())
    if scope is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, INVALID_KEY, headers={"WWW-Authenticate": "Bearer"}
        )
    return scope


MISSING_KEY = "missing API key: send Authorization: Bearer <key>"
INVALID_KEY = "invalid API key"


def scope_of_key(settings: Settings, presented: bytes) -> Scope | None:
    """The scope of a presented key (compared in constant time), None when it is no key."""
    if hmac.compare_digest(presented, settings.secret_key.encode()):
        return Scope.SECRET
    if hmac.compare_digest(presented, settings.publishable_key.encode()):
        return Scope.PUBLISHABLE
    return None


async def require_secret(scope: Annotated[Scope, Depends(key_scope)]) -> Scope:
    """Only the secret key may pass; a publishable key gets 403."""
    if scope is not Scope.SECRET:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this endpoint needs the secret key")
    return scope


SecretKey = Annotated[Scope, Depends(require_secret)]
AnyKey = Annotated[Scope, Depends(key_scope)]
