"""What schema-based fuzzing found, each pinned by a test: 4xx naming the field, never a 500."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer

AUTH = {"Authorization": "Bearer sk_test_secret_key_0123456789"}


def test_a_time_that_overflows_utc_is_a_422_naming_it(live_server: LiveServer) -> None:
    event = {"type": "product_viewed", "customer_id": "c1", "at": "0001-01-01T00:00:03+03:00"}
    response = httpx.post(f"{live_server.url}/v1/events", json={"events": [event]}, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "events.0.at"


def test_broken_json_is_a_400_naming_the_body(live_server: LiveServer) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = httpx.post(f"{live_server.url}/v1/events", content=b"\xff{", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert response.json()["errors"][0]["field"] == "body"


def test_non_ascii_signatures_are_refused_not_a_500(live_server: LiveServer) -> None:
    url = live_server.url
    for path in ("/email/unsubscribe", "/email/preferences"):
        assert httpx.get(f"{url}{path}", params={"m": "1", "s": "é"}).status_code == 400
    form = {"csrf_token": "é", "idempotency_key": "k"}
    cookie = {"Cookie": "tactful_csrf=" + "a" * 24}
    assert httpx.post(f"{url}/c/any/pay", data=form, headers=cookie).status_code == 403


def test_the_document_shows_the_422_tactful_sends(live_server: LiveServer) -> None:
    document = httpx.get(f"{live_server.url}/openapi.json").json()
    body = document["components"]["schemas"]["HTTPValidationError"]
    assert body["required"] == ["error", "detail", "errors"]
    events = document["paths"]["/v1/events"]["post"]["responses"]
    assert {"401", "403", "413", "422", "429", "503"} <= set(events)
