"""A real `tactful serve` process (one worker) on its own port, for tests across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

import tactful
from tests.cli.test_serve_workers import PUBLISHABLE_KEY, SECRET_KEY, Served, stop
from tests.cli.test_serve_workers import wait_until_healthy as healthy
from tests.conftest import free_port


def tactful_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a `tactful` command on `database_url` with the test keys."""
    source = str(Path(tactful.__file__).resolve().parents[1])
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "TACTFUL_ENVIRONMENT": "test",
        "TACTFUL_DATA_DIR": str(data_dir),
        "TACTFUL_DATABASE_URL": database_url,
        "TACTFUL_SECRET_KEY": SECRET_KEY,
        "TACTFUL_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
    }


@contextmanager
def serve(
    database_url: str, data_dir: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Served]:
    """Start `tactful serve` in its own process group, with `settings` (TACTFUL_* variables)
    added to its environment; stop the whole group afterwards."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tactful", "serve", "--port", str(port)],
            env={**tactful_env(database_url, data_dir), **(settings or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        healthy(served, timeout=90)
        yield served
    finally:
        stop(process)


def call(url: str, path: str, body: Any, key: str = PUBLISHABLE_KEY, status: int = 200) -> Any:
    """POST `body` as JSON; the answer's JSON once its status is `status`."""
    headers = {"Authorization": f"Bearer {key}"}
    response = httpx.post(f"{url}{path}", json=body, headers=headers, timeout=60)
    assert response.status_code == status, response.text
    return response.json()
