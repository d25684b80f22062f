"""Mining jobs as a use case, on the memory database with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.memory.models import MemoryModelPayloads
from tactful.domain.affinity import MiningConfig
from tactful.domain.clock import FixedClock
from tactful.domain.model_jobs import JobId, JobStatus, ModelJob
from tactful.services.model_jobs import STALE_AFTER, ModelJobs
from tactful.services.models import ModelProvider, ModelStorage, mine_and_activate
from tactful.settings import Settings
from tests.services.test_models import _orders

CONFIG = MiningConfig(min_support=0.05, min_confidence=0.2, min_cooccurrence=1, top_k=3)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


class Launches:
    """A launcher that keeps the work for the test to run when it likes."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], object]] = []

    def __call__(self, work: Callable[[], object]) -> None:
        self.pending.append(work)

    def run_all(self) -> None:
        while self.pending:
            self.pending.pop(0)()


def _jobs(settings: Settings, *, orders: int = 40) -> tuple[ModelJobs, Launches, FixedClock]:
    database = MemoryDatabase()
    if orders:
        with database.transaction() as tx:
            tx.orders.insert_orders(_orders(orders), source="test")
    storage = ModelStorage(database, MemoryModelPayloads())
    launches, clock = Launches(), FixedClock(T0)
    provider = ModelProvider(storage)
    return ModelJobs(storage, settings, clock, provider=provider, launch=launches), launches, clock


def test_submit_queues_and_run_activates_the_model(settings: Settings) -> None:
    jobs, launches, _clock = _jobs(settings)
    job, started = jobs.submit(CONFIG)
    assert started is True
    assert jobs.get(job.job_id) == job
    assert job.status is JobStatus.QUEUED
    assert job.params["top_k"] == 3
    launches.run_all()
    done = jobs.get(job.job_id)
    assert done is not None
    assert done.status is JobStatus.SUCCEEDED
    assert (done.stage, done.fraction, done.started_at, done.finished_at) == ("done", 1.0, T0, T0)
    assert jobs.provider is not None
    assert jobs.provider.version == done.model_version


def test_mining_reports_every_stage_in_order(settings: Settings) -> None:
    jobs, _launches, _clock = _jobs(settings)
    seen: list[tuple[str, float]] = []
    mine_and_activate(
        jobs.storage, settings, CONFIG, progress=lambda stage, part: seen.append((stage, part))
    )
    assert [stage for stage, _part in seen] == [
        "reading orders",
        "mining",
        "tuning the ranking",
        "saving",
    ]
    fractions = [part for _stage, part in seen]
    assert fractions == sorted(fractions)
    assert all(0.0 <= part < 1.0 for part in fractions)


def test_no_orders_fails_the_job_with_the_reason(settings: Settings) -> None:
    jobs, launches, _clock = _jobs(settings, orders=0)
    job, _ = jobs.submit(CONFIG)
    launches.run_all()
    failed = jobs.get(job.job_id)
    assert failed is not None
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "no stored orders" in failed.error
    assert failed.model_version is None


def test_a_second_submit_answers_with_the_job_under_way(settings: Settings) -> None:
    jobs, launches, _clock = _jobs(settings)
    first, _ = jobs.submit(CONFIG)
    again, started = jobs.submit(MiningConfig(min_support=0.2))
    assert (again.job_id, started) == (first.job_id, False)
    assert len(launches.pending) == 1
    launches.run_all()
    after, started = jobs.submit(CONFIG)
    assert started is True
    assert after.job_id != first.job_id


def test_a_job_silent_too_long_is_failed_and_replaced(settings: Settings) -> None:
    jobs, launches, clock = _jobs(settings)
    lost, _ = jobs.submit(CONFIG)
    launches.pending.clear()  # its process died before it ran
    clock.current = T0 + STALE_AFTER + timedelta(seconds=1)
    fresh, started = jobs.submit(CONFIG)
    assert started is True
    abandoned = jobs.get(lost.job_id)
    assert abandoned is not None
    assert abandoned.status is JobStatus.FAILED
    assert abandoned.error is not None
    assert abandoned.error.startswith("abandoned")
    assert fresh.job_id != lost.job_id


def test_running_a_finished_or_unknown_job_changes_nothing(settings: Settings) -> None:
    jobs, launches, _clock = _jobs(settings)
    job, _ = jobs.submit(CONFIG)
    launches.run_all()
    done = jobs.get(job.job_id)
    assert jobs.run(job.job_id) == done
    with pytest.raises(LookupError, match="job_nope"):
        jobs.run(JobId("job_nope"))


def test_a_job_reads_as_json() -> None:
    job = ModelJob(JobId("job_1"), JobStatus.QUEUED, {"top_k": 20}, T0, T0)
    assert job.failed("boom", T0).to_json() == {
        "id": "job_1",
        "status": "failed",
        "progress": {"stage": "queued", "fraction": 0.0},
        "params": {"top_k": 20},
        "model_version": None,
        "error": "boom",
        "created_at": "2026-03-01T12:00:00+00:00",
        "started_at": None,
        "finished_at": "2026-03-01T12:00:00+00:00",
    }
