"""Exactly-once money under concurrency, over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, func, select

from tactful.adapters.db.tables_checkout import charges
from tactful.settings import Settings
from tests.e2e.seed import count_charges, order_line_rows
from tests.web.checkout_shop import JSON, Shop, open_shop

ATTEMPTS = 20


@pytest.fixture
def shop(settings: Settings, engine: Engine) -> Iterator[Shop]:
    yield from open_shop(settings, engine)


def _fire(url: str, keys: list[str]) -> list[httpx.Response]:
    """POST to `url` once per key, all released at the same moment."""
    barrier = threading.Barrier(len(keys))
    results: list[httpx.Response | None] = [None] * len(keys)

    def one(n: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            results[n] = client.post(url, headers={**JSON, "Idempotency-Key": keys[n]})

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _offer_charges(shop: Shop, order_id: str) -> int:
    query = (
        select(func.count())
        .select_from(charges)
        .where(charges.c.idempotency_key == f"offer:{order_id}-u1")
    )
    with shop.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _check_one_accept(shop: Shop, order_id: str, responses: list[httpx.Response]) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, statuses
    bodies = [r.json() for r in responses if r.status_code == 200]
    assert bodies
    assert {b["charge_id"] for b in bodies} == {bodies[0]["charge_id"]}
    assert sum(1 for b in bodies if b["status"] == "accepted") >= 1
    assert _offer_charges(shop, order_id) == 1
    assert count_charges(shop.engine) == 2  # the main payment and one upsell
    upsells = [r for r in order_line_rows(shop.engine, order_id) if r[1] == "upsell"]
    assert len(upsells) == 1


def test_twenty_concurrent_accepts_with_one_key(shop: Shop) -> None:
    order_id = shop.paid_order()
    responses = _fire(shop.offer_url(order_id, "u1", "accept"), ["same-key"] * ATTEMPTS)
    _check_one_accept(shop, order_id, responses)
    assert all(r.status_code == 200 for r in responses)


def test_twenty_concurrent_accepts_with_twenty_keys(shop: Shop) -> None:
    order_id = shop.paid_order()
    keys = [f"key-{n}" for n in range(ATTEMPTS)]
    responses = _fire(shop.offer_url(order_id, "u1", "accept"), keys)
    _check_one_accept(shop, order_id, responses)
    again = httpx.post(
        shop.offer_url(order_id, "u1", "accept"), headers={**JSON, "Idempotency-Key": "key-3"}
    )
    assert again.json()["charge_id"] == responses[3].json()["charge_id"]


def test_concurrent_pays_with_one_key_charge_once(shop: Shop) -> None:
    link = shop.link()
    barrier = threading.Barrier(8)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        response = shop.pay(link, "pay-once")
        with lock:
            results.append(response)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} <= {200, 409}
    orders = {r.json()["order_id"] for r in results if r.status_code == 200}
    assert len(orders) == 1
    assert count_charges(shop.engine) == 1
