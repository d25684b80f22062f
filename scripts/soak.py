"""Issue 25 soak: a real `tactful serve` under steady load; memory, p99, errors, consistency.

    .venv/bin/python scripts/soak.py [--minutes 30] [--decisions 200] [--events 50]

Paced clients send decisions and events at the given rates per second and one hosted-checkout
flow (link, pay, one-click accept) per second, on loopback, to `tactful serve` on a fresh
SQLite file. Every 10 s it samples the server's resident memory; every minute it prints the
achieved rates and p99 latency. At the end it prints the pass line: memory growth after the
first 5 minutes (target < 10%), p99 per 5-minute window (steady), errors (0) and whether the
data is consistent (every acknowledged event stored once, one charge per paid order and per
accepted offer). Not run in CI; `scripts/soak.sh` runs it for 30 minutes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.seed import PAGE, SUCCESS_CARD, seed_catalogue
from tests.support.killable import PUBLISHABLE_AUTH, SECRET_AUTH, KillableServer

JSON = {"Accept": "application/json"}


class Soak:
    """Shared tallies of the paced clients."""

    def __init__(self, url: str, seconds: float) -> None:
        self.url, self.end = url, time.monotonic() + seconds
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.latency: defaultdict[tuple[str, int], list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.events: set[str] = set()
        self.paid, self.accepted = 0, 0

    def minute(self) -> int:
        return int((time.monotonic() - self.started) // 60)

    def timed(self, kind: str, send: object) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            answer: httpx.Response = send()  # type: ignore[operator]
        except httpx.HTTPError as error:
            with self.lock:
                self.errors.append(f"{kind}: {error!r}")
            return None
        with self.lock:
            self.latency[kind, self.minute()].append(time.perf_counter() - began)
            if answer.status_code >= 400:
                self.errors.append(f"{kind}: {answer.status_code} {answer.text[:200]}")
        return answer

    def paced(self, rate: float, one: object) -> None:
        """Call `one(client)` `rate` times per second until the end."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            due = time.monotonic()
            while due < self.end:
                one(client)  # type: ignore[operator]
                due += 1 / rate
                time.sleep(max(0.0, due - time.monotonic()))

    def decide(self, client: httpx.Client) -> None:
        body = {
            "customer_id": f"c{uuid.uuid4().int % 5000}",
            "moment": "cart",
            "cart": [{"sku": "COURSE"}],
        }
        self.timed(
            "decision", lambda: client.post("/v1/decisions", json=body, headers=PUBLISHABLE_AUTH)
        )

    def event(self, client: httpx.Client) -> None:
        event_id = uuid.uuid4().hex
        body = {"events": [{"id": event_id, "type": "product_viewed", "customer_id": "c1"}]}
        answer = self.timed(
            "event", lambda: client.post("/v1/events", json=body, headers=PUBLISHABLE_AUTH)
        )
        if answer is not None and answer.status_code == 202:
            with self.lock:
                self.events.add(event_id)

    def checkout(self, client: httpx.Client) -> None:
        link = self.timed(
            "link",
            lambda: client.post(
                "/v1/checkout-links", json={"page": PAGE["slug"]}, headers=SECRET_AUTH
            ),
        )
        if link is None or link.status_code != 201:
            return
        n = uuid.uuid4().hex[:12]
        client.cookies.clear()  # an API client: no CSRF cookie, so no form token is due
        address = ".".join(str(int(n[i : i + 2], 16)) for i in (0, 2, 4))  # a shopper each
        shopper = {**JSON, "X-Forwarded-For": f"10.{address}"}
        form = {
            "idempotency_key": f"pay-{n}",
            "link": link.json()["url"].split("?", 1)[1],
            "email": f"s{n}@example.com",
            "name": "Soak",
            "card_number": SUCCESS_CARD,
            "card_exp": "12/34",
            "card_cvc": "123",
        }
        paid = self.timed(
            "pay", lambda: client.post(f"/c/{PAGE['slug']}/pay", data=form, headers=shopper)
        )
        if paid is None or paid.status_code != 200:
            return
        order = paid.json()["order_id"]
        url = f"/c/{PAGE['slug']}/orders/{order}/offers/{order}-u1/accept"
        client.cookies.clear()
        accepted = self.timed(
            "accept", lambda: client.post(url, headers={**JSON, "Idempotency-Key": f"acc-{n}"})
        )
        with self.lock:
            self.paid += 1
            self.accepted += accepted is not None and accepted.status_code == 200


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def p99(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=100)[98] * 1000
        if len(values) >= 100
        else max(values, default=0) * 1000
    )


def report(soak: Soak, memory: list[tuple[float, int]], database_url: str) -> bool:
    minutes = max(m for _, m in soak.latency) + 1 if soak.latency else 0
    for window in range(0, minutes, 5):
        decisions = [
            v
            for (k, m), vs in soak.latency.items()
            if k == "decision" and window <= m < window + 5
            for v in vs
        ]
        p99_ms, count = p99(decisions), len(decisions)
        print(f"minutes {window}-{window + 5}: decisions p99 {p99_ms:.1f} ms over {count}")
    after_five = [kib for t, kib in memory if t >= 300] or [kib for _, kib in memory]
    growth = (memory[-1][1] - after_five[0]) / after_five[0] * 100
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = set(connection.execute(sa.text("SELECT event_id FROM events")).scalars())
        charges = connection.execute(
            sa.text("SELECT count(*) FROM charges WHERE status = 'succeeded'")
        ).scalar_one()
    engine.dispose()
    consistent = soak.events <= stored and charges == soak.paid + soak.accepted
    first, last = after_five[0] // 1024, memory[-1][1] // 1024
    print(f"memory: {first} MiB after 5 min (or first), {last} MiB at the end, {growth:+.1f}%")
    print(f"errors: {len(soak.errors)} {soak.errors[:3]}")
    print(
        f"consistent: {consistent} (events acknowledged {len(soak.events)}, charges {charges}"
        f" = paid {soak.paid} + accepted {soak.accepted})"
    )
    return growth < 10 and not soak.errors and consistent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--decisions", type=float, default=200)
    parser.add_argument("--events", type=float, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tactful-soak-") as tmp:
        url = f"sqlite:///{tmp}/tactful.db"
        with KillableServer(
            url, Path(tmp) / "var", extra_env={"TACTFUL_ACCESS_LOG": "false"}
        ) as server:
            engine = sa.create_engine(url)
            seed_catalogue(engine)
            engine.dispose()
            assert (
                httpx.post(
                    f"{server.url}/v1/checkout-pages", json=PAGE, headers=SECRET_AUTH
                ).status_code
                == 201
            )
            soak = Soak(server.url, args.minutes * 60)
            clients = (
                [(soak.decide, args.decisions / 8)] * 8
                + [(soak.event, args.events / 2)] * 2
                + [(soak.checkout, 1.0)]
            )
            threads = [
                threading.Thread(target=soak.paced, args=(rate, one)) for one, rate in clients
            ]
            for thread in threads:
                thread.start()
            memory: list[tuple[float, int]] = []
            assert server.process is not None
            while any(t.is_alive() for t in threads):
                memory.append((time.monotonic() - soak.started, rss_kib(server.process.pid)))
                time.sleep(10)
            ok = report(soak, memory, url)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
