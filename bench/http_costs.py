"""What each part of POST /v1/decisions costs the server, measured over HTTP by switching it off.

Run: .venv/bin/python bench/http_costs.py [--rounds 10] [--round-seconds 3] [--db-dir DIR]

Starts the FastAPI floor and one tactful server per variant below (each a uvicorn
subprocess with the settings of bench/http_decisions.py, on its own copy of the prepared
database), drives them in interleaved rounds with the same requests and prints each
server's throughput and CPU per request. The differences between variants are what the
parts cost in the live server, where measuring a part alone understates it:

- full: the real endpoint.
- no_impressions: the decision log stores decisions but no impressions (so later reads
  also find no offers shown: what recording an offer shown costs, written and read back).
- no_log: the decision log stores nothing (requests are answered once their batch "commits").
- parse_only: the body is validated, then a real decision body (one answered by `full`, of
  median size) is returned as a constant.
- constant: that body is returned without reading the request: uvicorn, the ASGI fast path
  and sending the answer.

The switched-off variants exist only in this script (it patches the server subprocess);
they are measurements, not configurations of tactful.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import http_decisions
from http_decisions import (
    closed_loop,
    cpu_seconds,
    decision_bodies,
    prepared,
    start_server,
)

VARIANTS = ("full", "no_impressions", "no_log", "parse_only", "constant")


def _switch_off(variant: str, body_file: str) -> None:
    """Patch the server process for `variant` before the app is built."""
    if variant in ("no_impressions", "no_log"):
        from tactful.adapters.db.repositories import _driver

        many = _driver.Driver.many
        skipped = "INSERT INTO offer_impressions" if variant == "no_impressions" else "INSERT"

        def filtered(self: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
            if not sql.startswith(skipped):
                many(self, sql, rows)

        _driver.Driver.many = filtered  # type: ignore[method-assign]
    if variant in ("parse_only", "constant"):
        from tactful.web.api import decisions

        body = Path(body_file).read_bytes()
        parse = decisions.read_request

        async def constant(state: Any, authorization: bytes | None, raw: bytes) -> Any:
            if variant == "parse_only":
                parse(raw)
            return 200, body, ()

        decisions.answer_decision = constant  # type: ignore[assignment]


def serve(variant: str, port: int, database_url: str, server: str, body_file: str) -> None:
    """Entry point of a server subprocess: http_decisions' server, a part switched off."""
    if variant != "floor":
        _switch_off(variant, body_file)
    http_decisions.serve("floor" if variant == "floor" else "tactful", port, database_url, server)


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tactful-costs-") as tmp:
        folder = Path(args.db_dir) if args.db_dir else Path(tmp) / "prepared"
        folder.mkdir(parents=True, exist_ok=True)
        _, customers, skus = prepared(folder, 0, folder)
        bodies = decision_bodies(customers, skus, 250_000)
        body_file = str(Path(tmp) / "decision.json")
        servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for variant in ("floor", *VARIANTS):
                work = Path(tmp) / variant
                work.mkdir()
                url, _, _ = prepared(folder, 0, work)
                servers[variant] = start_server(
                    variant, url, "fast", script=__file__, extra=("--body", body_file)
                )
                if variant == "full":
                    _keep_median_body(servers["full"][1], bodies, body_file)
            for variant, (_, port) in servers.items():
                path, load = _load(variant, bodies)
                asyncio.run(closed_loop(port, path, load, 3, args.connections))
            totals = {v: [0, 0.0, 0.0] for v in servers}  # requests, CPU s, seconds
            per_round: dict[str, list[float]] = {v: [] for v in servers}
            order = list(servers)
            print(f"{args.rounds} interleaved rounds of {args.round_seconds:.0f} s per server:")
            for number in range(args.rounds):
                turn = order[number % len(order) :] + order[: number % len(order)]
                for variant in turn:
                    process, port = servers[variant]
                    path, load = _load(variant, bodies)
                    used = cpu_seconds(process.pid)
                    tally = asyncio.run(
                        closed_loop(port, path, load, args.round_seconds, args.connections)
                    )
                    spent = cpu_seconds(process.pid) - used
                    count = max(len(tally.latencies), 1)
                    totals[variant][0] += count
                    totals[variant][1] += spent
                    totals[variant][2] += tally.finished - tally.started
                    per_round[variant].append(spent / count)
            _report(totals, per_round)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)


def _load(variant: str, bodies: list[bytes]) -> tuple[str, list[bytes]]:
    return ("/floor", [b"{}"]) if variant == "floor" else ("/v1/decisions", bodies)


def _keep_median_body(port: int, bodies: list[bytes], body_file: str) -> None:
    """Ask the full server for 200 decisions and keep one of median size as the constant."""
    from http_decisions import Connection

    async def ask() -> list[bytes]:
        connection = Connection(port, "/v1/decisions")
        try:
            return [(await connection.post(body))[1] for body in bodies[-200:]]
        finally:
            connection.close()

    answers = sorted(asyncio.run(ask()), key=len)
    Path(body_file).write_bytes(answers[len(answers) // 2])
    print(f"constant answer: a real decision of {len(answers[len(answers) // 2])} bytes")


def _report(totals: dict[str, list[Any]], per_round: dict[str, list[float]]) -> None:
    floor_requests, floor_cpu, floor_seconds = totals["floor"]
    floor_rps = floor_requests / floor_seconds
    cpu = {v: t[1] / t[0] for v, t in totals.items()}
    print(f"{'server':<12} {'req/s':>7} {'of floor':>9} {'CPU/req':>9} {'median round':>13}")
    for variant, (requests, _, seconds) in totals.items():
        rps = requests / seconds
        median = statistics.median(per_round[variant])
        print(
            f"{variant:<12} {rps:7.0f} {rps / floor_rps:9.0%} {cpu[variant] * 1e6:7.0f} µs "
            f"{median * 1e6:10.0f} µs"
        )
    full = cpu["full"]
    print("\ncost of each part, as a share of the full request's server CPU:")
    parts = (
        ("impressions (written, then read back)", full - cpu["no_impressions"]),
        ("the rest of the decision log", cpu["no_impressions"] - cpu["no_log"]),
        ("reads, decide and JSON out", cpu["no_log"] - cpu["parse_only"]),
        ("request validation", cpu["parse_only"] - cpu["constant"]),
        ("uvicorn, fast path, sending the answer", cpu["constant"]),
    )
    for label, seconds in parts:
        print(f"  {label:<46} {seconds * 1e6:6.0f} µs  {seconds / full:5.0%}")
    print(f"  (the FastAPI floor: {floor_cpu / floor_requests * 1e6:.0f} µs per request)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--round-seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--db-dir", default="", help="the prepared database of http_decisions.py --db-dir"
    )
    parser.add_argument("--serve", choices=["floor", *VARIANTS], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--server", default="fast", help=argparse.SUPPRESS)
    parser.add_argument("--body", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database_url, args.server, args.body)
    else:
        run(args)


if __name__ == "__main__":
    main()
