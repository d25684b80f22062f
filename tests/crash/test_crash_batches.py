"""kill -9 during `tactful import` and during `POST /v1/orders`: all of a batch or none of it.

Each run is killed while its transaction is writing (another connection sees the write lock),
a random moment later. After every kill the database holds the whole batch or nothing of it,
and running the same batch again completes it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.support.killable import SECRET_AUTH, KillableServer, tactful_environment
from tests.support.writers import a_moment, wait_for_writer

IMPORT_ORDERS = 6000  # two lines each
API_ORDERS = 1500
KILLS = 2
WAIT_SECONDS = 120


@pytest.fixture
def probe(database_url: str) -> Iterator[sa.Engine]:
    """A connection of the test's own that watches the database."""
    engine = sa.create_engine(database_url)
    yield engine
    engine.dispose()


def count_orders(engine: sa.Engine, prefix: str) -> tuple[int, int]:
    """(orders, order lines) whose id starts with `prefix`."""
    query = sa.text(
        "SELECT (SELECT count(*) FROM orders WHERE order_id LIKE :p),"
        " (SELECT count(*) FROM order_lines WHERE order_id LIKE :p)"
    )
    with engine.connect() as connection:
        orders, lines = connection.execute(query, {"p": prefix + "%"}).one()
    return int(orders), int(lines)


def write_orders_csv(path: Path, orders: int, prefix: str) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = ["order_id,sku,created_at,quantity,unit_price,customer_id"]
    for n in range(orders):
        at = (start + timedelta(minutes=n)).isoformat()
        rows.append(f"{prefix}{n},SKU{n % 97},{at},1,12.50,c{n % 400}")
        rows.append(f"{prefix}{n},SKU{(n * 7) % 89},{at},2,3.00,c{n % 400}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_import_killed_keeps_all_or_nothing_and_a_retry_completes(
    database_url: str, probe: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    write_orders_csv(path, IMPORT_ORDERS, "imp-")
    env = tactful_environment(database_url, tmp_path / "var")
    command = [sys.executable, "-m", "tactful", "import", str(path), "--format", "orders-csv"]
    whole = {(0, 0), (IMPORT_ORDERS, 2 * IMPORT_ORDERS)}
    rng = random.Random(25)
    for _ in range(KILLS):
        importing = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        assert wait_for_writer(probe, WAIT_SECONDS), "the import never wrote"
        a_moment(rng)
        os.killpg(importing.pid, signal.SIGKILL)
        importing.wait(timeout=10)
        assert wait_for_writer(probe, WAIT_SECONDS, busy=False)
        assert count_orders(probe, "imp-") in whole
    again = subprocess.run(command, env=env, capture_output=True, check=False)
    assert again.returncode == 0, again.stderr
    assert count_orders(probe, "imp-") == (IMPORT_ORDERS, 2 * IMPORT_ORDERS)


def orders_batch(prefix: str) -> dict[str, Any]:
    lines = [
        {"sku": "A", "quantity": 1, "unit_price": 1000},
        {"sku": "B", "quantity": 2, "unit_price": 250},
    ]
    return {
        "orders": [
            {"id": f"{prefix}{n}", "customer_id": f"c{n % 50}"}
            | {"created_at": "2025-03-01T10:00:00Z", "lines": lines}
            for n in range(API_ORDERS)
        ]
    }


def post_orders(server: KillableServer, prefix: str) -> httpx.Response:
    url = f"{server.url}/v1/orders"
    return httpx.post(url, json=orders_batch(prefix), headers=SECRET_AUTH, timeout=120)


def send_in_background(server: KillableServer, prefix: str) -> threading.Thread:
    def send() -> None:
        with contextlib.suppress(httpx.TransportError):  # the server died under it
            post_orders(server, prefix)

    sender = threading.Thread(target=send)
    sender.start()
    return sender


@pytest.mark.slow
def test_orders_batch_killed_keeps_all_or_nothing_and_a_retry_completes(
    database_url: str, probe: sa.Engine, tmp_path: Path
) -> None:
    big_bodies = {"TACTFUL_MAX_BODY_BYTES": "10000000"}
    products = [{"sku": s, "name": s, "price": 1000, "currency": "GBP"} for s in ("A", "B")]
    whole = {(0, 0), (API_ORDERS, 2 * API_ORDERS)}
    rng = random.Random(25)
    prefixes = [f"api{n}-" for n in range(KILLS)]
    with KillableServer(database_url, tmp_path / "var", extra_env=big_bodies) as server:
        url = f"{server.url}/v1/products"
        assert httpx.post(url, json={"products": products}, headers=SECRET_AUTH).is_success
        for prefix in prefixes:
            sender = send_in_background(server, prefix)
            assert wait_for_writer(probe, WAIT_SECONDS), "the batch was never written"
            a_moment(rng)
            server.restart()
            sender.join()
            assert wait_for_writer(probe, WAIT_SECONDS, busy=False)
            assert count_orders(probe, prefix) in whole
        for prefix in prefixes:
            assert post_orders(server, prefix).status_code == 200
            assert count_orders(probe, prefix) == (API_ORDERS, 2 * API_ORDERS)
