"""The soak's worker alone: its resident memory per 200 mails, to find what it keeps.

    .venv/bin/python scripts/soak_worker_memory.py [--mails 1400] [--flows 8]

Starts `tactful serve` and `tactful worker` on a fresh SQLite file like `scripts/soak.py`,
then runs only hosted-checkout flows (each paid order is one mail) as fast as `--flows`
threads go, and prints the worker's RSS each time 200 more mails have arrived at the sink,
with its growth since the first 200 and how many SQLite connections it holds. No decisions or
events: the worker is what is measured. A short `--worker-interval` (0.2) gives many runs
quickly: the worker's memory used to grow per run (each run re-enrolled every customer of the
week as one multi-row INSERT of a new size, and each size stayed in the connection's statement
cache, 100-3,400 KiB apiece).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.soak import Soak, cpu_seconds, rss_kib
from scripts.soak_mail import SmtpSink, WorkerProcess, soak_processes


def flows(soak: Soak, stop: threading.Event) -> None:
    with httpx.Client(base_url=soak.url, timeout=30) as client:
        while not stop.is_set():
            soak.checkout(client)


def database_files(pid: int) -> int:
    """How many descriptors of the worker point at the database file (one per connection)."""
    links = (os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
    return sum(1 for link in links if link.endswith("tactful.db"))


def measure(soak: Soak, sink: SmtpSink, worker: WorkerProcess, mails: int) -> None:
    step, first, began = 200, 0, time.monotonic()
    while sink.inbox.received() < mails and worker.alive():
        time.sleep(0.5)
        received = sink.inbox.received()
        if received >= step:
            rss = rss_kib(worker.pid) // 1024
            files = database_files(worker.pid)
            first = first or rss
            print(
                f"mails {received:5d}  worker RSS {rss:4d} MiB  (+{rss - first} since 200)"
                f"  connections {files}  {time.monotonic() - began:4.0f} s"
                f"  errors {len(soak.errors)}",
                flush=True,
            )
            step += 200
    print(f"worker CPU {cpu_seconds(worker.pid):.0f} s; worker {worker.tally()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1400)
    parser.add_argument("--flows", type=int, default=8)
    parser.add_argument("--worker-interval", type=float, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="tactful-soak-worker-") as name,
        soak_processes(Path(name), args.worker_interval) as (server, sink, worker, _url),
    ):
        soak, stop = Soak(server.url, 24 * 3600), threading.Event()
        threads = [threading.Thread(target=flows, args=(soak, stop)) for _ in range(args.flows)]
        for thread in threads:
            thread.start()
        try:
            measure(soak, sink, worker, args.mails)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
