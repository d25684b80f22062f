"""Storage of mining jobs: what was asked, how far it got, and how it ended."""

from __future__ import annotations

from typing import Protocol

from tactful.domain.model_jobs import JobId, ModelJob


class ModelJobStore(Protocol):
    """Reads and writes mining jobs within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.model_jobs`, less the leading connection.
    """

    def insert_job(self, job: ModelJob) -> None:
        """Store a new job; ValueError when its id is taken."""
        ...

    def update_job(self, job: ModelJob) -> None:
        """Write a job's status, progress and outcome; LookupError when it is unknown."""
        ...

    def get_job(self, job_id: JobId) -> ModelJob | None:
        """One job."""
        ...

    def unfinished_job(self) -> ModelJob | None:
        """The oldest job still queued or running, if any."""
        ...
