"""A real `tactful serve` process that a test can kill -9 and start again on the same port.

The crash tests need the server a merchant runs, not an app in a thread: only a separate
process can die mid-request without running a single `finally`. The server runs in its own
process group so that `kill()` reaches it and anything it started, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

import tactful

SECRET_KEY = "sk_test_secret_key_0123456789"
PUBLISHABLE_KEY = "pk_test_publishable_0123456789"
SECRET_AUTH = {"Authorization": f"Bearer {SECRET_KEY}"}
PUBLISHABLE_AUTH = {"Authorization": f"Bearer {PUBLISHABLE_KEY}"}
START_SECONDS = 90.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tactful_environment(
    database_url: str, data_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of a tactful command on `database_url` with the test keys."""
    source = str(Path(tactful.__file__).resolve().parents[1])
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "TACTFUL_ENVIRONMENT": "test",
        "TACTFUL_DATA_DIR": str(data_dir),
        "TACTFUL_DATABASE_URL": database_url,
        "TACTFUL_SECRET_KEY": SECRET_KEY,
        "TACTFUL_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "TACTFUL_LOG_FORMAT": "json",
        **(extra or {}),
    }


class KillableServer:
    """`python -m tactful serve` on a fixed port: start, kill -9, start again, stop."""

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        *,
        extra_env: dict[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.env = tactful_environment(database_url, data_dir, extra_env)
        self.workers = workers
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait until /healthz answers."""
        assert self.process is None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "tactful", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)] if self.workers > 1 else []
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"serve did not answer /healthz in {START_SECONDS} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL the server's process group: no shutdown handler, no flush, no commit."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
        self.kills += 1

    def restart(self) -> None:
        """kill -9, then start again on the same port."""
        self.kill()
        self.start()

    def stop(self) -> None:
        """SIGTERM (a clean stop), SIGKILL if it hangs."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            self.process.wait(timeout=10)
        self.process = None

    def tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def __enter__(self) -> KillableServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
