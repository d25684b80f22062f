"""Benchmark: serving the hosted checkout page HTML from SQLite over real HTTP, and its weight.

Run: .venv/bin/python bench/checkout_page.py [--requests 1000]
Targets: p50 under 20 ms; HTML + CSS + JS under 100 KB (no images). Also times the quote
endpoint the page's script calls on every change.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvicorn

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.repositories.catalog import upsert_products
from tactful.adapters.db.schema import upgrade
from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.money import Money
from tactful.settings import Settings
from tactful.web.app import create_app

SECRET = "sk_bench_0123456789abcdef"
PAGE = {
    "slug": "bench",
    "title": "Deep Focus course",
    "currency": "GBP",
    "items": [{"sku": "COURSE"}],
    "bumps": [
        {"sku": "WORKBOOK", "headline": "Finish every lesson with the workbook", "reason": "Notes"},
        {"sku": "CHEATSHEET", "headline": "Keep the cheat sheet on your desk"},
    ],
    "upsells": [{"sku": "COACHING", "downsell": {"sku": "COACHING_LITE"}}],
    "tax": {"mode": "inclusive", "rate_bps": 2000},
}
PRICES = {
    "COURSE": 2900,
    "WORKBOOK": 900,
    "CHEATSHEET": 500,
    "COACHING": 12000,
    "COACHING_LITE": 4900,
}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(url: str) -> None:
    engine = build_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    products = [
        Product(Sku(s), s.title(), Money(p, "GBP"), ProductKind.DIGITAL) for s, p in PRICES.items()
    ]
    with engine.begin() as conn:
        upsert_products(conn, products, at=now - timedelta(days=3))
    engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder, 'bench.db').as_posix()}"
        _seed(url)
        settings = Settings.from_env(
            {}, database_url=url, secret_key=SECRET, publishable_key="pk_bench_0123456789abcdef"
        )
        port = _port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        try:
            _measure(base, args.requests)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _measure(base: str, requests: int) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        created = client.post(
            "/v1/checkout-pages", json=PAGE, headers={"Authorization": f"Bearer {SECRET}"}
        )
        created.raise_for_status()
        link = client.post(
            "/v1/checkout-links",
            json={"page": "bench", "price": 1900},
            headers={"Authorization": f"Bearer {SECRET}"},
        ).json()["url"]
        parts = urlsplit(link)
        path = f"{parts.path}?{parts.query}"
        for _ in range(50):  # warm up
            client.get(path).raise_for_status()
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        html = response.content
        assets = re.findall(r'(?:href|src)="(/c/static/[^"]+)"', html.decode())
        weight = len(html) + sum(len(client.get(a).content) for a in assets)
        quotes = _time_quotes(client, f"/c/bench/quote?{parts.query}&bump=WORKBOOK", requests)
    p50, p99 = _percentile(timings, 0.50), _percentile(timings, 0.99)
    print(f"checkout page GET over HTTP, SQLite, warm, {requests} sequential requests")
    print(
        f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms   mean {statistics.fmean(timings):.2f} ms"
        f"   (target p50 < 20 ms: {'met' if p50 < 20 else 'NOT met'})"
    )
    print(
        f"  page weight: HTML {len(html)} B + {len(assets)} assets = {weight} B "
        f"({weight / 1024:.1f} KB; target < 100 KB: {'met' if weight < 100 * 1024 else 'NOT met'})"
    )
    print(
        f"quote (GET /c/SLUG/quote, one bump ticked): p50 {_percentile(quotes, 0.5):.2f} ms"
        f"   p99 {_percentile(quotes, 0.99):.2f} ms"
    )


def _time_quotes(client: httpx.Client, path: str, requests: int) -> list[float]:
    """Milliseconds per quote, as the page's script asks on every change."""
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path, headers={"Accept": "application/json"})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return timings


if __name__ == "__main__":
    main()
