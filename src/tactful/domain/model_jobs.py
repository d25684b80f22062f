"""A mining job: one request to mine a model version, run in the background, with its progress."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

JobId = NewType("JobId", str)


class JobStatus(StrEnum):
    """Where a job is: waiting, being run, or finished one way or the other."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


@dataclass(frozen=True, slots=True)
class ModelJob:
    """One mining run: its parameters, its stage and fraction done, and how it ended.

    `updated_at` moves with every change of stage, so a job that stopped moving (its process
    died) can be told from one that is still working.
    """

    job_id: JobId
    status: JobStatus
    params: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    stage: str = "queued"
    fraction: float = 0.0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    model_version: str | None = None
    error: str | None = None

    def progressed(self, stage: str, fraction: float, at: datetime) -> ModelJob:
        """The job running, at `stage` with `fraction` of the work done."""
        return replace(
            self,
            status=JobStatus.RUNNING,
            stage=stage,
            fraction=fraction,
            started_at=self.started_at or at,
            updated_at=at,
        )

    def succeeded(self, model_version: str, at: datetime) -> ModelJob:
        """The job done, with the version it made active."""
        return replace(
            self,
            status=JobStatus.SUCCEEDED,
            stage="done",
            fraction=1.0,
            model_version=model_version,
            finished_at=at,
            updated_at=at,
        )

    def failed(self, error: str, at: datetime) -> ModelJob:
        """The job ended without a model, with the reason."""
        return replace(self, status=JobStatus.FAILED, error=error, finished_at=at, updated_at=at)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601)."""
        return {
            "id": self.job_id,
            "status": str(self.status),
            "progress": {"stage": self.stage, "fraction": round(self.fraction, 4)},
            "params": self.params,
            "model_version": self.model_version,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "started_at": None if self.started_at is None else self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
        }
