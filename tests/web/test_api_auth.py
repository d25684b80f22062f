"""Who may call what: secret key everything, publishable key only the storefront calls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

SECRET = "sk_test_secret_key_0123456789"
PUBLISHABLE = "pk_test_publishable_0123456789"

BODIES: dict[str, Any] = {
    "/v1/products": {"products": [{"sku": "A", "name": "A", "price": 100, "currency": "GBP"}]},
    "/v1/customers": {"customers": [{"id": "c1"}]},
    "/v1/orders": {
        "orders": [
            {
                "id": "o1",
                "customer_id": "c1",
                "created_at": "2024-01-01T00:00:00Z",
                "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}],
            }
        ]
    },
    "/v1/events": {"events": [{"type": "product_viewed", "customer_id": "c1", "sku": "A"}]},
    "/v1/decisions": {"customer_id": "c1", "moment": "cart", "cart": [{"sku": "A"}]},
}
STOREFRONT = {"/v1/events", "/v1/decisions"}
OK = {"/v1/events": 202}


def call(server: LiveServer, path: str, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.post(f"{server.url}{path}", json=BODIES[path], headers=headers, timeout=30)


def test_auth_matrix(live_server: LiveServer) -> None:
    for path in BODIES:
        missing = call(live_server, path, None)
        assert missing.status_code == 401, path
        assert missing.json()["error"] == "unauthorized"
        assert call(live_server, path, "sk_wrong_key_000000000").status_code == 401, path
        assert call(live_server, path, SECRET).status_code == OK.get(path, 200), path
        publishable = call(live_server, path, PUBLISHABLE)
        expected = OK.get(path, 200) if path in STOREFRONT else 403
        assert publishable.status_code == expected, path


@pytest.mark.parametrize("key", [SECRET, PUBLISHABLE])
def test_responses_accept_both_keys(live_server: LiveServer, key: str) -> None:
    url = f"{live_server.url}/v1/decisions/dec_unknown/responses"
    body = {"offer_id": "off_x", "response": "declined"}
    response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert httpx.post(url, json=body).status_code == 401
