"""`/readyz` says whether this process should get traffic, and why not."""

from __future__ import annotations

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import LiveServer


def test_readyz_is_503_without_a_model_and_names_it(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/readyz")  # an empty database: nothing mined yet
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"
    assert "POST /v1/models" in body["checks"]["model"]
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200  # alive all the same


def test_readyz_reports_a_schema_behind_the_code(
    live_server: LiveServer, database_url: str
) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            response = httpx.get(f"{live_server.url}/readyz")
        finally:
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                )
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == f"schema at 0001, code needs {head}"
