"""Product images: `image_url` on the catalogue, validated, shown on the checkout page."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer

AUTH = {"Authorization": "Bearer sk_test_secret_key_0123456789"}


def _product(image_url: object) -> dict[str, object]:
    return {"sku": "MUG", "name": "Mug", "price": 900, "currency": "GBP", "image_url": image_url}


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "http://cdn.example/mug.jpg", 'https://x/"onerror=1', "mug.jpg"]
)
def test_unsafe_image_urls_are_refused_naming_the_field(live_server: LiveServer, bad: str) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/products", json={"products": [_product(bad)]}, headers=AUTH
    )
    assert response.status_code == 422
    assert "image_url" in response.text


def test_image_is_stored_and_shown_beside_its_line(live_server: LiveServer) -> None:
    url = "https://cdn.example.com/mug.jpg"
    stored = httpx.post(
        f"{live_server.url}/v1/products", json={"products": [_product(url)]}, headers=AUTH
    )
    assert stored.status_code == 200, stored.text
    page = {"slug": "mug", "title": "Mug", "currency": "GBP", "items": [{"sku": "MUG"}]}
    created = httpx.post(f"{live_server.url}/v1/checkout-pages", json=page, headers=AUTH)
    assert created.status_code == 201, created.text
    html = httpx.get(f"{live_server.url}/c/mug").text
    assert f'<img src="{url}" alt="" width="56" height="56"' in html
    unchanged = httpx.post(
        f"{live_server.url}/v1/products", json={"products": [_product(url)]}, headers=AUTH
    )
    assert unchanged.json()["unchanged"] == 1
