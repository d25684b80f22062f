"""Mining jobs: one row per `POST /v1/models`, updated as the job moves through its stages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.tables_models import model_jobs
from tactful.domain.model_jobs import JobId, JobStatus, ModelJob

__all__ = ["SqlModelJobStore", "get_job", "insert_job", "unfinished_job", "update_job"]

_UNFINISHED = (str(JobStatus.QUEUED), str(JobStatus.RUNNING))


def _row(job: ModelJob) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "status": str(job.status),
        "params": job.params,
        "stage": job.stage,
        "fraction": job.fraction,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "model_version": job.model_version,
        "error": job.error,
    }


def _job(row: Any) -> ModelJob:
    def aware(name: str) -> Any:
        return None if row[name] is None else utc(row[name])

    return ModelJob(
        job_id=JobId(row["job_id"]),
        status=JobStatus(row["status"]),
        params=dict(row["params"]),
        stage=row["stage"],
        fraction=float(row["fraction"]),
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        started_at=aware("started_at"),
        finished_at=aware("finished_at"),
        model_version=row["model_version"],
        error=row["error"],
    )


def insert_job(conn: Connection, job: ModelJob) -> None:
    """Store a new job; ValueError when its id is taken."""
    try:
        with conn.begin_nested():
            conn.execute(model_jobs.insert().values(**_row(job)))
    except IntegrityError as exc:
        raise ValueError(f"job: {job.job_id!r} is stored already") from exc


def update_job(conn: Connection, job: ModelJob) -> None:
    """Write a job's status, progress and outcome; LookupError when it is unknown."""
    values = {k: v for k, v in _row(job).items() if k not in ("job_id", "created_at")}
    query = update(model_jobs).where(model_jobs.c.job_id == job.job_id).values(**values)
    if conn.execute(query).rowcount == 0:
        raise LookupError(f"job: no mining job {job.job_id!r}")


def get_job(conn: Connection, job_id: JobId) -> ModelJob | None:
    """One job."""
    query = select(model_jobs).where(model_jobs.c.job_id == job_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else _job(row)


def unfinished_job(conn: Connection) -> ModelJob | None:
    """The oldest job still queued or running, if any."""
    query = (
        select(model_jobs)
        .where(model_jobs.c.status.in_(_UNFINISHED))
        .order_by(model_jobs.c.created_at, model_jobs.c.job_id)
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else _job(row)


class SqlModelJobStore:
    """`tactful.services.ports.model_jobs.ModelJobStore` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_job(self, job: ModelJob) -> None:
        return insert_job(self.connection, job)

    def update_job(self, job: ModelJob) -> None:
        return update_job(self.connection, job)

    def get_job(self, job_id: JobId) -> ModelJob | None:
        return get_job(self.connection, job_id)

    def unfinished_job(self) -> ModelJob | None:
        return unfinished_job(self.connection)
