"""`tactful.services.ports.model_jobs.ModelJobStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.model_jobs import JobId, ModelJob

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class ModelJobData:
    """What the jobs store holds: each job by id."""

    jobs: dict[str, ModelJob] = field(default_factory=dict)


def _utc(job: ModelJob) -> ModelJob:
    started, finished = job.started_at, job.finished_at
    return replace(
        job,
        created_at=utc(job.created_at),
        updated_at=utc(job.updated_at),
        started_at=None if started is None else utc(started),
        finished_at=None if finished is None else utc(finished),
    )


class MemoryModelJobStore:
    """`tactful.services.ports.model_jobs.ModelJobStore` over a memory transaction's state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.model_jobs

    def insert_job(self, job: ModelJob) -> None:
        if job.job_id in self.data.jobs:
            raise ValueError(f"job: {job.job_id!r} is stored already")
        self.data.jobs[job.job_id] = _utc(job)

    def update_job(self, job: ModelJob) -> None:
        if job.job_id not in self.data.jobs:
            raise LookupError(f"job: no mining job {job.job_id!r}")
        self.data.jobs[job.job_id] = _utc(job)

    def get_job(self, job_id: JobId) -> ModelJob | None:
        return self.data.jobs.get(job_id)

    def unfinished_job(self) -> ModelJob | None:
        waiting = [job for job in self.data.jobs.values() if not job.status.finished]
        return min(waiting, key=lambda job: (job.created_at, job.job_id), default=None)
