"""The load of the HTTP benches: storefront-like decision requests and a lean asyncio client.

The client is a keep-alive HTTP/1.1 connection written by hand, the cheapest client Python
can offer, so that the client's cost does not hide the server's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

PUBLISHABLE = "pk_bench_publishable_0123456789"
SECRET = "sk_bench_secret_key_0123456789"
SENT_FAILURES = (OSError, asyncio.IncompleteReadError, ValueError)


def decision_bodies(
    customers: Sequence[str], skus: Sequence[str], n: int, *, seed: int = 7, prefix: str = "visitor"
) -> list[bytes]:
    """Requests like a storefront's: half from known customers, half from new visitors.

    Each new visitor id is used once, so the respect policy's per-customer budget (6 offers a
    week) does not turn most decisions into cheap empty answers; known customers recur, as
    loyal customers do. Carts hold 1 to 5 of the 400 most popular SKUs.
    """
    rng = random.Random(seed)
    moments = ["cart", "cart", "checkout", "browsing", "post_purchase"]
    bodies = []
    for number in range(n):
        known = number % 2 and customers
        customer = rng.choice(customers) if known else f"{prefix}-{seed}-{number}"
        cart = [
            {"sku": sku, "quantity": rng.randint(1, 3)}
            for sku in rng.sample(skus, rng.randint(1, 5))
        ]
        body = {"customer_id": customer, "moment": rng.choice(moments), "cart": cart}
        bodies.append(json.dumps(body).encode())
    return bodies


@dataclass
class Tally:
    """What one server answered: latencies, errors, offers, and the time spent driving it."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    offers: int = 0
    answers: int = 0
    started: float = 0.0
    finished: float = 0.0
    busy: float = 0.0  # seconds spent driving, summed over the rounds absorbed

    @property
    def seconds(self) -> float:
        return self.busy or self.finished - self.started

    def absorb(self, part: Tally) -> None:
        """Add one round's results to this running total."""
        self.latencies += part.latencies
        self.errors += part.errors
        self.offers += part.offers
        self.answers += part.answers
        self.busy += part.seconds

    def percentile_ms(self, share: float) -> float:
        return float(np.percentile(np.array(self.latencies or [0.0]) * 1000, share))

    def report(self, label: str, cpu_per_request: float | None = None) -> None:
        count = len(self.latencies)
        rate = count / self.seconds if self.seconds else 0.0
        cpu = f"  CPU {cpu_per_request * 1e6:5.0f} µs/req" if cpu_per_request else ""
        shown = f"  offers/answer {self.offers / self.answers:.2f}" if self.answers else ""
        print(
            f"{label:<30} {count:>7} req {rate:>7.0f} req/s  p50 {self.percentile_ms(50):6.2f} ms"
            f"  p99 {self.percentile_ms(99):6.2f} ms  errors {self.errors}{cpu}{shown}"
        )


class Connection:
    """One keep-alive HTTP/1.1 connection posting JSON with the publishable key."""

    def __init__(self, port: int, path: str) -> None:
        self.port = port
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {PUBLISHABLE}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: bytes = b"") -> tuple[int, bytes]:
        """POST `body` with `headers` (CRLF-terminated lines) added; (status, payload)."""
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        length_line = b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        self.writer.write(self.head + headers + length_line + body)
        status_line = await self.reader.readline()
        if not status_line and reused:  # the server closed an idle keep-alive connection
            self.close()
            self.writer = None
            return await self.post(body, headers)
        if not status_line:
            raise ConnectionResetError("server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


_NEXT_BODY = itertools.count()  # shared by every closed-loop phase: a body is sent once


async def closed_loop(
    port: int,
    path: str,
    bodies: list[bytes],
    seconds: float,
    conns: int,
    next_body: Iterator[int] = _NEXT_BODY,
    until: int | None = None,
) -> Tally:
    """`conns` connections, each sending its next request as soon as the last is answered,
    for `seconds` or until the body numbered `until` is due, whichever comes first."""
    tally = Tally()
    stop = time.perf_counter() + seconds

    async def drive() -> None:
        connection = Connection(port, path)
        try:
            while time.perf_counter() < stop:
                number = next(next_body)
                if until is not None and number >= until:
                    break
                body = bodies[number % len(bodies)]
                begin = time.perf_counter()
                try:
                    status, payload = await connection.post(body)
                except SENT_FAILURES:
                    tally.errors += 1
                    connection.close()
                    connection = Connection(port, path)
                    continue
                tally.latencies.append(time.perf_counter() - begin)
                if status != 200:
                    tally.errors += 1
                elif path == "/v1/decisions":
                    tally.answers += 1
                    tally.offers += payload.count(b'"offer_id"')
        finally:
            connection.close()

    tally.started = time.perf_counter()
    await asyncio.gather(*(drive() for _ in range(conns)))
    tally.finished = time.perf_counter()
    return tally


async def open_loop(port: int, bodies: list[bytes], rate: float, seconds: float) -> Tally:
    """Send at a fixed rate whatever the server does; latency counts from the scheduled time."""
    tally = Tally()
    pool: list[Connection] = []

    async def one(index: int, scheduled: float) -> None:
        connection = pool.pop() if pool else Connection(port, "/v1/decisions")
        try:
            status, payload = await connection.post(bodies[index % len(bodies)])
        except SENT_FAILURES:
            tally.errors += 1
            connection.close()
            return
        tally.latencies.append(time.perf_counter() - scheduled)
        pool.append(connection)
        if status != 200:
            tally.errors += 1
            return
        tally.answers += 1
        tally.offers += len(json.loads(payload)["offers"])

    tally.started = time.perf_counter()
    tasks = []
    for index in range(int(rate * seconds)):
        scheduled = tally.started + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)
    tally.finished = time.perf_counter()
    for connection in pool:
        connection.close()
    return tally
