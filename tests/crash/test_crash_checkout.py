"""kill -9 the server during one-click accepts, then retry with the same Idempotency-Key.

There are 0 duplicate charges and the gateway's charges match the orders' charges 1:1. A claim
left by the killed process is resumed by the retry once it is stale (a minute; the test ages
it in the database rather than waiting).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tactful.domain.clock import FixedClock
from tests.e2e.seed import PAGE, seed_catalogue
from tests.support.killable import SECRET_AUTH, KillableServer
from tests.web.checkout_shop import JSON, Shop

MAX_ROUNDS = 8
WANTED_MID_WORK = 2  # kills that left an accept unfinished (its key still in flight)
AGE_CLAIMS = [
    "UPDATE idempotency_keys SET created_at = :past WHERE status = 'in_flight'",
    "UPDATE checkout_offer_responses SET claimed_at = :past WHERE status = 'pending'",
]
GATEWAY_OFFER_CHARGES = sa.text(
    "SELECT idempotency_key, charge_id FROM charges"
    " WHERE status = 'succeeded' AND idempotency_key LIKE 'offer:%'"
)
ORDER_OFFER_CHARGES = sa.text(
    "SELECT order_id, offer_id, charge_id FROM checkout_charges WHERE offer_id IS NOT NULL"
)
UPSELL_LINES = sa.text(
    "SELECT order_id, count(*) FROM order_lines WHERE source = 'upsell' GROUP BY order_id"
)


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Iterator[tuple[Shop, KillableServer]]:
    engine = sa.create_engine(database_url)
    with KillableServer(database_url, tmp_path / "var") as server:
        seed_catalogue(engine)
        page = httpx.post(f"{server.url}/v1/checkout-pages", json=PAGE, headers=SECRET_AUTH)
        assert page.status_code == 201, page.text
        clock = FixedClock(datetime.now(UTC))
        yield Shop(server, engine, clock), server  # type: ignore[arg-type]
    engine.dispose()


def in_flight(engine: sa.Engine) -> int:
    query = sa.text("SELECT count(*) FROM idempotency_keys WHERE status = 'in_flight'")
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def key_claimed(engine: sa.Engine, key: str, timeout: float = 10.0) -> None:
    """Return as soon as the accept under `key` has started (or after `timeout`)."""
    query = sa.text("SELECT status FROM idempotency_keys WHERE key = :key")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query, {"key": key}).first() is not None:
                return
        time.sleep(0.001)


def a_minute_passes(engine: sa.Engine) -> None:
    """What the dead process claimed is now older than the one-minute staleness limit."""
    past = datetime(2000, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for statement in AGE_CLAIMS:
            connection.execute(sa.text(statement), {"past": past})


def accept_in_background(url: str, key: str) -> threading.Thread:
    def send() -> None:
        with contextlib.suppress(httpx.TransportError):  # the server died under it
            httpx.post(url, headers={**JSON, "Idempotency-Key": key}, timeout=60)

    sender = threading.Thread(target=send)
    sender.start()
    return sender


@pytest.mark.slow
def test_accepts_killed_and_retried_charge_once(shop: tuple[Shop, KillableServer]) -> None:
    checkout, server = shop
    rng = random.Random(25)
    charged: dict[str, str] = {}
    mid_work = 0
    for n in range(MAX_ROUNDS):
        paid = checkout.pay(checkout.link(), f"pay-{n}", email=f"shopper{n}@example.com")
        assert paid.status_code == 200, paid.text
        order_id = paid.json()["order_id"]
        url, key = checkout.offer_url(order_id, "u1", "accept"), f"accept-{n}"
        sender = accept_in_background(url, key)
        key_claimed(checkout.engine, key)
        threading.Event().wait(rng.uniform(0.0, 0.02))
        server.restart()
        sender.join()
        mid_work += in_flight(checkout.engine) > 0
        a_minute_passes(checkout.engine)
        for _ in range(2):  # the retry, and a retry of the retry
            answer = httpx.post(url, headers={**JSON, "Idempotency-Key": key}, timeout=60)
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"] in {"accepted", "already_accepted"}
            assert (
                charged.setdefault(order_id, answer.json()["charge_id"])
                == answer.json()["charge_id"]
            )
        if mid_work >= WANTED_MID_WORK:
            break
    assert mid_work >= 1, "no kill caught an accept in flight"
    assert_charges_match_orders(checkout.engine, charged)


def assert_charges_match_orders(engine: sa.Engine, charged: dict[str, str]) -> None:
    with engine.connect() as connection:
        gateway = connection.execute(GATEWAY_OFFER_CHARGES).all()
        linked = connection.execute(ORDER_OFFER_CHARGES).all()
        lines = dict(connection.execute(UPSELL_LINES).all())
    assert sorted(key for key, _ in gateway) == sorted(f"offer:{o}-u1" for o in charged)
    assert {charge for _, charge in gateway} == set(charged.values())  # no duplicate charge
    assert sorted((o, c) for o, _, c in linked) == sorted(charged.items())  # 1:1 with orders
    assert lines == dict.fromkeys(charged, 1)
