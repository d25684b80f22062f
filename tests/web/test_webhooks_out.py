"""Webhooks out end to end: endpoints over HTTP, a real receiver, Standard Webhooks signatures,
retries with backoff, giving up and disabling, replay, and no loss when a worker dies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tactful.adapters.webhooks import new_secret
from tactful.container import Container, build_container
from tactful.domain.clock import FixedClock
from tactful.domain.experiments import assign
from tactful.domain.offers import OfferPolicy
from tactful.domain.webhooks_out import RETRY_DELAYS, EventType
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.support.webhook_receiver import Receiver

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def container(settings: Settings, engine: Engine) -> Iterator[Container]:
    built = build_container(settings, engine=engine, clock=FixedClock(NOW))
    yield built
    built.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as live:
        yield live


def register(container: Container, receiver: Receiver, *events: EventType) -> Any:
    return container.webhooks.register(receiver.url, events or (EventType.OFFER_ACCEPTED,))


def test_a_published_event_arrives_signed_and_verifiable(
    container: Container, receiver: Receiver
) -> None:
    endpoint = register(container, receiver)
    register(container, receiver, EventType.REFUND_CREATED)  # not subscribed: gets nothing
    [message_id] = container.webhooks.publish(EventType.OFFER_ACCEPTED, {"offer_id": "off_1"})
    sent_at = datetime.now(UTC)  # receivers refuse timestamps far from their clock
    assert container.webhook_delivery.run_due(sent_at) == 1
    [got] = receiver.received
    assert got.headers["webhook-id"] == message_id
    assert got.headers["webhook-timestamp"] == str(int(sent_at.timestamp()))
    assert Webhook(endpoint.secret).verify(got.body, got.headers) is not None
    with pytest.raises(WebhookVerificationError):  # another secret does not verify
        Webhook(new_secret()).verify(got.body, got.headers)
    body = json.loads(got.body)
    assert body["type"] == "offer.accepted"
    assert body["data"] == {"offer_id": "off_1"}
    assert container.webhook_delivery.run_due(sent_at + timedelta(days=1)) == 0  # sent once
    [delivery] = container.webhooks.deliveries(endpoint.endpoint_id)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_failing_endpoint_is_retried_then_given_up_and_disabled(
    container: Container, receiver: Receiver
) -> None:
    receiver.status = 500
    endpoint = register(container, receiver)
    [message_id] = container.webhooks.publish(EventType.OFFER_ACCEPTED, {"n": 1})
    at = NOW
    assert container.webhook_delivery.run_due(at) == 1
    assert container.webhook_delivery.run_due(at + timedelta(seconds=4)) == 0  # not yet due
    for delay in RETRY_DELAYS:
        at += delay
        assert container.webhook_delivery.run_due(at) == 1
    assert len(receiver.received) == len(RETRY_DELAYS) + 1
    assert {r.headers["webhook-id"] for r in receiver.received} == {message_id}
    [delivery] = container.webhooks.deliveries(endpoint.endpoint_id)
    assert delivery.status == "failed"
    [listed] = container.webhooks.endpoints()
    assert not listed.enabled
    assert "3 days" in (listed.disabled_reason or "")
    assert container.webhooks.publish(EventType.OFFER_ACCEPTED, {"n": 2}) == []  # disabled
    receiver.status = 204
    container.webhooks.enable(endpoint.endpoint_id)
    container.webhooks.replay(message_id)
    assert container.webhook_delivery.run_due(NOW) == 1
    assert container.webhooks.deliveries(endpoint.endpoint_id)[0].status == "delivered"


def test_a_worker_killed_mid_delivery_loses_nothing(
    container: Container, receiver: Receiver
) -> None:
    register(container, receiver)
    [message_id] = container.webhooks.publish(EventType.OFFER_ACCEPTED, {"n": 1})
    claimed = container.webhook_delivery.store.claim(NOW, 10, timedelta(minutes=2))
    assert [c.message_id for c in claimed] == [message_id]  # ...and the worker dies here
    assert container.webhook_delivery.run_due(NOW + timedelta(minutes=1)) == 0  # leased
    assert container.webhook_delivery.run_due(NOW + timedelta(minutes=3)) == 1
    assert [r.headers["webhook-id"] for r in receiver.received] == [message_id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_endpoints_over_http_and_offer_responses_publish(
    settings: Settings, engine: Engine, receiver: Receiver
) -> None:
    with LiveServer(create_app(settings, engine=engine)) as server:
        made = httpx.post(
            f"{server.url}/v1/webhook-endpoints",
            json={"url": receiver.url, "events": ["offer.accepted", "offer.declined"]},
            headers=SECRET,
        )
        assert made.status_code == 201, made.text
        assert made.json()["secret"].startswith("whsec_")
        bad = httpx.post(
            f"{server.url}/v1/webhook-endpoints",
            json={"url": receiver.url, "events": ["offer.shown"]},
            headers=SECRET,
        )
        assert bad.status_code == 422
        publishable = {"Authorization": "Bearer pk_test_publishable_0123456789"}
        listed = httpx.get(f"{server.url}/v1/webhook-endpoints", headers=publishable)
        assert listed.status_code == 403
        endpoint_id = made.json()["endpoint_id"]
        assert httpx.get(f"{server.url}/v1/webhook-endpoints", headers=SECRET).json()[0]["enabled"]
        missing = httpx.post(f"{server.url}/v1/webhook-deliveries/msg_nope/replay", headers=SECRET)
        assert missing.status_code == 404
        deliveries = httpx.get(
            f"{server.url}/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=SECRET
        )
        assert deliveries.json() == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_new_refund_publishes_refund_created_once(
    settings: Settings, engine: Engine, receiver: Receiver
) -> None:
    with LiveServer(create_app(settings, engine=engine)) as server:
        made = httpx.post(
            f"{server.url}/v1/webhook-endpoints",
            json={"url": receiver.url, "events": ["refund.created"]},
            headers=SECRET,
        ).json()
        order = {
            "id": "o-1",
            "customer_id": "c1",
            "created_at": "2026-03-01T12:00:00Z",
            "currency": "GBP",
            "lines": [{"sku": "A", "quantity": 1, "unit_price": 1500}],
        }
        stored = httpx.post(f"{server.url}/v1/orders", json={"orders": [order]}, headers=SECRET)
        assert stored.status_code == 200, stored.text
        for expected in (201, 200):  # the repeat (same key) publishes nothing
            answer = httpx.post(
                f"{server.url}/v1/orders/o-1/refunds",
                json={"amount": 500, "reason": "damaged"},
                headers=SECRET | {"Idempotency-Key": "k1"},
            )
            assert answer.status_code == expected, answer.text
        deliveries = httpx.get(
            f"{server.url}/v1/webhook-endpoints/{made['endpoint_id']}/deliveries", headers=SECRET
        ).json()
        assert [(d["event_type"], d["status"]) for d in deliveries] == [
            ("refund.created", "pending")
        ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_offer_response_publishes_offer_accepted(
    settings: Settings, engine: Engine, receiver: Receiver
) -> None:
    ladder = [("MAT", 1, 2000), ("MAT_PLUS", 2, 2600)]
    products = [
        {"sku": s, "name": s, "price": p, "currency": "GBP", "tier": {"ladder": "m", "rank": r}}
        for s, r, p in ladder
    ]
    policy = OfferPolicy()
    customer = next(
        c
        for c in (f"shopper-{n}" for n in range(100))
        if not assign(c, policy.holdout_salt, policy.holdout_share)
    )
    publishable = {"Authorization": "Bearer pk_test_publishable_0123456789"}
    with LiveServer(create_app(settings, engine=engine)) as server:
        made = httpx.post(
            f"{server.url}/v1/webhook-endpoints",
            json={"url": receiver.url, "events": ["offer.accepted"]},
            headers=SECRET,
        ).json()
        httpx.post(f"{server.url}/v1/products", json={"products": products}, headers=SECRET)
        decision = httpx.post(
            f"{server.url}/v1/decisions",
            json={"customer_id": customer, "moment": "cart", "cart": [{"sku": "MAT"}]},
            headers=publishable,
        ).json()
        offer = decision["offers"][0]
        path = f"{server.url}/v1/decisions/{decision['decision_id']}/responses"
        for _ in range(2):  # a repeated response is stored, and published, once
            answer = httpx.post(
                path,
                json={"offer_id": offer["offer_id"], "response": "accepted"},
                headers=publishable,
            )
            assert answer.status_code == 200, answer.text
        deliveries = httpx.get(
            f"{server.url}/v1/webhook-endpoints/{made['endpoint_id']}/deliveries", headers=SECRET
        ).json()
        assert [d["event_type"] for d in deliveries] == ["offer.accepted"]


def test_metrics_gauges_show_the_outbox_depth_and_the_oldest_wait(
    container: Container, receiver: Receiver
) -> None:
    assert container.gauges()["webhook_outbox_oldest_due_seconds"] == 0.0
    register(container, receiver)
    container.webhooks.publish(EventType.OFFER_ACCEPTED, {"offer_id": "off_1"})
    container.webhooks.publish(EventType.OFFER_ACCEPTED, {"offer_id": "off_2"})
    later = FixedClock(NOW + timedelta(minutes=5))
    waiting = build_container(container.settings, engine=container.engine, clock=later)
    try:
        figures = waiting.gauges()
        assert figures["webhook_outbox_pending"] == 2
        assert figures["webhook_outbox_oldest_due_seconds"] == pytest.approx(300.0)
        assert figures["email_outbox_oldest_due_seconds"] == 0.0
        assert waiting.webhook_delivery.run_due(datetime.now(UTC)) == 2
        assert waiting.gauges()["webhook_outbox_delivered"] == 2
    finally:
        waiting.close()
