"""POST /v1/decisions answers the same through the ASGI fast path and the documented route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tactful.services.decisions import DecisionService
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer

SECRET = "sk_test_secret_key_0123456789"
PUBLISHABLE = "pk_test_publishable_0123456789"
PRODUCTS = [
    {"sku": "TENT", "name": "Tent", "price": 10000, "currency": "GBP", "kind": "physical"},
    {"sku": "MAT", "name": "Mat", "price": 2000, "currency": "GBP", "kind": "physical"},
]
GOOD = {"customer_id": "fast-1", "moment": "cart", "cart": [{"sku": "TENT"}, {"sku": "NOPE"}]}

# (label, headers, body): every way in must give the same status and the same error body.
CASES: list[tuple[str, dict[str, str], bytes]] = [
    ("no key", {}, b"{}"),
    ("basic scheme", {"Authorization": f"Basic {PUBLISHABLE}"}, b"{}"),
    ("scheme only", {"Authorization": "Bearer"}, b"{}"),
    ("wrong key", {"Authorization": "Bearer pk_wrong"}, b"{}"),
    ("bad json", {"Authorization": f"Bearer {PUBLISHABLE}"}, b"{not json"),
    ("empty body", {"Authorization": f"Bearer {PUBLISHABLE}"}, b""),
    (
        "unknown moment",
        {"Authorization": f"Bearer {PUBLISHABLE}"},
        b'{"customer_id": "c", "moment": "lunch"}',
    ),
    (
        "negative quantity",
        {"Authorization": f"bearer {SECRET}"},
        b'{"customer_id": "c", "moment": "cart", "cart": [{"sku": "TENT", "quantity": -1}]}',
    ),
]


@pytest.fixture
def servers(settings: Settings, engine: Engine) -> Iterator[tuple[LiveServer, LiveServer]]:
    """The app as served (fast path on) and the same app with its fast paths removed."""
    fast_app = create_app(settings, engine=engine)
    route_app = create_app(settings, engine=engine)
    route_app.fast_paths.clear()  # type: ignore[attr-defined]
    with LiveServer(fast_app) as fast, LiveServer(route_app) as route:
        response = httpx.post(
            f"{fast.url}/v1/products",
            json={"products": PRODUCTS},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        assert response.status_code == 200
        yield fast, route


def _post(server: LiveServer, headers: dict[str, str], body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", **headers}
    return httpx.post(f"{server.url}/v1/decisions", content=body, headers=headers, timeout=30)


@pytest.mark.parametrize(("label", "headers", "body"), CASES, ids=[c[0] for c in CASES])
def test_errors_are_identical_both_ways(
    servers: tuple[LiveServer, LiveServer], label: str, headers: dict[str, str], body: bytes
) -> None:
    fast, route = (_post(server, headers, body) for server in servers)
    assert fast.status_code == route.status_code, label
    assert fast.status_code in (401, 422), label
    assert fast.json() == route.json(), label
    assert fast.headers.get("www-authenticate") == route.headers.get("www-authenticate")
    assert fast.headers["content-type"] == "application/json"


def _shape(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "decision_id"}


def test_a_decision_is_identical_both_ways(servers: tuple[LiveServer, LiveServer]) -> None:
    headers = {"Authorization": f"Bearer {PUBLISHABLE}"}
    raw = httpx.Request("POST", "/", json=GOOD).content
    fast, route = (_post(server, headers, raw) for server in servers)
    assert fast.status_code == route.status_code == 200
    assert fast.json()["decision_id"] != route.json()["decision_id"]
    assert _shape(fast.json()) == _shape(route.json())
    assert fast.json()["warnings"] == ["unknown sku 'NOPE' in cart was ignored"]


def test_an_oversized_streamed_body_is_413(servers: tuple[LiveServer, LiveServer]) -> None:
    """No Content-Length (chunked): the fast path counts what arrives and stops at the limit."""

    def chunks() -> Iterator[bytes]:
        yield b'{"customer_id": "c", "moment": "cart", "cart": ['
        for _ in range(20_000):
            yield b'{"sku": "TENT", "quantity": 1}, ' * 4
        yield b'{"sku": "TENT"}]}'

    headers = {"Authorization": f"Bearer {PUBLISHABLE}", "Content-Type": "application/json"}
    fast = httpx.post(f"{servers[0].url}/v1/decisions", content=chunks(), headers=headers)
    assert fast.status_code == 413
    assert fast.json()["error"] == "payload_too_large"


def test_a_failure_is_a_json_500_and_the_server_keeps_serving(
    servers: tuple[LiveServer, LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(DecisionService, "decide_offers", broken)
    headers = {"Authorization": f"Bearer {PUBLISHABLE}"}
    raw = httpx.Request("POST", "/", json=GOOD).content
    failed = _post(servers[0], headers, raw)
    assert failed.status_code == 500
    assert failed.json()["error"] == "internal_error"
    assert "disk on fire" not in failed.text
    monkeypatch.undo()
    assert _post(servers[0], headers, raw).status_code == 200


def test_the_route_stays_documented(servers: tuple[LiveServer, LiveServer]) -> None:
    spec = httpx.get(f"{servers[0].url}/openapi.json").json()
    operation = spec["paths"]["/v1/decisions"]["post"]
    assert "requestBody" in operation
    assert "DecisionOut" in str(operation["responses"]["200"])
