"""POST /v1/orders/{id}/refunds over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from tactful.adapters.db.tables_checkout import refunds as gateway_refunds
from tactful.settings import Settings
from tests.web.checkout_shop import AUTH, Shop, open_shop


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def refund(shop: Shop, order_id: str, key: str | None, **body: Any) -> httpx.Response:
    headers = dict(AUTH) | ({"Idempotency-Key": key} if key else {})
    return httpx.post(f"{shop.url}/v1/orders/{order_id}/refunds", json=body, headers=headers)


def listed(shop: Shop, order_id: str) -> dict[str, Any]:
    response = httpx.get(f"{shop.url}/v1/orders/{order_id}/refunds", headers=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def gateway_refund_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(gateway_refunds)).scalar_one())


def api_order(shop: Shop, order_id: str = "api-1") -> str:
    order = {
        "id": order_id,
        "customer_id": "c1",
        "created_at": "2026-03-01T12:00:00Z",
        "currency": "GBP",
        "lines": [
            {"sku": "COURSE", "quantity": 2, "unit_price": 1500},
            {"sku": "EBOOK", "quantity": 1, "unit_price": 900},
        ],
    }
    response = httpx.post(f"{shop.url}/v1/orders", json={"orders": [order]}, headers=AUTH)
    assert response.status_code == 200, response.text
    return order_id


def test_a_checkout_order_is_refunded_through_its_gateway_once(shop: Shop) -> None:
    order_id = shop.paid_order()
    paid = listed(shop, order_id)["refundable_remaining"]
    assert paid > 0
    first = refund(shop, order_id, "rf-1", reason="changed mind")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["amount"], body["status"], body["refundable_remaining"]) == (paid, "succeeded", 0)
    assert body["gateway_ref"].startswith("re_")
    assert body["reason"] == "changed mind"
    again = refund(shop, order_id, "rf-1", reason="changed mind")
    assert again.status_code == 200
    assert again.json()["refund_id"] == body["refund_id"]
    assert gateway_refund_count(shop.engine) == 1
    more = refund(shop, order_id, "rf-2")
    assert more.status_code == 422
    assert more.json()["errors"][0]["field"] == "amount"
    assert len(listed(shop, order_id)["refunds"]) == 1
    assert gateway_refund_count(shop.engine) == 1


def test_partial_refunds_stop_at_what_was_paid(shop: Shop) -> None:
    order_id = shop.paid_order()
    paid = listed(shop, order_id)["refundable_remaining"]
    part = refund(shop, order_id, None, refund_id="part-1", amount=paid - 100)
    assert part.status_code == 201, part.text
    assert part.json()["refundable_remaining"] == 100
    too_much = refund(shop, order_id, "k-2", amount=101)
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "amount"
    assert "100 left" in too_much.json()["detail"]
    rest = refund(shop, order_id, "k-3", amount=100)
    assert rest.status_code == 201
    assert [r["amount"] for r in listed(shop, order_id)["refunds"]] == [paid - 100, 100]
    assert gateway_refund_count(shop.engine) == 2


def test_lines_of_an_order_sent_by_api_are_refunded_and_recorded(shop: Shop) -> None:
    order_id = api_order(shop)
    one = refund(shop, order_id, "l-1", lines=[{"line_no": 1, "quantity": 1}])
    assert one.status_code == 201, one.text
    body = one.json()
    assert (body["amount"], body["gateway_ref"], body["status"]) == (1500, None, "succeeded")
    assert body["lines"] == [{"line_no": 1, "quantity": 1, "amount": 1500}]
    two = refund(shop, order_id, "l-2", lines=[{"line_no": 1, "quantity": 2}])
    assert two.status_code == 422
    assert two.json()["errors"][0]["field"] == "lines.0.quantity"
    by_sku = refund(shop, order_id, "l-3", lines=[{"sku": "EBOOK"}, {"line_no": 1}])
    assert by_sku.status_code == 201, by_sku.text
    assert by_sku.json()["amount"] == 2400
    assert by_sku.json()["refundable_remaining"] == 0
    assert gateway_refund_count(shop.engine) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"line_no": 3}]}, "lines.0.line_no"),
        ({"lines": [{"sku": "NOPE"}]}, "lines.0.sku"),
        ({"lines": [{"line_no": 1, "sku": "EBOOK"}]}, "lines.0"),
        ({"lines": [{"line_no": 1}], "amount": 100}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 3901}, "amount"),
        ({"lines": []}, "lines"),
        ({"reason": "a\u0000b"}, "reason"),  # PostgreSQL text cannot hold NUL
        ({"lines": [{"sku": "EB\u0000"}]}, "lines.0.sku"),
    ],
)
def test_bad_refunds_name_the_field_and_store_nothing(
    shop: Shop, body: dict[str, Any], field: str
) -> None:
    order_id = api_order(shop)
    response = refund(shop, order_id, "bad", **body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert listed(shop, order_id)["refunds"] == []


def test_unknown_orders_missing_keys_and_publishable_keys_are_refused(shop: Shop) -> None:
    assert refund(shop, "nope", "k").status_code == 404
    order_id = api_order(shop)
    no_key = refund(shop, order_id, None)
    assert no_key.status_code == 400
    assert no_key.json()["errors"][0]["field"] == "Idempotency-Key"
    publishable = {"Authorization": "Bearer pk_test_publishable_0123456789"}
    url = f"{shop.url}/v1/orders/{order_id}/refunds"
    assert httpx.post(url, json={}, headers=publishable).status_code == 403
    reused = refund(shop, api_order(shop, "api-2"), None, refund_id="same")
    assert reused.status_code == 201
    assert refund(shop, order_id, None, refund_id="same").status_code == 422
    assert listed(shop, order_id)["refunds"] == []


def test_concurrent_refunds_never_exceed_what_was_paid(shop: Shop) -> None:
    order_id = shop.paid_order()
    paid = listed(shop, order_id)["refundable_remaining"]
    share = paid * 6 // 10
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda n: refund(shop, order_id, f"c-{n}", amount=share), range(4)))
    assert sorted(a.status_code for a in answers) == [201, 422, 422, 422]
    assert sum(r["amount"] for r in listed(shop, order_id)["refunds"]) == share
    assert gateway_refund_count(shop.engine) == 1
