"""What every ModelJobStore promises: SQLite, PostgreSQL and memory alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.model_jobs import JobId, JobStatus, ModelJob
from tactful.services.ports.storage import Database

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def queued(job_id: str, minutes: int = 0) -> ModelJob:
    at = T0 + timedelta(minutes=minutes)
    return ModelJob(
        job_id=JobId(job_id),
        status=JobStatus.QUEUED,
        params={"min_support": 0.01, "top_k": 20},
        created_at=at,
        updated_at=at,
    )


def test_a_job_round_trips_and_unknown_ones_are_none(database: Database) -> None:
    with database.transaction() as tx:
        assert tx.model_jobs.get_job(JobId("j1")) is None
        assert tx.model_jobs.unfinished_job() is None
        tx.model_jobs.insert_job(queued("j1"))
    with database.transaction() as tx:
        assert tx.model_jobs.get_job(JobId("j1")) == queued("j1")


def test_progress_and_outcome_are_written(database: Database) -> None:
    with database.transaction() as tx:
        tx.model_jobs.insert_job(queued("j1"))
    running = queued("j1").progressed("mining", 0.25, T0 + timedelta(seconds=1))
    with database.transaction() as tx:
        tx.model_jobs.update_job(running)
    with database.transaction() as tx:
        assert tx.model_jobs.get_job(JobId("j1")) == running
    done = running.succeeded("20260301T120005-abcdef", T0 + timedelta(seconds=5))
    with database.transaction() as tx:
        tx.model_jobs.update_job(done)
    with database.transaction() as tx:
        stored = tx.model_jobs.get_job(JobId("j1"))
    assert stored == done
    assert stored is not None
    assert stored.status is JobStatus.SUCCEEDED


def test_a_failure_keeps_its_error(database: Database) -> None:
    failed = queued("j1").failed("orders: there are no stored orders", T0)
    with database.transaction() as tx:
        tx.model_jobs.insert_job(queued("j1"))
        tx.model_jobs.update_job(failed)
    with database.transaction() as tx:
        stored = tx.model_jobs.get_job(JobId("j1"))
    assert stored is not None
    assert (stored.status, stored.error) == (JobStatus.FAILED, "orders: there are no stored orders")


def test_the_oldest_unfinished_job_is_found(database: Database) -> None:
    with database.transaction() as tx:
        tx.model_jobs.insert_job(queued("old", minutes=0))
        tx.model_jobs.insert_job(queued("new", minutes=5))
        tx.model_jobs.insert_job(queued("done", minutes=-5))
        tx.model_jobs.update_job(queued("done", minutes=-5).failed("boom", T0))
    with database.transaction() as tx:
        found = tx.model_jobs.unfinished_job()
        assert found is not None
        assert found.job_id == "old"
        tx.model_jobs.update_job(queued("old").progressed("mining", 0.1, T0))
        running = tx.model_jobs.unfinished_job()
        assert running is not None
        assert running.status is JobStatus.RUNNING


def test_a_taken_id_and_an_unknown_update_are_refused(database: Database) -> None:
    with database.transaction() as tx:
        tx.model_jobs.insert_job(queued("j1"))
    with database.transaction() as tx:
        with pytest.raises(ValueError, match="j1"):
            tx.model_jobs.insert_job(queued("j1"))
        with pytest.raises(LookupError, match="j2"):
            tx.model_jobs.update_job(queued("j2"))
        assert tx.model_jobs.get_job(JobId("j1")) == queued("j1")
