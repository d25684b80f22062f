"""Issue 25 soak: `tactful serve` and `tactful worker` under steady load; memory, p99, mail.

    .venv/bin/python scripts/soak.py [--minutes 30] [--decisions 200] [--events 50]

Paced clients send decisions and events at the given rates per second and one hosted-checkout
flow (consenting customer, link, pay, one-click accept) per second, on loopback, to
`tactful serve` on a fresh SQLite file. A `tactful worker` process on the same database enrols
each paying customer in a one-mail sequence and sends it over SMTP to a local aiosmtpd sink.
Every 10 s it samples the resident memory of server and worker. At the end it prints p50/p99
per 5-minute window, memory over time, and the pass line: memory growth after the first 5
minutes (target < 10%, server and worker), errors (0), mails received = paid orders with no
duplicate, and whether the data is consistent (every acknowledged event stored once, one
charge per paid order and per accepted offer). Not run in CI; `scripts/soak.sh` runs it for
30 minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.soak_mail import SmtpSink, WorkerProcess, soak_processes
from tests.e2e.seed import PAGE, SUCCESS_CARD
from tests.support.killable import (
    PUBLISHABLE_AUTH,
    SECRET_AUTH,
    KillableServer,
)

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
        self.customers: set[str] = set()

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
        n = uuid.uuid4().hex[:12]
        customer = {
            "id": f"soak-{n}",
            "email": f"s{n}@example.com",
            "consents": {"marketing_email": True},
        }
        known = self.timed(
            "customer",
            lambda: client.post(
                "/v1/customers", json={"customers": [customer]}, headers=SECRET_AUTH
            ),
        )
        if known is None or known.status_code >= 400:
            return
        terms = {"page": PAGE["slug"], "customer": customer["id"]}
        link = self.timed(
            "link", lambda: client.post("/v1/checkout-links", json=terms, headers=SECRET_AUTH)
        )
        if link is None or link.status_code != 201:
            return
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
            self.customers.add(customer["email"])
            self.accepted += accepted is not None and accepted.status_code == 200


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], which: int) -> float:
    if len(values) < 100:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, len(ordered) * which // 100)] * 1000 if values else 0
    return statistics.quantiles(values, n=100)[which - 1] * 1000


class Sample(NamedTuple):
    seconds: float
    server_kib: int
    worker_kib: int
    mails: int


def latency_report(soak: Soak) -> None:
    minutes = max(m for _, m in soak.latency) + 1 if soak.latency else 0
    for window in range(0, minutes, 5):
        decisions = [
            v
            for (k, m), vs in soak.latency.items()
            if k == "decision" and window <= m < window + 5
            for v in vs
        ]
        print(
            f"minutes {window}-{window + 5}: decisions p50 {percentile(decisions, 50):.1f} ms"
            f" p99 {percentile(decisions, 99):.1f} ms over {len(decisions)}"
        )
    for kind in sorted({k for k, _ in soak.latency}):
        values = [v for (k, _), vs in soak.latency.items() if k == kind for v in vs]
        print(
            f"{kind}: {len(values)} requests, p50 {percentile(values, 50):.1f} ms,"
            f" p99 {percentile(values, 99):.1f} ms"
        )


def growth(samples: list[Sample], field: str) -> tuple[int, int, float]:
    """MiB after the first 5 minutes (or first), MiB at the end, growth in %."""
    after_five = [s for s in samples if s.seconds >= 300] or samples
    first, last = getattr(after_five[0], field), getattr(samples[-1], field)
    return first // 1024, last // 1024, (last - first) / first * 100


def memory_report(samples: list[Sample]) -> bool:
    for sample in samples:
        if int(sample.seconds) % 300 < 10:
            print(
                f"  t={sample.seconds / 60:5.1f} min server {sample.server_kib // 1024} MiB"
                f" worker {sample.worker_kib // 1024} MiB mails {sample.mails}"
            )
    ok = True
    for name in ("server_kib", "worker_kib"):
        first, last, grew = growth(samples, name)
        print(f"memory {name[:-4]}: {first} MiB after 5 min, {last} MiB at the end, {grew:+.1f}%")
        ok = ok and grew < 10
    return ok


def data_report(soak: Soak, database_url: str) -> bool:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = set(connection.execute(sa.text("SELECT event_id FROM events")).scalars())
        charges = connection.execute(
            sa.text("SELECT count(*) FROM charges WHERE status = 'succeeded'")
        ).scalar_one()
        rows = connection.execute(
            sa.text("SELECT state, count(*) FROM email_outbox GROUP BY state")
        )
        outbox = {str(row[0]): int(row[1]) for row in rows}
    engine.dispose()
    consistent = soak.events <= stored and charges == soak.paid + soak.accepted
    print(
        f"consistent: {consistent} (events acknowledged {len(soak.events)}, stored"
        f" {len(stored)}, charges {charges} = paid {soak.paid} + accepted {soak.accepted})"
    )
    print(f"outbox: {outbox}")
    return consistent


def mail_report(soak: Soak, sink: SmtpSink, worker: WorkerProcess) -> bool:
    received = sink.inbox.received()
    again, twice = sink.inbox.duplicates()
    strangers = set(sink.inbox.recipients) - soak.customers
    tally = worker.tally()
    print(
        f"mails: received {received}, expected {len(soak.customers)} (paid customers),"
        f" duplicate Message-IDs {again}, customers mailed twice {twice},"
        f" unexpected recipients {len(strangers)}; worker {tally}"
    )
    return (
        received == len(soak.customers)
        and again == twice == len(strangers) == 0
        and tally["failed_parts"] == tally["error_lines"] == 0
    )


def drain(soak: Soak, sink: SmtpSink, seconds: float) -> float:
    """Wait until every paid customer's mail arrived (or `seconds` passed); how long it took."""
    began = time.monotonic()
    while sink.inbox.received() < len(soak.customers) and time.monotonic() - began < seconds:
        time.sleep(1)
    return time.monotonic() - began


def run(args: argparse.Namespace, tmp: Path) -> bool:
    with soak_processes(tmp, args.worker_interval) as (server, sink, worker, url):
        return drive(args, server, sink, worker, url)


def drive(
    args: argparse.Namespace,
    server: KillableServer,
    sink: SmtpSink,
    worker: WorkerProcess,
    url: str,
) -> bool:
    soak = Soak(server.url, args.minutes * 60)
    clients = (
        [(soak.decide, args.decisions / 8)] * 8
        + [(soak.event, args.events / 2)] * 2
        + [(soak.checkout, 1.0)]
    )
    threads = [threading.Thread(target=soak.paced, args=(rate, one)) for one, rate in clients]
    for thread in threads:
        thread.start()
    samples: list[Sample] = []
    assert server.process is not None
    server_pid = server.process.pid
    while any(t.is_alive() for t in threads):
        samples.append(
            Sample(
                time.monotonic() - soak.started,
                rss_kib(server_pid),
                rss_kib(worker.pid) if worker.alive() else 0,
                sink.inbox.received(),
            )
        )
        if len(samples) % 6 == 1:
            print(f"progress {samples[-1]}, errors {len(soak.errors)}", flush=True)
        time.sleep(10)
    waited = drain(soak, sink, 300)
    print(f"load done; mails drained {waited:.0f} s after the load stopped")
    print(
        f"cpu: server {cpu_seconds(server_pid):.0f} s, worker {cpu_seconds(worker.pid):.0f} s"
        f" over {samples[-1].seconds:.0f} s wall"
    )
    latency_report(soak)
    memory_ok = memory_report(samples)
    print(f"errors: {len(soak.errors)} {soak.errors[:3]}")
    data_ok = data_report(soak, url)
    mail_ok = mail_report(soak, sink, worker)
    return memory_ok and not soak.errors and data_ok and mail_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--decisions", type=float, default=200)
    parser.add_argument("--events", type=float, default=50)
    parser.add_argument("--worker-interval", type=float, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tactful-soak-") as tmp:
        ok = run(args, Path(tmp))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
