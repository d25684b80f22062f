"""Order webhooks as a use case, on every database: one transaction per delivery, refunds
finding orders whatever brought them (webhook, Shopify CSV export, `POST /v1/orders`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tactful.adapters.importers import FileReaders
from tactful.domain.clock import FixedClock
from tactful.domain.customers import CustomerId
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.services.importing import import_file
from tactful.services.ingest import Ingest
from tactful.services.order_webhooks import OrderWebhooks, Received
from tactful.services.ports.storage import Database
from tests.services.test_refund_events import Watched

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRET = "shopify-webhook-secret-0123456789"
SHOPIFY_ID = "820982911946154508"  # the refund fixture's order_id
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def deliver(hooks: OrderWebhooks, body: dict[str, Any], topic: str) -> Received:
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest())
    return hooks.receive("shopify", topic, raw, signature.decode())


@pytest.fixture
def hooks(database: Database) -> OrderWebhooks:
    return OrderWebhooks(database, FixedClock(NOW), {"shopify": SECRET})


def stored_refunds(database: Database, order_id: str) -> list[tuple[str, int]]:
    with database.transaction() as tx:
        return [(r.order_id, r.amount) for r in tx.refunds.refunds_of(order_id)]


def test_a_repeat_delivery_stops_at_its_dedupe_record(
    hooks: OrderWebhooks, database: Database
) -> None:
    first = deliver(hooks, payload("shopify_order.json"), "orders/create")
    again = deliver(hooks, payload("shopify_order.json"), "orders/updated")
    assert (first.order_id, first.order_new) == ("#9999", True)
    assert (again.order_id, again.order_new) == ("#9999", False)
    with database.transaction() as tx:
        assert tx.platform_orders.order_id("shopify", SHOPIFY_ID) == "#9999"
        assert tx.orders.existing_order_ids(["#9999"]) == {"#9999"}


class _FailingOrders:
    """A transaction whose order insert fails after the dedupe record and customer went in."""

    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        if name == "orders":
            raise RuntimeError("the disk filled up")
        return getattr(self._tx, name)


class _FailingDatabase:
    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.database.transaction() as tx:
            yield _FailingOrders(tx)


def test_a_delivery_that_fails_midway_stores_nothing_not_even_its_dedupe_record(
    database: Database,
) -> None:
    failing = OrderWebhooks(_FailingDatabase(database), FixedClock(NOW), {"shopify": SECRET})
    with pytest.raises(RuntimeError, match="disk"):
        deliver(failing, payload("shopify_order.json"), "orders/create")
    with database.transaction() as tx:
        assert tx.platform_orders.order_id("shopify", SHOPIFY_ID) is None
        assert tx.customers.get_customer("jon@example.com") is None
    hooks = OrderWebhooks(database, FixedClock(NOW), {"shopify": SECRET})
    assert deliver(hooks, payload("shopify_order.json"), "orders/create").order_new


def test_a_refund_finds_an_order_imported_from_shopifys_csv_export_by_its_id(
    hooks: OrderWebhooks, database: Database, tmp_path: Path
) -> None:
    export = tmp_path / "orders_export.csv"
    export.write_text(
        "Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem name,"
        "Lineitem price,Lineitem sku,Id\n"
        f"#9999,jon@example.com,paid,USD,2022-01-01 10:00:00 -0500,1,Pink iPod,199.00,"
        f"IPOD2008PINK,{SHOPIFY_ID}\n"
        "#9999,,,,,1,iPod Nano,199.00,IPODNANO,\n"
    )
    import_file(database, FileReaders(), export, "shopify", clock=FixedClock(NOW))
    for expected_new in (1, 0):
        received = deliver(hooks, payload("shopify_refund.json"), "refunds/create")
        assert (received.order_id, received.refunds_new) == ("#9999", expected_new)
    assert stored_refunds(database, "#9999") == [("#9999", 4194)]


def api_order(order_id: str) -> Order:
    line = OrderLine("IPOD2008PINK", 1, Money(19900, "USD"))  # type: ignore[arg-type]
    return Order(OrderId(order_id), NOW, (line,), CustomerId("jon@example.com"))


def test_a_refund_finds_an_api_order_by_its_external_id(
    hooks: OrderWebhooks, database: Database
) -> None:
    Ingest(database, FixedClock(NOW)).orders([api_order("A-1")], external_ids={"A-1": SHOPIFY_ID})
    received = deliver(hooks, payload("shopify_refund.json"), "refunds/create")
    assert (received.order_id, received.refunds_new, received.skipped) == ("A-1", 1, None)
    assert stored_refunds(database, "A-1") == [("A-1", 4194)]


def test_a_refund_finds_an_api_order_stored_under_the_platforms_id(
    hooks: OrderWebhooks, database: Database
) -> None:
    Ingest(database, FixedClock(NOW)).orders([api_order(SHOPIFY_ID)])
    received = deliver(hooks, payload("shopify_refund.json"), "refunds/create")
    assert (received.order_id, received.refunds_new) == (SHOPIFY_ID, 1)


def test_a_refund_of_an_order_never_seen_is_skipped(hooks: OrderWebhooks) -> None:
    received = deliver(hooks, payload("shopify_refund.json"), "refunds/create")
    assert received.refunds_new == 0
    assert received.skipped == f"refund for unknown order {SHOPIFY_ID}"


def test_a_platform_refund_queues_refund_created_once(database: Database) -> None:
    watched = Watched(database)
    hooks = OrderWebhooks(watched, FixedClock(NOW), {"shopify": SECRET})  # type: ignore[arg-type]
    Ingest(database, FixedClock(NOW)).orders([api_order(SHOPIFY_ID)])
    for _ in range(2):  # Shopify retries: the second delivery stores and queues nothing
        deliver(hooks, payload("shopify_refund.json"), "refunds/create")
    assert [event for event, _ in watched.queued] == ["refund.created"]
    data = watched.queued[0][1]["data"]
    assert (data["order_id"], data["amount"], data["status"]) == (SHOPIFY_ID, 4194, "succeeded")
    assert data["refund_id"].startswith("shopify-refund-")
