"""Server subprocesses of the HTTP benches: `tactful serve` of any checkout, and a constant floor.

The tactful servers are the real command (`python -m tactful serve`), run with PYTHONPATH on
the `src` of the tree under test, so a baseline commit checked out with `git worktree` is
served exactly as the current tree is. Run as a script, this module is the floor's server:
`python bench/http_servers.py --serve floor --port P`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from http_load import PUBLISHABLE, SECRET

ROOT = Path(__file__).resolve().parents[1]
SERVERS = {"fast": ("httptools", "uvloop"), "plain": ("h11", "asyncio")}


@dataclass
class Server:
    """A running server subprocess and where it listens."""

    label: str
    process: subprocess.Popen[bytes]
    port: int

    def cpu(self) -> float:
        """CPU seconds the server has used, its worker processes included."""
        return cpu_seconds(self.process.pid)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        with contextlib.suppress(FileNotFoundError):  # it ended meanwhile
            total += cpu_seconds(int(child))
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tactful_env(database_url: str, data_dir: Path, source: Path = ROOT / "src") -> dict[str, str]:
    """The environment of a tactful command of the tree whose sources are in `source`."""
    return {
        **os.environ,
        "PYTHONPATH": str(source),
        "TACTFUL_ENVIRONMENT": "test",
        "TACTFUL_DATABASE_URL": database_url,
        "TACTFUL_DATA_DIR": str(data_dir),
        "TACTFUL_SECRET_KEY": SECRET,
        "TACTFUL_PUBLISHABLE_KEY": PUBLISHABLE,
    }


def start_tactful(
    label: str,
    database_url: str,
    data_dir: Path,
    *,
    source: Path = ROOT / "src",
    workers: int = 1,
    settings: Mapping[str, str] | None = None,
) -> Server:
    """`tactful serve` of the tree in `source`, with `--workers` when more than one and
    `settings` (TACTFUL_* variables) added to its environment."""
    port = free_port()
    command = [sys.executable, "-m", "tactful", "serve", "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    process = subprocess.Popen(
        command,
        env={**tactful_env(database_url, data_dir, source), **(settings or {})},
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
    )
    wait_until_ready(label, process, port)
    return Server(label, process, port)


def start_floor(label: str = "floor: FastAPI constant") -> Server:
    """The FastAPI floor, served by uvicorn as `tactful serve` serves the app."""
    process, port = start_server("floor", "", "fast", script=__file__)
    return Server(label, process, port)


def start_server(
    kind: str, database_url: str, server: str, *, script: str = __file__, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """`script --serve kind ...` as a subprocess, once it answers."""
    port = free_port()
    command = [sys.executable, script, "--serve", kind, "--port", str(port), "--server", server]
    process = subprocess.Popen([*command, "--database-url", database_url, *extra], cwd=ROOT)
    wait_until_ready(kind, process, port)
    return process, port


def wait_until_ready(label: str, process: subprocess.Popen[bytes], port: int) -> None:
    """Wait until GET /healthz answers 200 (for `--workers N`, at least one worker is up)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{label} server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{label} server did not start")


def stop(servers: Sequence[Server]) -> None:
    """SIGTERM each server (uvicorn stops its workers), then wait for it."""
    for server in servers:
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The sources of commit `ref`, in a temporary `git worktree`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tactful-baseline-") as tmp:
        folder = Path(tmp) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", str(folder), ref], check=True)
        try:
            yield folder / "src"
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(folder)], check=False)


# ---------------------------------------------------------------- in the server subprocess


def floor_app() -> Any:
    """The framework's floor: FastAPI returning a constant."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/floor")
    async def floor() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/healthz")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    return app


def tactful_app(database_url: str) -> Any:
    """The real app, built in this process."""
    from tactful.settings import Settings
    from tactful.web.app import create_app

    folder = Path(database_url.removeprefix("sqlite:///")).parent
    settings = Settings.from_env(tactful_env(database_url, folder))
    return create_app(settings)


def serve(kind: str, port: int, database_url: str, server: str = "fast") -> None:
    """Serve the floor or the app with `tactful serve`'s settings."""
    import uvicorn

    from tactful.cli.serve import tune_gc

    tune_gc()
    app = floor_app() if kind == "floor" else tactful_app(database_url)
    http, loop = SERVERS[server]
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http=http,
        loop=loop,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="one server of the HTTP benches")
    parser.add_argument("--serve", choices=["floor", "tactful"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=sorted(SERVERS), default="fast")
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()
    serve(arguments.serve, arguments.port, arguments.database_url, arguments.server)
