"""POST /v1/feedback (publishable key) and the thank-you page's rating, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tests.e2e.seed import PAGE
from tests.support.browser_forms import form_post
from tests.web.checkout_shop import AUTH, JSON, Shop, open_shop

PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def rate(shop: Shop, **body: object) -> httpx.Response:
    return httpx.post(f"{shop.url}/v1/feedback", json=body, headers=PUBLISHABLE)


def test_a_rating_is_stored_once_by_id_and_linked_to_the_order_and_its_offers(shop: Shop) -> None:
    order_id = shop.paid_order()
    accepted = httpx.post(
        shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "a-1"}
    )
    assert accepted.status_code == 200, accepted.text
    first = rate(shop, id="fb-1", order_id=order_id, rating=4, comment="quick")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["rating"] == 4
    assert body["customer_id"]
    assert body["offer_ids"] == [f"{order_id}-u1"]
    assert body["source"] == "api"
    again = rate(shop, id="fb-1", order_id=order_id, rating=4, comment="quick")
    assert again.status_code == 200
    assert again.json() == body
    changed = rate(shop, id="fb-1", order_id=order_id, rating=2, comment="quick")
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["field"] == "id"


def test_bad_feedback_is_refused_naming_the_field_and_nothing_is_stored(shop: Shop) -> None:
    unknown = rate(shop, id="fb-x", order_id="nope", rating=5)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "order_id"
    order_id = shop.paid_order()
    for body, field in (
        ({"id": "fb-2", "order_id": order_id, "rating": 6}, "rating"),
        ({"id": "fb-2", "order_id": order_id, "rating": 3, "stars": 3}, "stars"),
        ({"id": "fb-2", "order_id": order_id, "rating": 3, "comment": "x" * 2001}, "comment"),
        # PostgreSQL text cannot hold NUL: a 422 naming the field, not a 500 from the driver
        ({"id": "fb-2", "order_id": "Y\u0000", "rating": 5}, "order_id"),
        ({"id": "fb-\u0000", "order_id": order_id, "rating": 5}, "id"),
        ({"id": "fb-2", "order_id": order_id, "rating": 5, "comment": "a\u0000b"}, "comment"),
    ):
        refused = rate(shop, **body)
        assert refused.status_code == 422, refused.text
        assert field in refused.json()["detail"]
    stored = rate(shop, id="fb-2", order_id=order_id, rating=3)
    assert stored.status_code == 201
    assert httpx.post(f"{shop.url}/v1/feedback", json={}).status_code == 401


def test_the_thank_you_page_asks_for_a_rating_and_takes_it_once(shop: Shop) -> None:
    order_id = shop.paid_order()
    for code in ("u1", "d1", "u2", "d2"):
        httpx.post(shop.offer_url(order_id, code, "decline"), headers=JSON)
    page_url = f"{shop.url}/c/{PAGE['slug']}/orders/{order_id}"
    receipt = httpx.get(page_url).text
    assert "How was your purchase?" in receipt
    assert f'action="/c/{PAGE["slug"]}/orders/{order_id}/feedback"' in receipt
    sent = form_post(f"{page_url}/feedback", {"rating": "5", "comment": " lovely "})
    assert sent.status_code == 303
    assert sent.headers["location"].endswith("notice=rated#rate")
    assert "Thank you for your rating." in httpx.get(page_url + "?notice=rated").text
    stored = rate(shop, id=f"page:{order_id}", order_id=order_id, rating=5, comment="lovely")
    assert stored.status_code == 200
    assert stored.json()["source"] == "page"
    refused = form_post(f"{page_url}/feedback", {"rating": "9"})
    assert refused.headers["location"].endswith("notice=rating_refused#rate")
    assert httpx.get(f"{shop.url}/v1/reports/overview", headers=AUTH).status_code == 200
