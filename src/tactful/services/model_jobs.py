"""Mining as a background job: `submit` stores the job and answers at once, `run` does the work.

The server runs each job in a child process (`tactful.mining_process.in_child_process`), so
mining never blocks requests nor swells the server's memory; `in_thread` runs it in a thread
of the caller (tests, single commands), and the coming `tactful worker` will call
`ModelJobs.run` the same way. Every stage is written to the job's
row, so any process can report progress, and the serving process's `ModelProvider` swaps to
the new version only once it is saved: decisions keep the previous model until then.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tactful.domain.affinity import MiningConfig, MiningEngine
from tactful.domain.clock import Clock
from tactful.domain.model_jobs import JobId, JobStatus, ModelJob
from tactful.domain.model_versions import config_from_json, config_to_json
from tactful.services.models import ModelProvider, ModelStorage, NoOrdersError, mine_and_activate
from tactful.settings import Settings

__all__ = ["STALE_AFTER", "JobRun", "Launch", "ModelJobs", "in_thread"]

logger = logging.getLogger(__name__)

Launch = Callable[["JobRun"], None]
"""Starts a job's work somewhere else than the caller (a thread, a child process, a worker)."""

# A running job writes its row at every stage; one silent for this long lost its process
# (a restart or a crash), so it no longer holds back the next POST.
STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class JobRun:
    """One job's work: call it to run it here, or hand `job_id` to another process."""

    jobs: ModelJobs
    job_id: JobId

    def __call__(self) -> ModelJob:
        return self.jobs.run(self.job_id)


def in_thread(work: Callable[[], object]) -> None:
    """Run `work` in a daemon thread of this process."""
    threading.Thread(target=work, name="tactful-mining-job", daemon=True).start()


@dataclass(frozen=True)
class ModelJobs:
    """Mining jobs of one database: submit one, run it, read how it went."""

    storage: ModelStorage
    settings: Settings
    clock: Clock
    provider: ModelProvider | None = None
    launch: Launch = in_thread
    mining_engine: MiningEngine | None = None
    stale_after: timedelta = STALE_AFTER
    _submitting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def submit(self, config: MiningConfig) -> tuple[ModelJob, bool]:
        """Queue a job for `config` and start it, or the job already under way (then False).

        One job runs at a time: mining holds the order history in memory, and two runs
        would race to activate.
        """
        with self._submitting, self.storage.database.transaction() as tx:
            now = self.clock.now()
            under_way = tx.model_jobs.unfinished_job()
            if under_way is not None and now - under_way.updated_at < self.stale_after:
                return under_way, False
            if under_way is not None:
                silent = f"abandoned: no progress since {under_way.updated_at.isoformat()}"
                tx.model_jobs.update_job(under_way.failed(silent, now))
            job = ModelJob(
                job_id=JobId(f"job_{secrets.token_hex(8)}"),
                status=JobStatus.QUEUED,
                params=config_to_json(config),
                created_at=now,
                updated_at=now,
            )
            tx.model_jobs.insert_job(job)
        self.launch(JobRun(self, job.job_id))
        return job, True

    def get(self, job_id: JobId) -> ModelJob | None:
        """One job as stored now; once it succeeded, this process serves its model."""
        with self.storage.database.transaction() as tx:
            job = tx.model_jobs.get_job(job_id)
        if job is not None and job.model_version is not None and self.provider is not None:
            self.provider.serve(job.model_version)
        return job

    def run(self, job_id: JobId) -> ModelJob:
        """Run a queued job to its end; a failure is stored on the job, not raised."""
        job = self.get(job_id)
        if job is None:
            raise LookupError(f"job: no mining job {job_id!r}")
        if job.status is not JobStatus.QUEUED:
            return job
        progress = _JobProgress(self.storage, self.clock, job)
        try:
            info = mine_and_activate(
                self.storage,
                self.settings,
                config_from_json(job.params),
                mining_engine=self.mining_engine,
                provider=self.provider,
                progress=progress,
            )
        except Exception as exc:  # every failure is the job's outcome, reported by the API
            if not isinstance(exc, NoOrdersError):
                logger.exception("mining job %s failed", job_id)
            return self._save(progress.job.failed(_reason(exc), self.clock.now()))
        return self._save(progress.job.succeeded(info.version, self.clock.now()))

    def fail_unfinished(self, job_id: JobId, reason: str) -> ModelJob | None:
        """Mark the job failed with `reason` unless it finished (its process died first)."""
        with self.storage.database.transaction() as tx:
            job = tx.model_jobs.get_job(job_id)
            if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                return job
            failed = job.failed(reason, self.clock.now())
            tx.model_jobs.update_job(failed)
            return failed

    def _save(self, job: ModelJob) -> ModelJob:
        return _store(self.storage, job)


def _store(storage: ModelStorage, job: ModelJob) -> ModelJob:
    with storage.database.transaction() as tx:
        tx.model_jobs.update_job(job)
    return job


class _JobProgress:
    """Writes each stage of a running job to its row."""

    def __init__(self, storage: ModelStorage, clock: Clock, job: ModelJob) -> None:
        self.storage = storage
        self.clock = clock
        self.job = job

    def __call__(self, stage: str, fraction: float) -> None:
        self.job = _store(self.storage, self.job.progressed(stage, fraction, self.clock.now()))


def _reason(exc: Exception) -> str:
    """What the API says went wrong: our messages as they are, others with their kind."""
    if isinstance(exc, ValueError | LookupError | OSError):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"
