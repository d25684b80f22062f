"""POST /v1/decisions answers the same through the ASGI fast path and the documented route."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from sqlalchemy import Engine

from tactful.services.decisions import DecisionService
from tactful.settings import Settings
from tactful.web.api.schemas_decisions import DecisionOut
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
    with LiveServer(fast_app) as fast:
        response = httpx.post(
            f"{fast.url}/v1/products",
            json={"products": PRODUCTS},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        assert response.status_code == 200
        # started after the write: a server loads the catalogue at start and sees another
        # server's writes within its 0.1 s recheck (tests/adapters/db/test_catalog_cache.py)
        with LiveServer(route_app) as route:
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

    monkeypatch.setattr(DecisionService, "choose_offers", broken)
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


# ---------------------------------------------------------------- in process, any body

GOOD_KEY = f"Bearer {PUBLISHABLE}"
BAD_KEYS = [None, f"Basic {PUBLISHABLE}", "Bearer", "Bearer pk_wrong"]
KEYS = st.sampled_from([*BAD_KEYS, f"bearer {SECRET}", *[GOOD_KEY] * 6])
SKUS = st.sampled_from(["TENT", "MAT", "NOPE", "", "x" * 129])
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.text(max_size=4))
QUANTITIES = st.one_of(st.integers(-1, 3), VALUES)
LINES = st.one_of(st.fixed_dictionaries({"sku": SKUS}, optional={"quantity": QUANTITIES}), VALUES)
CONTEXTS = st.fixed_dictionaries(
    {}, optional={"channel": st.text(max_size=3), "task": st.sampled_from(["completed", "nap"])}
)
DECISIONS = st.fixed_dictionaries(
    {
        "customer_id": st.one_of(st.text(min_size=1, max_size=6), VALUES),
        "moment": st.sampled_from(["cart", "checkout", "lunch"]),
    },
    optional={
        "cart": st.one_of(st.lists(LINES, max_size=3), VALUES),
        "context": st.one_of(CONTEXTS, VALUES),
        "extra": VALUES,
    },
)
LIMIT = 4096
OVERSIZED = b'{"customer_id": "c", "moment": "cart", "cart": [' + b'{"sku": "TENT"}, ' * 300
VALID = st.fixed_dictionaries(
    {"customer_id": st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1)},
    optional={
        "moment": st.sampled_from(["cart", "checkout", "browsing"]),
        "cart": st.lists(st.fixed_dictionaries({"sku": st.sampled_from(["TENT", "MAT", "NOPE"])})),
    },
).map(lambda body: {"moment": "cart", **body})
BODIES = st.one_of(
    VALID.map(orjson.dumps),
    VALID.map(orjson.dumps),
    DECISIONS.map(orjson.dumps),
    DECISIONS.map(lambda body: orjson.dumps(body)[:-1]),  # malformed JSON
    st.binary(max_size=16),
    st.just(OVERSIZED + b'{"sku": "MAT"}]}'),
)
Reply = tuple[int, dict[str, str], bytes]


async def _call(app: Any, path: str, authorization: str | None, body: bytes) -> Reply:
    """One POST through the ASGI callable, as a server would make it."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("test", 80),
        "client": ("test", 1),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    answer = b"".join(message.get("body", b"") for message in sent[1:])
    head = {key.decode(): value.decode() for key, value in sent[0]["headers"]}
    return sent[0]["status"], head, answer


InProcess = tuple[Any, Any, asyncio.AbstractEventLoop]


@pytest.fixture
def in_process(settings: Settings, engine: Engine) -> Iterator[InProcess]:
    """The app with its fast path and without, called in process, with a small body limit."""
    small = settings.model_copy(update={"max_body_bytes": LIMIT})
    fast_app, route_app = create_app(small, engine=engine), create_app(small, engine=engine)
    route_app.fast_paths.clear()  # type: ignore[attr-defined]
    loop = asyncio.new_event_loop()
    products = orjson.dumps({"products": PRODUCTS})
    try:
        added = loop.run_until_complete(
            _call(fast_app, "/v1/products", f"Bearer {SECRET}", products)
        )
        assert added[0] == 200
        yield fast_app, route_app, loop
    finally:
        for app in (fast_app, route_app):
            app.state.tactful.close()
        loop.close()


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(authorization=KEYS, body=BODIES)
def test_any_request_is_answered_alike_both_ways(
    in_process: InProcess, authorization: str | None, body: bytes
) -> None:
    fast_app, route_app, loop = in_process
    fast, route = (
        loop.run_until_complete(_call(app, "/v1/decisions", authorization, body))
        for app in (fast_app, route_app)
    )
    assert fast[0] == route[0]
    event(f"status {fast[0]}")
    assert fast[1]["content-type"] == route[1]["content-type"] == "application/json"
    assert fast[1].get("www-authenticate") == route[1].get("www-authenticate")
    if fast[0] != 200:
        assert orjson.loads(fast[2]) == orjson.loads(route[2])
        return
    fast_id, route_id = (orjson.loads(reply[2])["decision_id"] for reply in (fast, route))
    assert fast[2].replace(fast_id.encode(), route_id.encode()) == route[2], "byte-identical"


def test_the_documented_answer_is_the_model(in_process: InProcess) -> None:
    spec = in_process[0].openapi()
    documented = TypeAdapter(DecisionOut).json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    assert spec["components"]["schemas"]["DecisionOut"] == {
        key: value for key, value in documented.items() if key != "$defs"
    }
    request = spec["paths"]["/v1/decisions"]["post"]["requestBody"]["content"]
    assert request["application/json"]["schema"]["$ref"].endswith("/DecisionRequest")
