"""A database outage gives 503 with Retry-After (never 500), a log line naming the cause,
loses no acknowledged write, and tactful recovers by itself once the database is back."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.tables import events
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.support.tcp_proxy import TcpProxy

KEYS = {"secret_key": "sk_test_secret_key_0123456789", "publishable_key": "pk_test_pub_0123456"}
AUTH = {"Authorization": f"Bearer {KEYS['secret_key']}"}


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings.from_env({}, environment="test", data_dir=data_dir, database_url=url, **KEYS)


def _send_event(server: LiveServer) -> httpx.Response:
    body = {"events": [{"id": uuid.uuid4().hex, "type": "product_viewed", "customer_id": "c1"}]}
    return httpx.post(f"{server.url}/v1/events", json=body, headers=AUTH, timeout=15)


def _decide(server: LiveServer) -> httpx.Response:
    body = {"customer_id": "c1", "moment": "cart", "cart": [{"sku": "A", "quantity": 1}]}
    return httpx.post(f"{server.url}/v1/decisions", json=body, headers=AUTH, timeout=15)


def _stored_events(url: str) -> int:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(events)).scalar_one())
    finally:
        engine.dispose()


def _assert_outage_answer(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert response.json()["error"] == "unavailable"


@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[str, TcpProxy]]:
    url = make_url(postgres_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.close()


@pytest.mark.postgres
def test_postgres_outage_gives_503_then_recovers_within_5_s(
    proxied_postgres: tuple[str, TcpProxy],
    postgres_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, proxy = proxied_postgres
    settings = Settings.from_env(
        {}, environment="test", data_dir=tmp_path, database_url=url, **KEYS
    )
    before = _stored_events(postgres_url)
    with LiveServer(create_app(settings)) as server:
        assert _send_event(server).status_code == 202
        proxy.cut()
        with caplog.at_level(logging.ERROR, logger="tactful.outage"):
            _assert_outage_answer(_send_event(server))  # FastAPI route
            _assert_outage_answer(_decide(server))  # ASGI fast path
        assert any("database" in record.getMessage() for record in caplog.records)
        proxy.restore()
        back_at = time.monotonic()
        while (answer := _send_event(server)).status_code != 202:
            _assert_outage_answer(answer)
            assert time.monotonic() - back_at < 5, "not recovered within 5 s"
            time.sleep(0.1)
        assert _decide(server).status_code == 200
    assert _stored_events(postgres_url) == before + 2  # both acknowledged events, nothing else


def test_full_sqlite_disk_gives_503_naming_the_cause_and_keeps_earlier_writes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    settings = Settings.from_env(
        {}, environment="test", data_dir=tmp_path, database_url=url, **KEYS
    )
    engine = build_engine(url)
    from tactful.adapters.db.schema import upgrade

    upgrade(engine)

    def no_room_to_grow(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    with LiveServer(create_app(settings, engine=engine)) as server:
        accepted = [_send_event(server) for _ in range(3)]
        assert [r.status_code for r in accepted] == [202, 202, 202]
        sa_event.listen(engine, "connect", no_room_to_grow)
        engine.dispose()  # every new connection now sees a full disk
        with caplog.at_level(logging.ERROR, logger="tactful.outage"):
            for _ in range(200):  # fill the last free pages, then the disk is full
                if (answer := _send_event(server)).status_code != 202:
                    break
            _assert_outage_answer(answer)
        assert any("disk is full" in record.getMessage() for record in caplog.records)
        sa_event.remove(engine, "connect", no_room_to_grow)
        engine.dispose()
        assert _send_event(server).status_code == 202
    stored = _stored_events(url)
    engine.dispose()
    assert stored >= 4  # the three acknowledged before, and the one after, survive


def test_read_only_sqlite_gives_503_naming_the_cause_then_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    settings = _settings(url, tmp_path)
    engine = build_engine(url)
    from tactful.adapters.db.schema import upgrade

    upgrade(engine)

    def read_only(dbapi_connection: Any, _record: Any) -> None:  # as a read-only file or mount
        dbapi_connection.execute("PRAGMA query_only = ON")

    with LiveServer(create_app(settings, engine=engine)) as server:
        assert _send_event(server).status_code == 202
        sa_event.listen(engine, "connect", read_only)
        engine.dispose()
        with caplog.at_level(logging.ERROR, logger="tactful.outage"):
            _assert_outage_answer(_send_event(server))
        assert any("read-only" in record.getMessage() for record in caplog.records)
        sa_event.remove(engine, "connect", read_only)
        engine.dispose()
        assert _send_event(server).status_code == 202
    stored = _stored_events(url)
    engine.dispose()
    assert stored == 2  # the acknowledged events, and nothing the refused request sent
