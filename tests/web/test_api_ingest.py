"""Products, customers, orders and events over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tactful.adapters.db.repositories import catalog, customers, orders
from tactful.adapters.db.tables import consents, events, products
from tactful.domain.customers import ConsentPurpose
from tests.conftest import LiveServer

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}


def post(server: LiveServer, path: str, body: Any, headers: dict[str, str] = SECRET) -> Any:
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def product(sku: str, price: int = 1000, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Product {sku}", "price": price, "currency": "GBP", **extra}


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_products_upsert_returns_counts(live_server: LiveServer, engine: Engine) -> None:
    first = post(live_server, "/v1/products", {"products": [product("A"), product("B")]})
    assert first.status_code == 200
    assert first.json() == {"received": 2, "created": 2, "updated": 0, "unchanged": 0}
    body = {"products": [product("A", 1200, compare_at_price=1500), product("B")]}
    second = post(live_server, "/v1/products", body)
    assert second.json() == {"received": 2, "created": 0, "updated": 1, "unchanged": 1}
    with engine.connect() as connection:
        stored = catalog.get_products(connection, ["A"])["A"]
        history = catalog.price_history(connection, ["A"])["A"]
    assert stored.price.amount == 1200
    assert stored.compare_at is not None
    assert stored.compare_at.amount == 1500
    assert [p.price.amount for p in history] == [1000, 1200]


def test_product_with_tier_kind_and_lowercase_currency(
    live_server: LiveServer, engine: Engine
) -> None:
    item = product("PRO", 4900, kind="subscription", tier={"ladder": "plans", "rank": 2})
    item["currency"] = "eur"
    assert post(live_server, "/v1/products", {"products": [item]}).status_code == 200
    with engine.connect() as connection:
        stored = catalog.get_products(connection, ["PRO"])["PRO"]
    assert stored.price.currency == "EUR"
    assert stored.kind == "subscription"
    assert stored.tier is not None
    assert stored.tier.rank == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"price": 10.5}, "products.2.price"),
        ({"price": "1000"}, "products.2.price"),
        ({"price": -1}, "products.2.price"),
        ({"currency": "POUNDS"}, "products.2.currency"),
        ({"kind": "spaceship"}, "products.2.kind"),
        ({"sku": ""}, "products.2.sku"),
        ({"active": "yes"}, "products.2.active"),
    ],
)
def test_bad_product_rejects_whole_batch_naming_field(
    live_server: LiveServer, engine: Engine, bad: dict[str, Any], field: str
) -> None:
    batch = [product("A"), product("B"), {**product("C"), **bad}]
    response = post(live_server, "/v1/products", {"products": batch})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert field in [e["field"] for e in body["errors"]]
    assert body["detail"].startswith(field)
    assert count(engine, products) == 0


def test_customers_with_consents_record_when_and_source(
    live_server: LiveServer, engine: Engine
) -> None:
    body = {
        "customers": [
            {
                "id": "c1",
                "email": "ann@example.com",
                "timezone": "Europe/London",
                "consents": {"onsite_offers": False, "marketing_email": True},
            },
            {"id": "c2"},
        ]
    }
    response = post(live_server, "/v1/customers", body)
    assert response.status_code == 200
    assert response.json()["created"] == 2
    with engine.connect() as connection:
        ann = customers.get_customer(connection, "c1")
    assert ann is not None
    assert ann.timezone == "Europe/London"
    assert not ann.allows(ConsentPurpose.ONSITE_OFFERS)
    assert ann.allows(ConsentPurpose.MARKETING_EMAIL)
    assert {c.source for c in ann.consents} == {"api"}
    assert all(c.at.tzinfo is not None for c in ann.consents)
    assert count(engine, consents) == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "customers.1.timezone"),
        ({"email": "not an email"}, "customers.1.email"),
        ({"consents": {"onsite_offers": "maybe"}}, "customers.1.consents.onsite_offers"),
        ({"consents": {"telepathy": True}}, "customers.1.consents.telepathy"),
        ({"id": 7}, "customers.1.id"),
    ],
)
def test_bad_customer_names_field(
    live_server: LiveServer, engine: Engine, bad: dict[str, Any], field: str
) -> None:
    body = {"customers": [{"id": "ok"}, {"id": "c2", **bad}]}
    response = post(live_server, "/v1/customers", body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    with engine.connect() as connection:
        assert customers.get_customer(connection, "ok") is None


def order(order_id: str, customer: str = "c1", quantity: int = 2) -> dict[str, Any]:
    return {
        "id": order_id,
        "customer_id": customer,
        "created_at": "2024-03-01T10:00:00+01:00",
        "lines": [
            {"sku": "A", "quantity": quantity, "unit_price": 1000},
            {"sku": "B", "quantity": 1, "unit_price": 250},
        ],
    }


def test_orders_are_idempotent_by_id(live_server: LiveServer, engine: Engine) -> None:
    post(live_server, "/v1/products", {"products": [product("A"), product("B")]})
    first = post(live_server, "/v1/orders", {"orders": [order("o1"), order("o2")]})
    assert first.status_code == 200
    assert first.json() == {"received": 2, "inserted": 2, "duplicate": 0}
    again = post(live_server, "/v1/orders", {"orders": [order("o1"), order("o3")]})
    assert again.json() == {"received": 2, "inserted": 1, "duplicate": 1}
    with engine.connect() as connection:
        history = orders.orders_of(connection, "c1")
    assert [o.order_id for o in history] == ["o1", "o2", "o3"]
    assert history[0].currency == "GBP"
    assert history[0].total.amount == 2250
    assert history[0].created_at.hour == 9


def test_bad_order_line_rejects_batch(live_server: LiveServer, engine: Engine) -> None:
    response = post(live_server, "/v1/orders", {"orders": [order("o1"), order("o2", quantity=-3)]})
    assert response.status_code == 422
    assert "orders.1.lines.0.quantity" in [e["field"] for e in response.json()["errors"]]
    with engine.connect() as connection:
        assert orders.orders_of(connection, "c1") == []


def event(event_id: str | None, kind: str = "product_viewed") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind,
        "customer_id": "c1",
        "sku": "A",
        "properties": {"page": 3},
    }
    if event_id is not None:
        body["id"] = event_id
    return body


def test_events_are_stored_once_and_acknowledged_with_202(
    live_server: LiveServer, engine: Engine
) -> None:
    first = post(live_server, "/v1/events", {"events": [event("e1"), event("e2"), event("e1")]})
    assert first.status_code == 202
    assert first.json()["accepted"] == 2
    assert first.json()["duplicate"] == 1
    again = post(live_server, "/v1/events", {"events": [event("e2"), event("e3")]}, PUBLISHABLE)
    assert again.status_code == 202
    assert (again.json()["accepted"], again.json()["duplicate"]) == (1, 1)
    assert count(engine, events) == 3


def test_event_without_id_gets_a_server_id(live_server: LiveServer, engine: Engine) -> None:
    response = post(live_server, "/v1/events", {"events": [event(None), event(None)]})
    assert response.status_code == 202
    ids = response.json()["ids"]
    assert len(set(ids)) == 2
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert response.json()["accepted"] == 2
    with engine.connect() as connection:
        stored = set(connection.execute(sa.select(events.c.event_id)).scalars())
    assert stored == set(ids)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"type": "teleported"}, "events.1.type"),
        ({"customer_id": None}, "events.1.customer_id"),
        ({"at": "yesterday"}, "events.1.at"),
        ({"properties": [1, 2]}, "events.1.properties"),
    ],
)
def test_bad_event_rejects_batch(
    live_server: LiveServer, engine: Engine, bad: dict[str, Any], field: str
) -> None:
    response = post(live_server, "/v1/events", {"events": [event("ok"), {**event("e2"), **bad}]})
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count(engine, events) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"products": "many"}', b"{}"])
def test_malformed_bodies_get_422_json(live_server: LiveServer, body: bytes) -> None:
    response = httpx.post(
        f"{live_server.url}/v1/products",
        content=body,
        headers={**SECRET, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
