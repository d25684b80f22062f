"""`tactful serve --workers 2` as a real subprocess, on SQLite and PostgreSQL.

Both worker processes answer decisions over real HTTP, and every decision and every offer
shown is stored, whichever process served it. The workers read their settings back from the
environment their parent exported, unchanged.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

import tactful
from tactful.cli.serve import settings_environment
from tactful.settings import Settings
from tests.conftest import free_port

WORKERS = 2
SECRET_KEY = "sk_test_secret_key_0123456789"
PUBLISHABLE_KEY = "pk_test_publishable_0123456789"
LADDER = [("MAT", 1, 2000), ("MAT_PLUS", 2, 2600), ("MAT_PRO", 3, 3200)]
LOGGED = sa.text("SELECT decision_id FROM decisions WHERE decision_id IN :ids").bindparams(
    sa.bindparam("ids", expanding=True)
)
SHOWN = sa.text(
    "SELECT decision_id, offer_id FROM offer_impressions WHERE decision_id IN :ids"
).bindparams(sa.bindparam("ids", expanding=True))
BUSY_CPU_SECONDS = 0.2  # a worker serving decisions uses this in seconds; an idle one, 0.002/s


@dataclass
class Served:
    """A running `tactful serve --workers N`: its process and base URL."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn spawned (not its resource tracker)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        return [pid for pid in pids if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve_workers(database_url: str, tmp_path: Path) -> Iterator[Served]:
    """Start the real command in its own process group; stop the whole group afterwards."""
    port = free_port()
    source = str(Path(tactful.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "TACTFUL_ENVIRONMENT": "test",
        "TACTFUL_DATA_DIR": str(tmp_path / "var"),
        "TACTFUL_DATABASE_URL": database_url,
        "TACTFUL_SECRET_KEY": SECRET_KEY,
        "TACTFUL_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "TACTFUL_LOG_FORMAT": "json",
    }
    command = [sys.executable, "-m", "tactful", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--workers", str(WORKERS)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_healthy(served, timeout=90)
        yield served
    finally:
        stop(process)


def wait_until_healthy(served: Served, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"serve exited with {served.process.returncode}: {served.log.read_text()}")
        try:
            if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"serve did not answer /healthz in {timeout} s: {served.log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (uvicorn stops its workers), SIGKILL if it hangs."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        process.wait(timeout=10)


def post(client: httpx.Client, path: str, body: Any, key: str = PUBLISHABLE_KEY) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def new_connections(served: Served) -> httpx.Client:
    """A client that opens a new connection per request, so that any worker may accept it."""
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(base_url=served.url, limits=limits, timeout=30)


def add_products(client: httpx.Client) -> None:
    products = [
        {"sku": sku, "name": sku, "price": price, "currency": "GBP"}
        | {"tier": {"ladder": "mats", "rank": rank}, "outcome": f"Sleep better with {sku}"}
        for sku, rank, price in LADDER
    ]
    post(client, "/v1/products", {"products": products}, SECRET_KEY)


def decide_until_every_worker_served(
    served: Served, client: httpx.Client, *, timeout: float
) -> list[Any]:
    """Decisions from 8 concurrent clients, until each worker spent real CPU serving them."""
    workers = served.worker_pids()
    assert len(workers) == WORKERS
    before = {pid: cpu_seconds(pid) for pid in workers}
    answers: list[Any] = []
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while True:
            start = len(answers)
            bodies = [
                {"customer_id": f"shopper-{n}", "moment": "cart", "cart": [{"sku": "MAT"}]}
                for n in range(start, start + 80)
            ]
            answers += pool.map(lambda body: post(client, "/v1/decisions", body), bodies)
            used = {pid: cpu_seconds(pid) - before[pid] for pid in workers}
            if min(used.values()) >= BUSY_CPU_SECONDS:
                return answers
            assert time.monotonic() < deadline, f"a worker served nothing: CPU used {used}"


def stored(database_url: str, decision_ids: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The decisions and (decision, offer) impressions stored for `decision_ids`."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            logged = connection.execute(LOGGED, {"ids": decision_ids}).scalars()
            shown = connection.execute(SHOWN, {"ids": decision_ids})
            return set(logged), {(row.decision_id, row.offer_id) for row in shown}
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads worker CPU from /proc")
def test_two_workers_answer_and_store_every_decision(database_url: str, tmp_path: Path) -> None:
    with serve_workers(database_url, tmp_path) as served, new_connections(served) as client:
        add_products(client)
        answers = decide_until_every_worker_served(served, client, timeout=120)
        workers = served.worker_pids()
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {SECRET_KEY}"})
    assert len(workers) == WORKERS
    assert served.process.returncode == 0  # stopped cleanly, with its workers
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    decision_ids = [answer["decision_id"] for answer in answers]
    offers = {(a["decision_id"], o["offer_id"]) for a in answers for o in a["offers"]}
    assert len(set(decision_ids)) == len(answers)
    assert offers, "the ladder should give upsell offers"
    logged, shown = stored(database_url, decision_ids)
    assert logged == set(decision_ids)
    assert shown == offers
    assert decisions_counted(scraped.text) == len(answers)  # summed over both processes
    assert_json_access_lines(served.log, decision_ids)


def decisions_counted(exposition: str) -> float:
    """The decisions counter of a /metrics scrape, summed over its labels."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "tactful_decisions_total"
    )


def assert_json_access_lines(log: Path, decision_ids: list[str]) -> None:
    """One JSON line per decision request, with a request id, and no API key anywhere."""
    text = log.read_text()
    assert SECRET_KEY not in text
    assert PUBLISHABLE_KEY not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    decided = [line for line in lines if line.get("route") == "/v1/decisions"]
    assert len(decided) == len(decision_ids)
    assert all(len(line["request_id"]) == 32 and line["status"] == 200 for line in decided)


@given(
    port=st.integers(1, 65535),
    holdout_share=st.floats(0.0, 1.0),
    secret_key=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    public_url=st.sampled_from(["", "https://shop.example/offers"]),
)
def test_workers_read_back_the_settings_their_parent_exported(
    port: int, holdout_share: float, secret_key: str, public_url: str
) -> None:
    settings = Settings.from_env(
        {},
        environment="test",
        data_dir=Path("var/x"),
        database_url="postgresql+psycopg://shop@db/tactful",
        port=port,
        holdout_share=holdout_share,
        secret_key=secret_key,
        public_url=public_url,
    )
    assert Settings.from_env(settings_environment(settings)) == settings
