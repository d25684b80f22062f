"""Model versions over HTTP: mine a new one from stored orders, see which one is active."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tactful.domain.affinity import Level, MiningConfig
from tactful.services.models import NoOrdersError, current_model, mine_and_activate
from tactful.web.deps import SecretKey, StateDep

router = APIRouter(prefix="/v1/models", tags=["models"])


class MineRequest(BaseModel):
    """Thresholds of the run; every field is optional."""

    min_support: float = Field(0.01, gt=0.0, le=1.0)
    min_confidence: float = Field(0.1, gt=0.0, le=1.0)
    max_len: int = Field(3, ge=2, le=6)
    level: Level = Level.BASKET
    window_days: float = Field(90.0, gt=0.0)
    half_life_days: float | None = Field(None, gt=0.0)


@router.post("", status_code=status.HTTP_201_CREATED)
async def mine_model(
    state: StateDep, _key: SecretKey, body: MineRequest | None = None
) -> dict[str, Any]:
    """Mine a new version from the stored orders and make it the active one."""
    request = body or MineRequest()
    config = MiningConfig(**request.model_dump())
    try:
        info = await run_in_threadpool(
            mine_and_activate, state.model_storage, state.settings, config, provider=state.models
        )
    except NoOrdersError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return info.to_json()


@router.get("/current")
def current(state: StateDep, _key: SecretKey) -> dict[str, Any]:
    """The active version with its parameters, data window and summary."""
    info = current_model(state.model_storage)
    if info is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no model has been mined yet")
    return info.to_json()
