"""The soak's mail half: a local SMTP sink (aiosmtpd) and a real `tactful worker` process.

Every paying shopper of the soak is a customer with marketing consent, and the soak's sequence
(`order_placed` of the page's main product, no holdout, no quiet hours, one mail) enrols each of
them once, so the mails expected are exactly the paid orders. The sink keeps only what the count
needs (Message-ID and recipient), never whole messages, so its memory stays flat.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from tests.e2e.seed import PAGE, seed_catalogue
from tests.support.killable import SECRET_AUTH, KillableServer, free_port, tactful_environment

SOAK_SEQUENCE: dict[str, Any] = {
    "sequences": [
        {
            "id": "soak-thanks",
            "trigger": {"type": "order_placed", "sku": "COURSE"},
            "holdout": 0.0,
            "quiet_hours": "00:00-00:00",
            "steps": [{"value": {"template": "tips", "subject": "Thanks: a few tips"}}],
            "exit": ["unsubscribe"],
        }
    ]
}


class CountingInbox:
    """aiosmtpd handler: counts each mail by Message-ID and recipient."""

    def __init__(self) -> None:
        self.message_ids: Counter[str] = Counter()
        self.recipients: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self._lock:
            self.message_ids[str(headers["Message-ID"])] += 1
            for recipient in envelope.rcpt_tos:
                self.recipients[recipient] += 1
        return "250 OK"

    def received(self) -> int:
        with self._lock:
            return sum(self.message_ids.values())

    def duplicates(self) -> tuple[int, int]:
        """Mails received again under a Message-ID seen before; recipients mailed twice."""
        with self._lock:
            again = sum(n - 1 for n in self.message_ids.values())
            twice = sum(1 for n in self.recipients.values() if n > 1)
        return again, twice


class SmtpSink:
    """aiosmtpd on 127.0.0.1; a context manager."""

    def __init__(self, port: int) -> None:
        self.inbox = CountingInbox()
        self.port = port
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=false"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


class WorkerProcess:
    """`python -m tactful worker --json` in its own process group, output to a file."""

    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        self.env, self.log = env, data_dir / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> WorkerProcess:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tactful", "worker", "--json"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tally(self) -> dict[str, int]:
        """Runs, mails sent by its own count, failed parts and error log lines."""
        runs = sent = failed = errors = 0
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                errors += "Traceback" in line
                continue
            if "handled" in record:
                runs += 1
                sent += max(0, int(record["handled"].get("email", 0)))
                failed += sum(1 for n in record["handled"].values() if n < 0)
            elif str(record.get("level", "")).lower() in {"error", "critical"}:
                errors += 1
        return {"runs": runs, "handled": sent, "failed_parts": failed, "error_lines": errors}


@contextmanager
def soak_processes(
    tmp: Path, worker_interval: float
) -> Iterator[tuple[KillableServer, SmtpSink, WorkerProcess, str]]:
    """`tactful serve` on a fresh SQLite file in `tmp` with the soak's page and sequence, an
    SMTP sink, and `tactful worker` sending to it; yields them and the database URL."""
    url = f"sqlite:///{tmp}/tactful.db"
    quiet = {"TACTFUL_ACCESS_LOG": "false"}
    with (
        KillableServer(url, tmp / "var", extra_env=quiet) as server,
        SmtpSink(free_port()) as sink,
    ):
        engine = sa.create_engine(url)
        seed_catalogue(engine)
        engine.dispose()
        for path, body in (("/v1/checkout-pages", PAGE), ("/v1/sequences", SOAK_SEQUENCE)):
            answer = httpx.post(f"{server.url}{path}", json=body, headers=SECRET_AUTH)
            assert answer.status_code == 201, answer.text
        env = tactful_environment(
            url,
            tmp / "var",
            {
                **quiet,
                "TACTFUL_SMTP_URL": sink.url,
                "TACTFUL_WORKER_INTERVAL": str(worker_interval),
                "TACTFUL_REMINE_EVERY_HOURS": "0",
            },
        )
        with WorkerProcess(env, tmp) as worker:
            yield server, sink, worker, url
