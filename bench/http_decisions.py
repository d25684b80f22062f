"""POST /v1/decisions over real HTTP vs a constant FastAPI endpoint, then 200 decisions/s open loop.

Run: .venv/bin/python bench/http_decisions.py [--seconds 15] [--rate 200] [--open-seconds 20]
     [--connections 16] [--rounds 5] [--sample-rows 0]

Builds a SQLite database in a temporary folder from the full Online Retail file (or its first
`--sample-rows` rows), mines a model, starts three uvicorn servers as subprocesses on free
loopback ports with the same settings (the tactful app with the model active; the floor, a
bare FastAPI app whose one endpoint returns a constant; and, for context only, a bare ASGI
callable returning a constant, uvicorn's own cost), then drives each in turn from this
process with a small keep-alive HTTP/1.1 client on asyncio, in interleaved rounds (this
machine's speed drifts by ±20% from minute to minute; taking turns gives every server the same
conditions). Prints throughput, p50/p99, errors and server CPU per request side by side,
then runs an open-loop 200 decisions/s phase on new visitors and checks every shown offer
was stored as an impression.
Decision requests come from real customers and new visitors (see `decision_bodies`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv"
SECRET = "sk_bench_secret_key_0123456789"
PUBLISHABLE = "pk_bench_publishable_0123456789"


# ---------------------------------------------------------------- servers (subprocesses)


def floor_app() -> Any:
    """The framework's floor: FastAPI returning a constant."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/floor")
    async def floor() -> dict[str, bool]:
        return {"ok": True}

    return app


async def bare_asgi(scope: Any, receive: Any, send: Any) -> None:
    """uvicorn's own floor, for context: an ASGI callable answering a constant, no framework."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    body = b'{"ok":true}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def bench_settings(database_url: str) -> Any:
    from tactful.settings import Settings

    folder = Path(database_url.removeprefix("sqlite:///")).parent
    return Settings.from_env(
        {},
        environment="test",
        data_dir=folder,
        database_url=database_url,
        secret_key=SECRET,
        publishable_key=PUBLISHABLE,
    )


def tactful_app(database_url: str) -> Any:
    """The real app on the benchmark database; it loads the active model at start."""
    from tactful.web.app import create_app

    return create_app(bench_settings(database_url))


def mine_model(database_url: str) -> None:
    """Mine the stored orders and activate the model, as POST /v1/models does."""
    from tactful.container import build_container
    from tactful.domain.affinity import MiningConfig
    from tactful.services.models import mine_and_activate

    settings = bench_settings(database_url)
    services = build_container(settings)
    started = time.perf_counter()
    info = mine_and_activate(services.model_storage, settings, MiningConfig())
    rules = info.summary.get("n_rules") if isinstance(info.summary, dict) else None
    print(f"mined model {info.version} ({rules} rules) in {time.perf_counter() - started:.1f} s")
    services.close()


SERVERS = {"fast": ("httptools", "uvloop"), "plain": ("h11", "asyncio")}


def serve(kind: str, port: int, database_url: str, server: str) -> None:
    """Entry point of a server subprocess (both servers get the same uvicorn settings)."""
    import uvicorn

    from tactful.cli.serve import tune_gc

    tune_gc()  # what `tactful serve` does, for both servers
    apps = {"floor": floor_app, "asgi": lambda: bare_asgi}
    app = apps[kind]() if kind in apps else tactful_app(database_url)
    http, loop = SERVERS[server]
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http=http,  # type: ignore[arg-type]
        loop=loop,  # type: ignore[arg-type]
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str, database_url: str, server: str, *, script: str = __file__, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """`script --serve kind ...` as a subprocess, once its port accepts connections."""
    port = free_port()
    command = [sys.executable, script, "--serve", kind, "--port", str(port), "--server", server]
    command += ["--database-url", database_url, *extra]
    process = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


# ---------------------------------------------------------------- data


def prepare_database(folder: Path, sample_rows: int) -> tuple[str, list[str], list[str]]:
    """Import Online Retail into SQLite; returns the URL, customer ids and popular SKUs."""
    from sqlalchemy import func, select

    from tactful.adapters.db.engine import build_engine
    from tactful.adapters.db.schema import upgrade
    from tactful.adapters.db.tables import order_lines, orders
    from tactful.adapters.db.transaction import SqlDatabase
    from tactful.adapters.importers import FileReaders
    from tactful.services.importing import import_file

    source = DATA
    if sample_rows:
        source = folder / "sample.csv"
        with DATA.open(encoding="utf-8", errors="replace") as full, source.open("w") as out:
            for number, line in enumerate(full):
                if number > sample_rows:
                    break
                out.write(line)
    url = f"sqlite:///{(folder / 'bench.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    summary = import_file(SqlDatabase(engine), FileReaders(), source, "online-retail")
    print(f"imported {source.name} in {time.perf_counter() - started:.1f} s: {summary}")
    with engine.connect() as connection:
        customers = list(
            connection.execute(select(orders.c.customer_id).distinct().limit(4000)).scalars()
        )
        popular = list(
            connection.execute(
                select(order_lines.c.sku)
                .group_by(order_lines.c.sku)
                .order_by(func.count().desc())
                .limit(400)
            ).scalars()
        )
    engine.dispose()
    return url, [c for c in customers if c], popular


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
    for i in range(n):
        customer = rng.choice(customers) if i % 2 and customers else f"{prefix}-{seed}-{i}"
        cart = [
            {"sku": s, "quantity": rng.randint(1, 3)} for s in rng.sample(skus, rng.randint(1, 5))
        ]
        body = {"customer_id": customer, "moment": rng.choice(moments), "cart": cart}
        bodies.append(json.dumps(body).encode())
    return bodies


# ---------------------------------------------------------------- load generator


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    offers: int = 0
    answers: int = 0
    started: float = 0.0
    finished: float = 0.0

    busy: float = 0.0  # seconds spent driving, summed over the rounds absorbed

    def absorb(self, part: Tally) -> None:
        """Add one round's results to this running total."""
        self.latencies += part.latencies
        self.errors += part.errors
        self.offers += part.offers
        self.answers += part.answers
        self.busy += part.finished - part.started

    def report(self, label: str) -> dict[str, float]:
        ms = np.array(self.latencies) * 1000 if self.latencies else np.zeros(1)
        seconds = self.busy or self.finished - self.started
        row = {
            "requests": len(self.latencies),
            "rps": len(self.latencies) / seconds if seconds else 0.0,
            "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)),
            "errors": self.errors,
        }
        shown = f"  offers/answer {self.offers / self.answers:.2f}" if self.answers else ""
        print(
            f"{label:<28} {row['requests']:>7} req  {row['rps']:>8.0f} req/s  "
            f"p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:6.2f} ms  errors {self.errors}"
            + shown
        )
        return row


class Connection:
    """One keep-alive HTTP/1.1 connection: the cheapest client Python can offer."""

    def __init__(self, port: int, path: str) -> None:
        self.port = port
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {PUBLISHABLE}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
        status_line = await self.reader.readline()
        if not status_line and reused:  # the server closed an idle keep-alive connection
            self.close()
            self.writer = None
            return await self.post(body)
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
    port: int, path: str, bodies: list[bytes], seconds: float, conns: int
) -> Tally:
    tally = Tally()
    stop = time.perf_counter() + seconds
    counter = _NEXT_BODY

    async def worker() -> None:
        connection = Connection(port, path)
        try:
            while time.perf_counter() < stop:
                body = bodies[next(counter) % len(bodies)]
                begin = time.perf_counter()
                try:
                    status, payload = await connection.post(body)
                except (OSError, asyncio.IncompleteReadError, ValueError):
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
    await asyncio.gather(*(worker() for _ in range(conns)))
    tally.finished = time.perf_counter()
    return tally


async def open_loop(port: int, bodies: list[bytes], rate: float, seconds: float) -> Tally:
    """Send at a fixed rate whatever the server does; latency counts from the scheduled time."""
    tally = Tally()
    pool: list[Connection] = []
    total = int(rate * seconds)

    async def one(index: int, scheduled: float) -> None:
        connection = pool.pop() if pool else Connection(port, "/v1/decisions")
        try:
            status, payload = await connection.post(bodies[index % len(bodies)])
        except (OSError, asyncio.IncompleteReadError, ValueError):
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
    for index in range(total):
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


def stored_counts(database_url: str) -> tuple[int, int]:
    """Decisions and impressions stored (an impression is the one record of an offer shown)."""
    from tactful.adapters.db.engine import build_engine
    from tactful.adapters.db.repositories import offers

    engine = build_engine(database_url)
    with engine.connect() as connection:
        counts = offers.count_decisions(connection), offers.count_impressions(connection)
    engine.dispose()
    return counts


# ---------------------------------------------------------------- main


def prepared(folder: Path, sample_rows: int, work: Path) -> tuple[str, list[str], list[str]]:
    """A fresh copy (in `work`) of the database built and mined once in `folder`."""
    marker = folder / f"prepared-{sample_rows}.json"
    if marker.exists():
        print(f"reusing the prepared database in {folder}")
        url, customers, skus = json.loads(marker.read_text())
    else:
        url, customers, skus = prepare_database(folder, sample_rows)
        mine_model(url)
        marker.write_text(json.dumps([url, customers, skus]))
    if folder == work:
        return url, customers, skus
    source = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", work / f"{source.name}{suffix}")
    return f"sqlite:///{(work / source.name).as_posix()}", customers, skus


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tactful-bench-") as tmp:
        folder = Path(args.db_dir) if args.db_dir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url, customers, skus = prepared(folder, args.sample_rows, Path(tmp))
        bodies = decision_bodies(customers, skus, 250_000)
        open_bodies = decision_bodies(customers, skus, int(args.rate * args.open_seconds), seed=8)
        servers: list[subprocess.Popen[bytes]] = []
        try:
            print(f"uvicorn http={SERVERS[args.server][0]} loop={SERVERS[args.server][1]} for both")
            print(f"load average before: {os.getloadavg()}")
            floor, floor_port = start_server("floor", url, args.server)
            servers.append(floor)
            bare, bare_port = start_server("asgi", url, args.server)
            servers.append(bare)
            app, app_port = start_server("tactful", url, args.server)
            servers.append(app)
            asyncio.run(closed_loop(app_port, "/v1/decisions", bodies, 3, args.connections))
            for port in (floor_port, bare_port):
                asyncio.run(closed_loop(port, "/floor", [b"{}"], 2, args.connections))
            print(
                f"\nclosed loop, {args.connections} connections, {args.seconds:.0f} s each, "
                f"in {args.rounds} interleaved rounds:"
            )
            targets = (
                ("context: bare ASGI constant", bare, bare_port, "/floor", [b"{}"]),
                ("floor: FastAPI constant", floor, floor_port, "/floor", [b"{}"]),
                ("POST /v1/decisions", app, app_port, "/v1/decisions", bodies),
            )
            tallies = {label: Tally() for label, *_ in targets}
            cpu_used = dict.fromkeys(tallies, 0.0)
            per_round: list[tuple[float, float]] = []  # (throughput, CPU) ratio of each round
            for _ in range(args.rounds):  # the machine's speed drifts: give each the same luck
                got: dict[str, tuple[float, float]] = {}
                for label, process, port, path, load in targets:
                    used = cpu_seconds(process.pid)
                    part = asyncio.run(
                        closed_loop(port, path, load, args.seconds / args.rounds, args.connections)
                    )
                    spent = cpu_seconds(process.pid) - used
                    cpu_used[label] += spent
                    tallies[label].absorb(part)
                    count = max(len(part.latencies), 1)
                    got[label] = (count / (part.finished - part.started), spent / count)
                floor_rps, floor_cpu = got["floor: FastAPI constant"]
                app_rps, app_cpu = got["POST /v1/decisions"]
                per_round.append((app_rps / floor_rps, floor_cpu / app_cpu if app_cpu else 0.0))
            rows = {label: tally.report(label) for label, tally in tallies.items()}
            cpu = {
                label: cpu_used[label] / max(len(tallies[label].latencies), 1) for label in tallies
            }
            ratio = rows["POST /v1/decisions"]["rps"] / rows["floor: FastAPI constant"]["rps"]
            print(f"decisions throughput = {ratio:.0%} of the floor (target >= 40%)")
            for label, seconds in cpu.items():
                print(f"server CPU per request, {label:<28} {seconds * 1000:6.3f} ms")
            cpu_ratio = cpu["floor: FastAPI constant"] / cpu["POST /v1/decisions"]
            print(
                f"by server CPU per request, decisions cost {1 / cpu_ratio:.1f}x the floor: "
                f"{cpu_ratio:.0%} of its throughput on an otherwise idle core"
            )
            rounds = ", ".join(f"{t:.0%}/{c:.0%}" for t, c in per_round)
            print(
                f"each round, throughput/CPU ratio: {rounds}; medians "
                f"{float(np.median([t for t, _ in per_round])):.0%}/"
                f"{float(np.median([c for _, c in per_round])):.0%}"
            )
            before = stored_counts(url)
            print(f"\nopen loop at {args.rate:.0f} decisions/s for {args.open_seconds:.0f} s:")
            tally = asyncio.run(open_loop(app_port, open_bodies, args.rate, args.open_seconds))
            row = tally.report("POST /v1/decisions (open)")
            time.sleep(0.5)
            after = stored_counts(url)
            answered = row["requests"] - tally.errors
            logged = after[0] - before[0]
            impressions = after[1] - before[1]
            complete = logged == answered and impressions == tally.offers
            print(
                f"decisions answered {answered}, logged {logged}; "
                f"offers returned {tally.offers}, impressions stored {impressions}: "
                + ("ALL STORED" if complete else "MISMATCH")
            )
            print(f"p99 target < 50 ms: {'met' if row['p99_ms'] < 50 else 'NOT met'}")
            print(f"load average after: {os.getloadavg()}")
        finally:
            for process in servers:
                process.terminate()
                process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="closed-loop time per server is split into this many rounds, taken in turn",
    )
    parser.add_argument("--sample-rows", type=int, default=0, help="0 = the full file")
    parser.add_argument(
        "--db-dir", default="", help="keep the prepared database here and reuse it next run"
    )
    parser.add_argument(
        "--server",
        choices=sorted(SERVERS),
        default="fast",
        help="uvicorn settings for both servers: fast = httptools + uvloop, plain = h11 + asyncio",
    )
    parser.add_argument("--serve", choices=["floor", "asgi", "tactful"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database_url, args.server)
    else:
        os.environ.setdefault("PYTHONHASHSEED", "0")
        run(args)


if __name__ == "__main__":
    main()
