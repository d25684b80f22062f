"""The facts webhooks out report, over real HTTP to a real receiver: `order.paid` from the hosted
checkout, `upsell.charged` from a one-click accept, offer responses; each message queued in the
transaction that stores its fact, so a repeat publishes nothing and a failed one neither."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from standardwebhooks import Webhook

from tactful.adapters.db.tables import orders
from tactful.adapters.db.tables_storefront import webhook_outbox
from tactful.adapters.db.transaction import SqlDatabase
from tactful.container import build_container
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.domain.webhooks_out import EventType
from tactful.services import webhook_events
from tactful.settings import Settings
from tests.support.webhook_receiver import Receiver
from tests.web.checkout_shop import AUTH, JSON, Shop, open_shop

EVENTS = ["order.paid", "upsell.charged"]


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as live:
        yield live


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_outbox)).scalar_one())


def deliver(settings: Settings, engine: Engine) -> None:
    worker = build_container(settings, engine=engine)
    try:
        worker.webhook_delivery.run_due(datetime.now(UTC))
    finally:
        worker.close()


def test_paying_and_a_one_click_accept_each_publish_once(
    shop: Shop, settings: Settings, engine: Engine, receiver: Receiver
) -> None:
    made = httpx.post(
        f"{shop.url}/v1/webhook-endpoints",
        json={"url": receiver.url, "events": EVENTS},
        headers=AUTH,
    )
    assert made.status_code == 201, made.text
    link = shop.link()
    paid = shop.pay(link, "pay-once")
    assert paid.status_code == 200, paid.text
    assert shop.pay(link, "pay-once").json()["order_id"] == paid.json()["order_id"]  # a repeat
    order_id = paid.json()["order_id"]
    for _ in range(2):  # the second accept is a replay: same answer, no second charge, no message
        accepted = httpx.post(
            shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "acc"}
        )
        assert accepted.json()["status"] == "accepted", accepted.text
    assert outbox_rows(engine) == 2
    deliver(settings, engine)
    bodies: dict[str, Any] = {}
    for got in receiver.received:
        Webhook(made.json()["secret"]).verify(got.body, got.headers)
        body = json.loads(got.body)
        bodies[body["type"]] = body["data"]
    assert len(receiver.received) == 2
    assert bodies["order.paid"]["order_id"] == order_id
    assert bodies["order.paid"]["email"] == "ann@example.com"
    assert bodies["order.paid"]["amount"] > 0
    assert bodies["order.paid"]["lines"][0]["source"] == "main"
    charged = bodies["upsell.charged"]
    assert (charged["order_id"], charged["offer_id"]) == (order_id, f"{order_id}-u1")
    assert charged["charge_id"] == accepted.json()["charge_id"]


def _order(order_id: str, at: datetime) -> Order:
    line = OrderLine(Sku("SKU-1"), 1, Money(1000, "GBP"))
    return Order(OrderId(order_id), at, (line,), CustomerId("c1"))


def _pay_and_publish(database: SqlDatabase, order: Order, crash: bool) -> None:
    with database.transaction() as tx:
        tx.orders.insert_orders([order], source="checkout")
        webhook_events.order_paid(
            tx.outbox, order, slug="p", email="a@b.c", total=Money(1000, "GBP"), charge_id="ch"
        )
        if crash:
            raise RuntimeError("killed before commit")


def test_a_failed_fact_transaction_publishes_nothing(settings: Settings, engine: Engine) -> None:
    container = build_container(settings, engine=engine)
    container.webhooks.register("http://127.0.0.1:9/", [EventType.ORDER_PAID])
    container.close()
    database = SqlDatabase(engine)
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError, match="killed"):
        _pay_and_publish(database, _order("o-crash", now), crash=True)
    assert outbox_rows(engine) == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(orders)).scalar_one() == 0
    _pay_and_publish(database, _order("o-1", now), crash=False)
    assert outbox_rows(engine) == 1
