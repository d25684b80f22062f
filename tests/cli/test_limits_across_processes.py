"""Rate limits and the admin login throttle hold across server processes (issue 24).

Two real `tactful serve` processes on one database (SQLite, then PostgreSQL), as two
`serve --workers` workers or two containers behind a balancer would be: calls spread over
both add up to one count, so a caller gets the limit once, not once per process.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.cli.test_serve_workers import PUBLISHABLE_KEY, SECRET_KEY, Served
from tests.support.served import serve

LIMIT = 4
SETTINGS = {"TACTFUL_RATE_LIMIT_PER_MINUTE": str(LIMIT)}


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    with ExitStack() as stack:
        first = stack.enter_context(serve(database_url, tmp_path / "a", SETTINGS))
        second = stack.enter_context(serve(database_url, tmp_path / "b", SETTINGS))
        yield first, second


def early_in_the_window(seconds: int, margin: float = 15.0) -> None:
    """Wait for a fresh window if this one ends within `margin` s (counts reset at its end)."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 0.5)


def test_limits_are_one_count_across_processes(two_servers: tuple[Served, Served]) -> None:
    """One pair of servers for both limits: each server takes a while to start."""
    publishable_calls_are_limited_once(two_servers)
    failed_logins_are_counted_once(two_servers)


def publishable_calls_are_limited_once(two_servers: tuple[Served, Served]) -> None:
    early_in_the_window(60)
    headers = {"Authorization": f"Bearer {PUBLISHABLE_KEY}"}
    statuses = []
    for n in range(LIMIT + 2):
        server = two_servers[n % 2]
        answer = httpx.post(f"{server.url}/v1/events", json={}, headers=headers, timeout=30)
        statuses.append(answer.status_code)
    assert 429 not in statuses[:LIMIT], statuses
    assert statuses[LIMIT:] == [429, 429]
    secret = {"Authorization": f"Bearer {SECRET_KEY}"}  # servers' calls are not limited
    answer = httpx.post(f"{two_servers[0].url}/v1/events", json={}, headers=secret, timeout=30)
    assert answer.status_code != 429


def failed_logins_are_counted_once(two_servers: tuple[Served, Served]) -> None:
    early_in_the_window(15 * 60)
    statuses = [fail_login(two_servers[n % 2]).status_code for n in range(5)]
    assert statuses == [401] * 5
    for server in two_servers:
        refused = fail_login(server)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0


def fail_login(server: Served) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/admin/login")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert found, form.text
        data = {"password": "not the password", "csrf": found.group(1), "next": "/admin"}
        return client.post("/admin/login", data=data)
