"""Mining jobs in a process of their own, so that mining never slows or bloats the server.

`POST /v1/models` stores a job and answers 202; `in_child_process` then starts
`python -m tactful.mining_process JOB_ID` with the server's settings in its environment. The
child opens the database, mines, saves and activates the new version, writing each stage to
the job's row; its memory (the order history, the rule tables, the ranking fit) is returned
to the system when it exits. Every server process notices the new active version within a
second and loads it in the background, so decisions keep the previous model until then.

A child that dies without finishing (killed, out of memory) has its job marked failed by the
thread that waited for it, so the next POST can start again at once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence

from tactful.domain.model_jobs import JobId
from tactful.services.model_jobs import JobRun
from tactful.settings import Settings

_log = logging.getLogger(__name__)


def child_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with `settings` as TACTFUL_* variables (read back as is);
    an unset optional value (None) is left out, so the child reads the same default."""
    values = settings.model_dump(mode="json")
    exported = {
        f"TACTFUL_{name.upper()}": str(value) for name, value in values.items() if value is not None
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    return {**environment, **exported}


def child_command(job_id: str) -> list[str]:
    """The command that runs one mining job."""
    return [sys.executable, "-m", "tactful.mining_process", job_id]


def in_child_process(
    settings: Settings, command: Callable[[str], list[str]] = child_command
) -> Callable[[JobRun], None]:
    """A launcher for `ModelJobs` that runs each job in a child process, waited for in a thread."""

    def launch(work: JobRun) -> None:
        process = subprocess.Popen(
            command(work.job_id),
            env=child_environment(settings),
            stdin=subprocess.DEVNULL,
        )
        waiter = threading.Thread(
            target=_wait, args=(process, work), name="tactful-mining-wait", daemon=True
        )
        waiter.start()

    return launch


def _wait(process: subprocess.Popen[bytes], work: JobRun) -> None:
    code = process.wait()
    if code != 0:
        reason = f"the mining process ended with exit status {code}"
        _log.error("mining job %s: %s", work.job_id, reason)
        work.jobs.fail_unfinished(work.job_id, reason)


def main(argv: Sequence[str]) -> int:
    """Run the job named on the command line in this process; 0 once it is finished."""
    if len(argv) != 1:
        print("usage: python -m tactful.mining_process JOB_ID", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from tactful.standalone import run_mining_job  # the wiring lives outside the server

    run_mining_job(Settings.from_env(), JobId(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
