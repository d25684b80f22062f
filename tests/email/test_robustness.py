"""Two workers sharing the outbox, a template failing at send time, DKIM signatures."""

from __future__ import annotations

import base64
import dataclasses
import subprocess
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import dkim
from sqlalchemy import Engine

from tactful.adapters.email import MemoryMailer
from tactful.adapters.email.message import DkimKey, to_bytes
from tactful.container import build_container
from tactful.domain.customers import Consent, ConsentPurpose, Customer, CustomerId
from tactful.services.ports.email import OutgoingMail
from tactful.settings import Settings
from tests.email.support import T0, seed_shop

FLOW = """\
sequences:
  - id: shared
    trigger: {type: order_placed}
    holdout: 0.0
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: TEMPLATE}
    exit: [unsubscribe]
"""


def _people(count: int) -> list[Customer]:
    given = Consent(ConsentPurpose.MARKETING_EMAIL, True, T0 - timedelta(days=1), "signup")
    return [
        Customer(CustomerId(f"w{i:04d}"), f"w{i:04d}@example.com", "UTC", (given,))
        for i in range(count)
    ]


def test_two_workers_share_the_outbox_without_sending_twice(
    settings: Settings, engine: Engine
) -> None:
    sender = MemoryMailer()
    workers = [build_container(settings, engine=engine, mail_sender=sender) for _ in range(2)]
    for worker in workers:
        worker.email.config = dataclasses.replace(worker.email.config, batch=25)
    workers[0].sequences.load_text(FLOW.replace("TEMPLATE", "tips"), "shared.yaml", T0)
    seed_shop(workers[0], _people(400), at=T0)
    workers[0].email.enrol(T0 + timedelta(minutes=1))
    at = T0 + timedelta(minutes=2)
    threads = [threading.Thread(target=w.email.run_due, args=(at,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.close()
    received = Counter(mail.to for mail in sender.sent)
    assert len(received) == 400
    assert set(received.values()) == {1}


def test_a_template_failing_at_send_time_fails_that_mail_only(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "picky.html").write_text("{% if items[5] %}never{% endif %}")
    (folder / "picky.txt").write_text("text")
    sender = MemoryMailer()
    custom = settings.model_copy(update={"email_templates_dir": str(folder)})
    container = build_container(custom, engine=engine, mail_sender=sender)
    container.sequences.load_text(FLOW.replace("TEMPLATE", "picky"), "picky.yaml", T0)
    good = FLOW.replace("TEMPLATE", "tips").replace("id: shared", "id: fine")
    container.sequences.load_text(good, "fine.yaml", T0)
    seed_shop(container, _people(3), at=T0)
    container.email.run_due(T0 + timedelta(minutes=1))
    container.email.run_due(T0 + timedelta(days=1))
    outbox = container.email.store.outbox(100)
    container.close()
    states = Counter((entry.sequence_id, entry.state) for entry in outbox)
    assert states[("shared", "failed")] == 3
    assert states[("fine", "sent")] == 3
    assert all("template" in (e.error or "") for e in outbox if e.state == "failed")


def test_dkim_signature_verifies_and_covers_list_unsubscribe(tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(key), "2048"],
        check=True,
        capture_output=True,
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    mail = OutgoingMail(
        7,
        "ann@example.com",
        "shop@example.com",
        "Tips",
        "<p>hi</p>",
        "hi",
        {
            "List-Unsubscribe": "<https://x/u>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    signed = to_bytes(mail, DkimKey.from_file(key, "tactful", "example.com"))
    assert signed.startswith(b"DKIM-Signature:")
    header = signed.split(b"\r\n\r\n", 1)[0]
    assert b"list-unsubscribe-post" in header.lower()

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"tactful._domainkey.example.com."
        return record

    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"hi", b"ho"), dnsfunc=dns)
