"""Shared fixtures: one database fixture over SQLite and PostgreSQL, and a live server."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import all_metadata, upgrade
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory import MemoryDatabase
from tactful.services.ports.storage import Database
from tactful.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "TACTFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# The machines that run the suite are shared and often loaded: Hypothesis's timing checks would
# measure the load, not the code. Every property keeps its example count; only the clock goes.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


def _postgres_reachable() -> bool:
    try:
        engine = build_engine(PG_ADMIN_URL, pool_pre_ping=False)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    """Whether PostgreSQL answers; under CI its absence is an error, not a skip."""
    reachable = _postgres_reachable()
    if not reachable and os.environ.get("CI"):
        pytest.fail(f"CI is set but PostgreSQL is not reachable at {PG_ADMIN_URL}")
    return reachable


@pytest.fixture(scope="session")
def postgres_url(postgres_available: bool) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable (set CI=1 to make this an error)")
    name = f"tactful_test_{uuid.uuid4().hex[:12]}"
    admin = build_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(engine: Engine) -> None:
    metadata = all_metadata()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
        engine = build_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    engine = build_engine(url)
    truncate_all(engine)
    engine.dispose()
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database of each implementation of the port: SQLite, PostgreSQL, in memory.

    The contract suite (tests/contracts/) and the service tests run on it.
    """
    if request.param == "memory":
        yield MemoryDatabase()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'contract.db').as_posix()}"
        engine = build_engine(url)
        upgrade(engine)
    else:
        engine = build_engine(request.getfixturevalue("postgres_url"))
        truncate_all(engine)
    yield SqlDatabase(engine)
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the parametrised database."""
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings with fixed keys on the parametrised database."""
    return Settings.from_env(
        {},
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="sk_test_secret_key_0123456789",
        publishable_key="pk_test_publishable_0123456789",
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a background thread, reached over real HTTP."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    """The full app on the parametrised database, served on a free local port."""
    from tactful.web.app import create_app

    with LiveServer(create_app(settings, engine=engine)) as server:
        yield server
