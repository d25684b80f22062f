"""POST /v1/models against a running `tactful serve` on the demo sample: time to the 202, the
job's duration, rules kept, the server's peak resident memory and that of the mining child
process it starts (Linux /proc), and decision latency while the job runs.

    python bench/mining_job.py [--supports 0.01,0.005] [--top-k 20] [--min-lift 1.0]

A fresh SQLite database in a temporary data dir gets the bundled Online Retail sample (what
`make demo` imports); one server serves every run, so its peak RSS is the peak over them all,
and the RSS sampled during each job is reported beside it. A decision is asked every 50 ms
while a job runs, to show the server keeps answering.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from http_load import PUBLISHABLE, SECRET
from http_servers import ROOT, Server, start_tactful, stop, tactful_env

SAMPLE = ROOT / "src" / "tactful" / "data" / "online_retail_sample.csv.gz"
AUTH = {"Authorization": f"Bearer {SECRET}"}


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A memory figure of one process from /proc/PID/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def prepare(database_url: str, data_dir: Path) -> None:
    """Schema and the demo sample, through the real CLI."""
    env = tactful_env(database_url, data_dir)
    for args in (["db", "upgrade"], ["import", str(SAMPLE), "--format", "online-retail"]):
        command = [sys.executable, "-m", "tactful", *args]
        subprocess.run(command, env=env, cwd=data_dir, check=True, capture_output=True)


def children_rss_mb(pid: int) -> float:
    """The summed RSS of a process's children (the mining process), 0 when there are none."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():  # a child belongs to the thread that
        with contextlib.suppress(FileNotFoundError):  # started it
            for child in (task / "children").read_text().split():
                with contextlib.suppress(FileNotFoundError, LookupError):  # it just ended
                    total += rss_mb(int(child))
    return total


class Sampler(threading.Thread):
    """Samples the server's and its children's RSS and asks decisions until stopped."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.peak, self.child_peak, self.decisions = server, 0.0, 0.0, 0
        self.latencies: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        url = f"http://127.0.0.1:{self.server.port}/v1/decisions"
        body = {"customer_id": "bench", "moment": "cart", "cart": [{"sku": "22423"}]}
        headers = {"Authorization": f"Bearer {PUBLISHABLE}"}
        pid = self.server.process.pid
        while not self.done.is_set():
            self.peak = max(self.peak, rss_mb(pid))
            self.child_peak = max(self.child_peak, children_rss_mb(pid))
            began = time.perf_counter()
            answer = httpx.post(url, json=body, headers=headers, timeout=30)
            self.latencies.append(time.perf_counter() - began)
            self.decisions += answer.status_code == 200
            time.sleep(0.05)

    def latency_ms(self, share: float) -> float:
        """A quantile of the decision latencies seen, in ms."""
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def one_run(server: Server, config: dict[str, Any]) -> dict[str, Any]:
    """One POST /v1/models, polled to its end."""
    base = f"http://127.0.0.1:{server.port}"
    sampler = Sampler(server)
    sampler.start()
    began = time.perf_counter()
    answer = httpx.post(f"{base}/v1/models", json=config, headers=AUTH, timeout=120)
    accepted = time.perf_counter() - began
    assert answer.status_code == 202, answer.text
    job = answer.json()
    while job["status"] not in ("succeeded", "failed"):
        time.sleep(0.1)
        job = httpx.get(f"{base}{job['url']}", headers=AUTH, timeout=120).json()
    duration = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    assert job["status"] == "succeeded", job
    summary = httpx.get(f"{base}/v1/models/current", headers=AUTH).json()["summary"]
    return {
        "accepted_ms": accepted * 1000,
        "duration_s": duration,
        "rules": summary["n_rules"],
        "rss_peak_mb": sampler.peak,
        "hwm_mb": rss_mb(server.process.pid, "VmHWM"),
        "child_peak_mb": sampler.child_peak,
        "decisions": sampler.decisions,
        "p50_ms": sampler.latency_ms(0.5),
        "p99_ms": sampler.latency_ms(0.99),
        "slowest_decision_ms": sampler.latency_ms(1.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supports", default="0.01,0.005")
    parser.add_argument("--top-k", type=int, default=20, help="0 sends null: every rule")
    parser.add_argument("--min-lift", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tactful-mining-job-") as tmp:
        data_dir = Path(tmp)
        database_url = f"sqlite:///{data_dir / 'bench.db'}"
        prepare(database_url, data_dir)
        server = start_tactful("mining", database_url, data_dir)
        try:
            print(f"server started: RSS {rss_mb(server.process.pid):.0f} MB")
            for support in (float(s) for s in args.supports.split(",")):
                config = {"min_support": support, "top_k": args.top_k or None}
                result = one_run(server, {**config, "min_lift": args.min_lift})
                print(
                    f"min_support {support}: 202 in {result['accepted_ms']:.0f} ms, job "
                    f"{result['duration_s']:.1f} s, {result['rules']:,} rules; server RSS peak "
                    f"{result['rss_peak_mb']:.0f} MB during the job, high-water mark "
                    f"{result['hwm_mb']:.0f} MB; mining child peak "
                    f"{result['child_peak_mb']:.0f} MB; {result['decisions']} decisions "
                    f"answered during the job: p50 {result['p50_ms']:.1f} ms, p99 "
                    f"{result['p99_ms']:.1f} ms, slowest {result['slowest_decision_ms']:.0f} ms"
                )
        finally:
            stop([server])


if __name__ == "__main__":
    main()
