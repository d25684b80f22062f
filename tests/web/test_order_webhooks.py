"""Order webhooks from Shopify and WooCommerce over HTTP: verified, idempotent, on both DBs.

The payloads are hand-written in the platforms' documented shapes (tests/fixtures/webhooks).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.tables import customers, order_lines, orders, products
from tactful.adapters.db.tables_payments import order_refunds
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SHOPIFY_SECRET = "shopify-webhook-secret-0123456789"
WOO_SECRET = "woo-webhook-secret-0123456789"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def server(settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    keyed = settings.model_copy(
        update={"shopify_webhook_secret": SHOPIFY_SECRET, "woocommerce_webhook_secret": WOO_SECRET}
    )
    with LiveServer(create_app(keyed, engine=engine)) as live:
        yield live


def shopify(server: LiveServer, payload: Any, topic: str, *, secret: str = SHOPIFY_SECRET) -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "X-Shopify-Hmac-Sha256": sign(secret, body),
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "Content-Type": "application/json",
    }
    return httpx.post(f"{server.url}/webhooks/shopify/orders", content=body, headers=headers)


def woo(server: LiveServer, payload: Any, *, secret: str = WOO_SECRET) -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "X-WC-Webhook-Signature": sign(secret, body),
        "X-WC-Webhook-Topic": "order.updated",
        "X-WC-Webhook-Delivery-ID": "42",
        "Content-Type": "application/json",
    }
    return httpx.post(f"{server.url}/webhooks/woocommerce/orders", content=body, headers=headers)


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_a_shopify_order_is_stored_once_like_the_importer_would(
    server: LiveServer, engine: Engine
) -> None:
    first = shopify(server, fixture("shopify_order.json"), "orders/create")
    assert first.status_code == 200, first.text
    assert first.json() == {
        "received": True,
        "order_id": "#9999",
        "order_new": True,
        "refunds_new": 0,
    }
    again = shopify(server, fixture("shopify_order.json"), "orders/updated")
    assert again.json()["order_new"] is False
    with engine.connect() as connection:
        order = connection.execute(sa.select(orders)).one()
        lines = connection.execute(sa.select(order_lines).order_by(order_lines.c.line_no)).all()
        customer = connection.execute(sa.select(customers)).one()
    assert (order.order_id, order.customer_id, order.currency) == (
        "#9999",
        "jon@example.com",
        "USD",
    )
    assert order.source == "shopify"
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("IPOD2008PINK", 1, 19900),
        ("IPod Nano - 8GB", 1, 19900),  # no SKU: its name, as the CSV importer does
    ]
    assert customer.email == "jon@example.com"
    assert count(engine, products) == 2


def test_a_shopify_refund_finds_its_order_and_is_stored_once(
    server: LiveServer, engine: Engine
) -> None:
    assert shopify(server, fixture("shopify_order.json"), "orders/create").status_code == 200
    for expected_new in (1, 0):
        answer = shopify(server, fixture("shopify_refund.json"), "refunds/create")
        assert answer.status_code == 200
        assert answer.json()["refunds_new"] == expected_new
        assert answer.json()["order_id"] == "#9999"
    with engine.connect() as connection:
        refund = connection.execute(sa.select(order_refunds)).one()
    assert (refund.order_id, refund.amount_minor, refund.currency) == ("#9999", 4194, "USD")
    assert refund.reason == "Things were damaged"


def test_a_bad_signature_is_401_and_stores_nothing(server: LiveServer, engine: Engine) -> None:
    answer = shopify(server, fixture("shopify_order.json"), "orders/create", secret="wrong")
    assert answer.status_code == 401
    assert woo(server, fixture("woocommerce_order.json"), secret="wrong").status_code == 401
    unsigned = httpx.post(f"{server.url}/webhooks/shopify/orders", json={"id": 1})
    assert unsigned.status_code == 401
    assert count(engine, orders) == 0


def test_a_malformed_body_is_400_and_logged_with_its_id(
    server: LiveServer, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    broken = copy.deepcopy(fixture("shopify_order.json"))
    del broken["line_items"]
    with caplog.at_level(logging.WARNING, logger="tactful.webhooks"):
        answer = shopify(server, broken, "orders/create")
    assert answer.status_code == 400
    assert "line_items" in answer.json()["detail"]
    assert "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" in caplog.text
    assert count(engine, orders) == 0


def test_cancelled_and_unpaid_orders_are_skipped(server: LiveServer, engine: Engine) -> None:
    cancelled = {**fixture("shopify_order.json"), "cancelled_at": "2022-01-01T10:00:00-05:00"}
    assert shopify(server, cancelled, "orders/create").json()["skipped"] == "cancelled"
    pending = {**fixture("woocommerce_order.json"), "status": "pending"}
    assert woo(server, pending).json()["skipped"] == "pending"
    assert count(engine, orders) == 0


def test_a_woocommerce_order_and_its_refunds(server: LiveServer, engine: Engine) -> None:
    order = fixture("woocommerce_order.json")
    assert woo(server, order).json()["order_new"] is True
    refunded = {
        **order,
        "status": "refunded",
        "refunds": [{"id": 728, "reason": "Too small", "total": "-6.00"}],
    }
    answer = woo(server, refunded)
    assert answer.json() == {
        "received": True,
        "order_id": "727",
        "order_new": False,
        "refunds_new": 1,
    }
    assert woo(server, refunded).json()["refunds_new"] == 0
    with engine.connect() as connection:
        lines = connection.execute(sa.select(order_lines).order_by(order_lines.c.line_no)).all()
        refund = connection.execute(sa.select(order_refunds)).one()
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("Woo Single #1", 2, 300),
        ("Bar3", 1, 1200),
    ]
    assert (refund.order_id, refund.amount_minor, refund.reason) == ("727", 600, "Too small")


def test_the_woocommerce_ping_and_unconfigured_platforms(
    server: LiveServer, settings: Settings, engine: Engine
) -> None:
    ping = httpx.post(
        f"{server.url}/webhooks/woocommerce/orders",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ping.status_code == 200
    with LiveServer(create_app(settings, engine=engine)) as bare:
        assert shopify(bare, fixture("shopify_order.json"), "orders/create").status_code == 404
