"""Send events while the server is killed with SIGKILL now and then; count what was lost.

Shared by the CI test (tests/crash/test_crash_events.py, scaled down) and the full run
(scripts/crash_events.py: 100,000 events, five kills, SQLite and PostgreSQL).

Clients send batches of random event ids, some of them repeats of ids sent earlier; a batch
that is not answered 202 (the connection died with the server, or it answered 503) is sent
again until it is. Afterwards every acknowledged id must be stored, once, and nothing that
was never sent may be.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa

from tests.support.killable import PUBLISHABLE_AUTH, KillableServer

RETRY_PAUSE = 0.05
REPEAT_SHARE = 0.1  # share of each batch that repeats an id sent earlier


@dataclass
class EventsReport:
    """What the run sent, what the server acknowledged and what the database holds."""

    database: str
    events_sent: int = 0
    repeats_sent: int = 0
    requests: int = 0
    retried: int = 0
    acknowledged: int = 0
    stored_rows: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    kills: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the script's output and for assertion messages."""
        return (
            f"{self.database}: {self.events_sent} events ({self.repeats_sent} repeats) in "
            f"{self.requests} requests, {self.kills} kills, {self.retried} batches resent; "
            f"acknowledged {self.acknowledged}, stored {self.stored_rows}; "
            f"lost {self.lost}, duplicated {self.duplicated}, unexpected {self.unexpected}, "
            f"errors {len(self.errors)}; {self.seconds:.1f} s"
        )


def batches(events: int, size: int, seed: int) -> Iterator[list[str]]:
    """Batches of `size` ids: fresh random ids, about a tenth repeating earlier ones."""
    rng = random.Random(seed)
    sent: list[str] = []
    while len(sent) < events:
        batch: list[str] = []
        while len(batch) < size and len(sent) < events:
            if sent and rng.random() < REPEAT_SHARE:
                batch.append(rng.choice(sent))
            else:
                fresh = uuid.UUID(int=rng.getrandbits(128), version=4).hex
                sent.append(fresh)
                batch.append(fresh)
        yield batch


def _body(batch: list[str]) -> dict[str, object]:
    return {
        "events": [
            {"id": event_id, "type": "product_viewed", "customer_id": f"c{event_id[:3]}"}
            for event_id in batch
        ]
    }


class _Run:
    """The clients' shared state: the work queue and what was acknowledged."""

    def __init__(self, server: KillableServer, report: EventsReport, work: Iterator[list[str]]):
        self.server, self.report, self.work = server, report, work
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acknowledged: set[str] = set()

    def next_batch(self) -> list[str] | None:
        with self.lock:
            batch = next(self.work, None)
            if batch is not None:
                fresh = set(batch) - self.sent
                self.report.repeats_sent += len(batch) - len(fresh)
                self.sent |= fresh
            return batch

    def client(self) -> None:
        with httpx.Client(timeout=30) as http:
            while (batch := self.next_batch()) is not None:
                self.deliver(http, batch)

    def deliver(self, http: httpx.Client, batch: list[str]) -> None:
        """POST the batch until it is answered 202."""
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = http.post(
                    f"{self.server.url}/v1/events", json=_body(batch), headers=PUBLISHABLE_AUTH
                )
            except httpx.TransportError:
                answer = None
            with self.lock:
                self.report.requests += 1
                self.report.retried += attempt == 2
                if answer is not None and answer.status_code == 202:
                    self.acknowledged.update(batch)
                    return
                if answer is not None and answer.status_code != 503:
                    self.report.errors.append(f"{answer.status_code}: {answer.text[:200]}")
                    if answer.status_code < 500:
                        return  # a refused batch is not acknowledged, and resending won't help
            time.sleep(RETRY_PAUSE)


def run_events_crash(
    server: KillableServer,
    database_url: str,
    *,
    events: int,
    kills: int,
    batch_size: int = 50,
    clients: int = 4,
    seed: int = 0,
) -> EventsReport:
    """Run `clients` senders against the started `server`, killing it `kills` times."""
    report = EventsReport(sa.make_url(database_url).get_backend_name())
    run = _Run(server, report, batches(events, batch_size, seed))
    started = time.monotonic()
    threads = [threading.Thread(target=run.client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for n in range(1, kills + 1):
        _wait_for(run, events * n // (kills + 1), threads)
        server.restart()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    report.kills = server.kills
    report.events_sent = len(run.sent)
    report.acknowledged = len(run.acknowledged)
    _count_stored(report, database_url, run)
    return report


def _wait_for(run: _Run, acknowledged: int, threads: list[threading.Thread]) -> None:
    while len(run.acknowledged) < acknowledged and any(t.is_alive() for t in threads):
        time.sleep(0.01)


def _count_stored(report: EventsReport, database_url: str, run: _Run) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT event_id FROM events")).scalars().all()
    finally:
        engine.dispose()
    stored = set(rows)
    report.stored_rows = len(rows)
    report.duplicated = len(rows) - len(stored)
    report.lost = len(run.acknowledged - stored)
    report.unexpected = len(stored - run.sent)
