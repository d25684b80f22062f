"""Shopify order webhooks per second on SQLite: signature checked, stored, answered 200.

Serves `tactful serve` (one process, SQLite in a temporary folder) and posts N distinct
`orders/create` deliveries in Shopify's documented shape (3 lines each, 200 customers), each
signed with X-Shopify-Hmac-Sha256, CONCURRENCY at a time. Prints deliveries per second (wall),
the server's CPU milliseconds per delivery, and checks every order was stored once.
Target (issue 24): >= 300 deliveries/s.

    python bench/webhooks_in.py [--orders 3000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import Connection
from http_servers import start_tactful, stop

SECRET = "bench-shopify-webhook-secret-0123456789"
TARGET = 300.0


def order(n: int) -> bytes:
    """One Shopify orders/create payload (fields as Shopify documents them)."""
    lines = [
        {
            "id": n * 10 + k,
            "name": f"Product {sku}",
            "title": f"Product {sku}",
            "price": f"{5 + sku % 40}.95",
            "product_id": 1000 + sku,
            "quantity": 1 + k,
            "sku": f"SKU-{sku}",
            "variant_id": 5000 + sku,
        }
        for k, sku in enumerate(((n * 7) % 300, (n * 13 + 1) % 300, (n * 31 + 2) % 300))
    ]
    payload = {
        "id": 820982911946154508 + n,
        "name": f"#{100000 + n}",
        "created_at": "2026-11-30T19:00:00-05:00",
        "currency": "USD",
        "email": f"customer{n % 200}@example.com",
        "financial_status": "paid",
        "cancelled_at": None,
        "line_items": lines,
        "refunds": [],
    }
    return json.dumps(payload).encode()


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


async def post_all(port: int, bodies: list[bytes], concurrency: int) -> dict[int, int]:
    """Post every body once over `concurrency` keep-alive connections; count the statuses."""
    statuses: dict[int, int] = {}
    queue = iter(bodies)
    path = "/webhooks/shopify/orders"

    async def drive() -> None:
        connection = Connection(port, path)
        try:
            for body in queue:
                headers = (
                    f"X-Shopify-Hmac-Sha256: {sign(body)}\r\nX-Shopify-Topic: orders/create\r\n"
                ).encode()
                status, _ = await connection.post(body, headers)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    await asyncio.gather(*(drive() for _ in range(concurrency)))
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    bodies = [order(n) for n in range(args.orders)]
    os.environ["TACTFUL_SHOPIFY_WEBHOOK_SECRET"] = SECRET
    os.environ["TACTFUL_ACCESS_LOG"] = "false"
    with tempfile.TemporaryDirectory(prefix="tactful-webhooks-in-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{(folder / 'tactful.db').as_posix()}"
        server = start_tactful("tactful", url, folder)
        try:
            asyncio.run(post_all(server.port, bodies[:50], 4))  # warm up (also stores 50)
            cpu, started = server.cpu(), time.perf_counter()
            statuses = asyncio.run(post_all(server.port, bodies[50:], args.concurrency))
            wall, cpu = time.perf_counter() - started, server.cpu() - cpu
        finally:
            stop([server])
        with sqlite3.connect(folder / "tactful.db") as db:
            stored = db.execute("SELECT count(*) FROM orders").fetchone()[0]
    measured = args.orders - 50
    rate = measured / wall
    print(f"webhooks in: {measured} Shopify orders/create, concurrency {args.concurrency}")
    print(f"  answers: {statuses}; orders stored: {stored} of {args.orders}")
    print(
        f"  {rate:.0f} deliveries/s wall ({wall:.2f} s); "
        f"server CPU {cpu / measured * 1e3:.2f} ms each"
    )
    verdict = "met" if rate >= TARGET else "NOT met"
    print(
        f"  target >= {TARGET:.0f}/s: {verdict}; "
        f"CPU-bound ceiling {measured / cpu:.0f}/s on one core"
    )


if __name__ == "__main__":
    main()
