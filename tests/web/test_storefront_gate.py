"""CORS per TACTFUL_ALLOWED_ORIGINS and rate limits on the publishable endpoints, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.tables_offers import decisions
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SHOP = "https://shop.example"
PUBLISHABLE = "Bearer pk_test_publishable_0123456789"
SECRET = "Bearer sk_test_secret_key_0123456789"
ASK = {"customer_id": "c1", "moment": "cart", "cart": []}


@pytest.fixture
def serve(settings: Settings, engine: Engine) -> Iterator[Any]:
    servers: list[LiveServer] = []

    def start(**changes: Any) -> LiveServer:
        server = LiveServer(create_app(settings.model_copy(update=changes), engine=engine))
        servers.append(server.__enter__())
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def decide(server: LiveServer, **headers: str) -> httpx.Response:
    headers.setdefault("Authorization", PUBLISHABLE)
    return httpx.post(f"{server.url}/v1/decisions", json=ASK, headers=headers)


def logged(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(decisions)) or 0)


def test_a_configured_origin_may_call_and_reads_the_answer(serve: Any) -> None:
    server = serve(allowed_origins=f"{SHOP}, https://other.example/")
    answer = decide(server, Origin=SHOP)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert "Origin" in answer.headers["vary"]
    assert decide(server, Origin="https://other.example").status_code == 200


def test_the_preflight_names_methods_and_headers(serve: Any) -> None:
    server = serve(allowed_origins=SHOP)
    headers = {
        "Origin": SHOP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    answer = httpx.options(f"{server.url}/v1/decisions/dec_1/responses", headers=headers)
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == SHOP
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "authorization" in answer.headers["access-control-allow-headers"]


def test_another_origin_is_refused_and_nothing_is_stored(serve: Any, engine: Engine) -> None:
    server = serve(allowed_origins=SHOP)
    answer = decide(server, Origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden"
    assert "access-control-allow-origin" not in answer.headers
    assert logged(engine) == 0
    preflight = httpx.options(f"{server.url}/v1/events", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 403


def test_own_pages_and_server_calls_need_no_configuration(serve: Any) -> None:
    server = serve()
    assert decide(server, Origin=server.url).status_code == 200
    assert decide(server).status_code == 200  # no Origin: a server, not a browser
    assert decide(server, Origin=SHOP).status_code == 403


def test_star_allows_any_origin(serve: Any) -> None:
    server = serve(allowed_origins="*")
    assert decide(server, Origin="https://anyone.example").status_code == 200


def test_past_the_limit_429_with_retry_after_per_key_and_ip(serve: Any, engine: Engine) -> None:
    server = serve(rate_limit_per_minute=3, allowed_origins=SHOP)
    assert [decide(server).status_code for _ in range(3)] == [200, 200, 200]
    refused = decide(server, Origin=SHOP)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["access-control-allow-origin"] == SHOP  # the page can read why
    assert refused.json()["error"] == "rate_limited"
    assert logged(engine) == 3
    events = httpx.post(
        f"{server.url}/v1/events", json={"events": []}, headers={"Authorization": PUBLISHABLE}
    )
    assert events.status_code == 429
    assert decide(server, Authorization="Bearer pk_other_key_0123456789").status_code == 401
    assert decide(server, Authorization=SECRET).status_code == 200  # servers are not limited


def test_the_test_environment_has_no_limit_by_default(serve: Any, settings: Settings) -> None:
    assert settings.publishable_rate_limit == 0
    assert settings.model_copy(update={"environment": "development"}).publishable_rate_limit == 600
    server = serve()
    assert {decide(server).status_code for _ in range(50)} == {200}
