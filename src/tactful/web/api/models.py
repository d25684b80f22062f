"""Model versions over HTTP: mine one in the background, follow the job, see the active one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from tactful.domain.affinity import Level, MiningConfig
from tactful.domain.affinity.config import DEFAULT_MIN_LIFT, DEFAULT_TOP_K
from tactful.domain.model_jobs import JobId
from tactful.services.models import current_model
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
    top_k: int | None = Field(
        DEFAULT_TOP_K, ge=1, description="Best consequents kept per antecedent; null keeps all."
    )
    min_lift: float = Field(DEFAULT_MIN_LIFT, ge=0.0, description="Rules kept lift above this.")


def _job_url(job_id: str) -> str:
    return f"{router.prefix}/jobs/{job_id}"


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def mine_model(
    state: StateDep, _key: SecretKey, response: Response, body: MineRequest | None = None
) -> dict[str, Any]:
    """Start mining a new version from the stored orders; it becomes active when the job ends.

    Answers at once with the job (`Location` names it). While a job is queued or running,
    another POST answers 202 with that job instead of starting a second one.
    """
    request = body or MineRequest()
    job, _started = state.model_jobs.submit(MiningConfig(**request.model_dump()))
    response.headers["Location"] = _job_url(job.job_id)
    return {**job.to_json(), "url": _job_url(job.job_id)}


@router.get("/jobs/{job_id}")
def mining_job(job_id: str, state: StateDep, _key: SecretKey) -> dict[str, Any]:
    """A mining job's status, progress, resulting model version or error."""
    job = state.model_jobs.get(JobId(job_id))
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no mining job {job_id!r}")
    return {**job.to_json(), "url": _job_url(job.job_id)}


@router.get("/current")
def current(state: StateDep, _key: SecretKey) -> dict[str, Any]:
    """The active version with its parameters, data window and summary."""
    info = current_model(state.model_storage)
    if info is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no model has been mined yet")
    return info.to_json()
