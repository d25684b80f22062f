"""Mining jobs run in a child process (issue 21, bug 11): the server only waits for it.

The server's memory and event loop stay out of mining; the child opens the database from
the settings it is handed, mines, activates, and exits. A child that dies has its job
marked failed at once, so the next POST /v1/models can start again.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from tactful.container import build_container
from tactful.domain.affinity import MiningConfig
from tactful.domain.model_jobs import JobStatus, ModelJob
from tactful.mining_process import child_command, in_child_process
from tactful.services.model_jobs import ModelJobs
from tactful.settings import Settings
from tests.services.test_models import _orders, _store

CONFIG = MiningConfig(min_support=0.05, min_confidence=0.2)


def finished(jobs: ModelJobs, job: ModelJob) -> ModelJob:
    deadline = time.monotonic() + 120
    while True:
        now = jobs.get(job.job_id)
        assert now is not None
        if now.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return now
        assert time.monotonic() < deadline, f"job {job.job_id} never finished"
        time.sleep(0.05)


def test_a_job_mines_in_a_child_process(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    _store(engine, _orders(40))
    pid_file = tmp_path / "child.pid"

    def recorded(job_id: str) -> list[str]:
        script = (
            f"import os, sys; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
            f"from tactful.mining_process import main; sys.exit(main([{job_id!r}]))"
        )
        return [sys.executable, "-c", script]

    container = build_container(settings, engine=engine, mining_launch=None)
    try:
        jobs = replace(container.model_jobs, launch=in_child_process(settings, recorded))
        job, started = jobs.submit(CONFIG)
        assert started
        done = finished(jobs, job)
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert int(pid_file.read_text()) != os.getpid()
        assert container.models.version == done.model_version  # served here once reported
    finally:
        container.close()


def test_a_child_that_dies_fails_its_job(engine: Engine, settings: Settings) -> None:
    _store(engine, _orders(40))
    dying = in_child_process(settings, lambda _job: [sys.executable, "-c", "raise SystemExit(3)"])
    container = build_container(settings, engine=engine, mining_launch=dying)
    try:
        job, _ = container.model_jobs.submit(CONFIG)
        failed = finished(container.model_jobs, job)
        assert failed.status is JobStatus.FAILED
        assert failed.error == "the mining process ended with exit status 3"
        again, started = container.model_jobs.submit(CONFIG)  # nothing holds the next one back
        assert started
        assert again.job_id != job.job_id
    finally:
        container.close()


def test_the_child_command_runs_this_package() -> None:
    assert child_command("job_x")[1:] == ["-m", "tactful.mining_process", "job_x"]
