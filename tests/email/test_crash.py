"""Crash safety: kill -9 the worker again and again mid-send; no mail lost, duplicates <= kills.

And an SMTP server that goes away: mails wait, then go out once it is back.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tactful.adapters.db.tables_email import email_outbox
from tactful.container import build_container
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.settings import Settings
from tests.email.smtp_server import SmtpServer
from tests.email.support import T0, seed_shop

ONE_STEP = """\
sequences:
  - id: crash
    trigger: {type: order_placed}
    holdout: 0.0
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: tips}
    exit: [unsubscribe]
"""
LEASE_STEP = timedelta(minutes=11)  # past the 10-minute lease, so a killed claim is taken over


def _customers(count: int) -> list[Customer]:
    given = Consent(ConsentPurpose.MARKETING_EMAIL, True, T0 - timedelta(days=1), "signup")
    return [
        Customer(CustomerId(f"c{i:05d}"), f"c{i:05d}@example.com", "UTC", (given,))
        for i in range(count)
    ]


def _enrolled(settings: Settings, engine: Engine, count: int) -> None:
    container = build_container(settings, engine=engine)
    container.sequences.load_text(ONE_STEP, "crash.yaml", T0)
    seed_shop(container, _customers(count), at=T0)
    assert container.email.enrol(T0 + timedelta(minutes=1)) == count
    container.close()


def _worker(env: dict[str, str], run: int) -> subprocess.Popen[bytes]:
    now = (T0 + timedelta(minutes=2) + run * LEASE_STEP).isoformat()
    return subprocess.Popen(
        [sys.executable, "-m", "tactful", "worker", "--once", "--now", now, "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _open(engine: Engine) -> int:
    with engine.connect() as conn:
        query = (
            select(func.count())
            .select_from(email_outbox)
            .where(email_outbox.c.state.in_(("due", "sending")))
        )
        return int(conn.execute(query).scalar_one())


def _sending_started(worker: subprocess.Popen[bytes], smtp: SmtpServer, before: int) -> None:
    """Wait until the worker has handed a mail to the SMTP server (or has exited), so that the
    kill lands mid-send however long a loaded machine takes to start a process."""
    give_up = time.monotonic() + 120
    while worker.poll() is None and len(smtp.inbox.messages) == before:
        if time.monotonic() > give_up:
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_during_10000_sends_loses_nothing(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    count, kills = 10_000, 0
    with SmtpServer() as smtp:
        env = {
            **os.environ,
            "TACTFUL_DATABASE_URL": settings.resolved_database_url,
            "TACTFUL_DATA_DIR": str(tmp_path),
            "TACTFUL_SECRET_KEY": settings.secret_key,
            "TACTFUL_PUBLISHABLE_KEY": settings.publishable_key,
            "TACTFUL_SMTP_URL": smtp.url,
        }
        _enrolled(settings, engine, count)
        rng = random.Random(7)
        run = 0
        while kills < 8 and _open(engine):
            worker = _worker(env, run)
            run += 1
            _sending_started(worker, smtp, len(smtp.inbox.messages))
            time.sleep(rng.uniform(0.5, 3.0))
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                kills += 1
            worker.wait()
        while _open(engine):
            worker = _worker(env, run)
            run += 1
            _out, err = worker.communicate(timeout=1800)
            assert worker.returncode == 0, err.decode()
        received = Counter(m["To"] for m in smtp.inbox.messages)
    assert kills >= 3
    assert len(received) == count  # nobody lost
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= kills


def test_mails_wait_while_the_smtp_server_is_down(settings: Settings, engine: Engine) -> None:
    smtp = SmtpServer()
    mailing = settings.model_copy(update={"smtp_url": smtp.url})
    container = build_container(mailing, engine=engine)
    container.sequences.load_text(ONE_STEP, "crash.yaml", T0)
    seed_shop(container, _customers(5), at=T0)
    assert container.email.run_due(T0 + timedelta(minutes=1)) == 5  # refused: all deferred
    assert _open(engine) == 5
    smtp.start()
    try:
        container.email.run_due(T0 + timedelta(minutes=1, seconds=30))  # backoff not over
        assert smtp.inbox.messages == []
        container.email.run_due(T0 + timedelta(minutes=3))
        assert len(smtp.inbox.messages) == 5
        assert _open(engine) == 0
    finally:
        smtp.stop()
        container.close()
