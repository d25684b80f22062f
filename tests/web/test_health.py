"""The server answers /healthz and publishes its OpenAPI document, over real HTTP."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer


def test_healthz_reports_database(live_server: LiveServer, database_url: str) -> None:
    response = httpx.get(f"{live_server.url}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == database_url.split(":")[0].split("+")[0]


def test_openapi_lists_healthz(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/openapi.json")
    assert response.status_code == 200
    assert "/healthz" in response.json()["paths"]
    assert httpx.get(f"{live_server.url}/docs").status_code == 200


def test_oversized_body_gets_413_json(live_server: LiveServer) -> None:
    response = httpx.post(f"{live_server.url}/healthz", content=b"x" * 1_100_000)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
