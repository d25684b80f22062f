"""Complaints from feedback loops (ARF, RFC 5965) and the optional open pixel, on a real DB,
with mails the worker really sent through aiosmtpd."""

from __future__ import annotations

import json
import mailbox
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tactful.adapters.db.repositories.customers import get_customer
from tactful.adapters.db.tables_email import email_enrolments, email_outbox, email_suppressions
from tactful.adapters.db.tables_storefront import webhook_outbox
from tactful.container import Container, build_container
from tactful.domain.customers import ConsentPurpose
from tactful.domain.sequences.arf import ArfError, parse_feedback_report
from tactful.domain.webhooks_out import EventType
from tactful.settings import Settings
from tests.conftest import LiveServer
from tests.email.smtp_server import SmtpServer
from tests.email.support import SEQUENCE_YAML, T0, customer, seed_shop

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arf"
PEOPLE = ["ann", "ben"]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def arf(original: bytes, *, kind: str = "message/rfc822", feedback: str = "abuse") -> bytes:
    """A feedback report around a reported message, as a provider's feedback loop sends it."""
    if kind == "text/rfc822-headers":
        headers = original.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode()
        lines = [h for h in headers.splitlines() if not h.lower().startswith("to:")]
        body = "\r\n".join([*lines, "To: redacted@example.com"]) + "\r\n"
        recipient = "redacted@example.com"
    else:
        body = original.decode()
        recipient = "ann@example.com"
    return (
        "From: staff@fbl.example.net\r\n"
        "To: fbl@example.com\r\n"
        "Subject: complaint about message from 192.0.2.1\r\n"
        f"Message-ID: <report-{kind.replace('/', '-')}-{feedback}@fbl.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="fbl"\r\n'
        "\r\n--fbl\r\nContent-Type: text/plain\r\n\r\n"
        "This is an email abuse report for a message received from 192.0.2.1.\r\n"
        "\r\n--fbl\r\nContent-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {feedback}\r\nUser-Agent: ExampleFBL/1.0\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: <{recipient}>\r\n"
        "Arrival-Date: Mon, 02 Mar 2026 11:00:00 +0000\r\n"
        f"\r\n--fbl\r\nContent-Type: {kind}\r\nContent-Disposition: inline\r\n\r\n"
        f"{body}\r\n--fbl--\r\n"
    ).encode()


def _send_first_mails(settings: Settings, engine: Engine, smtp: SmtpServer, yaml: str) -> Container:
    container = build_container(settings.model_copy(update={"smtp_url": smtp.url}), engine=engine)
    container.sequences.load_text(yaml, "seq.yaml", T0)
    seed_shop(container, [customer(p) for p in PEOPLE], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    container.email.run_due(T0 + timedelta(days=1, minutes=5))
    assert len(smtp.inbox.raw) == len(PEOPLE)
    return container


def _raw_to(smtp: SmtpServer, person: str) -> bytes:
    [raw] = [
        r for r, m in zip(smtp.inbox.raw, smtp.inbox.messages, strict=True) if person in m["To"]
    ]
    return raw


def test_the_rfc_5965_example_reads_as_a_complaint() -> None:
    report = parse_feedback_report((FIXTURES / "rfc5965_example.eml").read_bytes())
    assert report.feedback_type == "abuse"
    assert report.is_complaint
    assert report.address == "user@example.com"
    assert report.user_agent == "SomeGenerator/1.0"
    assert report.mail_id is None  # not one of our mails
    assert report.arrived_at is not None
    assert report.arrived_at.year == 2005


def test_what_is_not_a_feedback_report_is_refused_naming_the_part() -> None:
    with pytest.raises(ArfError) as caught:
        parse_feedback_report(b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
    assert caught.value.field == "message/feedback-report"
    no_type = arf(b"Subject: x\r\n\r\nx").replace(b"Feedback-Type: abuse\r\n", b"")
    with pytest.raises(ArfError) as caught:
        parse_feedback_report(no_type)
    assert caught.value.field == "Feedback-Type"


def test_a_complaint_over_http_exits_every_sequence_and_suppresses(
    settings: Settings, engine: Engine, smtp: SmtpServer, live_server: LiveServer
) -> None:
    container = _send_first_mails(settings, engine, smtp, SEQUENCE_YAML)
    url = f"{live_server.url}/v1/email/complaints"
    secret = {"Authorization": f"Bearer {settings.secret_key}", "Content-Type": "message/rfc822"}
    report = arf(_raw_to(smtp, "ann"))
    public = {**secret, "Authorization": f"Bearer {settings.publishable_key}"}
    assert httpx.post(url, content=report, headers=public).status_code == 403
    first = httpx.post(url, content=report, headers=secret)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["complaint"] is True
    assert body["customer_id"] == "ann"
    assert body["address"] == "ann@example.com"
    assert body["new"] is True
    assert body["sequences_ended"] == 1
    again = httpx.post(url, content=report, headers=secret).json()
    assert again["new"] is False
    assert again["sequences_ended"] == 0
    with engine.connect() as conn:
        suppressed = conn.execute(select(email_suppressions)).all()
        ended = conn.execute(select(email_enrolments.c.customer_id, email_enrolments.c.exit_reason))
        states = {row.customer_id: row.exit_reason for row in ended}
        queued = conn.execute(
            select(email_outbox.c.customer_id, email_outbox.c.state).where(
                email_outbox.c.state == "due"
            )
        ).all()
    assert [(s.address, s.reason) for s in suppressed] == [("ann@example.com", "complaint")]
    assert states == {"ann": "complaint", "ben": None}
    assert [row.customer_id for row in queued] == ["ben"]  # ann's next mail was cancelled
    container.email.run_due(T0 + timedelta(days=30))
    assert sorted(m["To"] for m in smtp.inbox.messages).count("ann@example.com") == 1
    refused = httpx.post(url, content=b"Subject: hi\r\n\r\nhello", headers=secret)
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "message/feedback-report"
    container.close()


def test_a_complaint_unsubscribes_like_an_unsubscribe_does(
    settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    container = _send_first_mails(settings, engine, smtp, SEQUENCE_YAML)
    container.webhooks.register("http://127.0.0.1:9/hooks", [EventType.UNSUBSCRIBE])
    report = arf(_raw_to(smtp, "ann"))
    assert container.email_feedback.complaint(report).outcome is not None
    container.email_feedback.complaint(report)  # the same report again: nothing more
    with engine.connect() as conn:
        hooks = conn.execute(select(webhook_outbox.c.event_type, webhook_outbox.c.payload)).all()
        ann, ben = get_customer(conn, "ann"), get_customer(conn, "ben")
    assert ann is not None
    assert ben is not None
    assert not ann.allows(ConsentPurpose.MARKETING_EMAIL)
    assert ben.allows(ConsentPurpose.MARKETING_EMAIL)
    assert [h.event_type for h in hooks] == ["unsubscribe"]
    data = json.loads(hooks[0].payload)["data"]
    assert (data["customer_id"], data["preference"]) == ("ann", "none")
    container.close()


def test_a_redacted_report_in_a_maildir_is_matched_by_our_headers(
    settings: Settings, engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    from tactful.cli import app

    container = _send_first_mails(settings, engine, smtp, SEQUENCE_YAML)
    folder = mailbox.Maildir(tmp_path / "fbl", create=True)
    folder.add(arf(_raw_to(smtp, "ben"), kind="text/rfc822-headers"))
    folder.add(arf(_raw_to(smtp, "ann"), feedback="not-spam"))
    folder.add(b"Subject: a newsletter\r\n\r\nnot a report\r\n")
    env = {
        "TACTFUL_DATABASE_URL": str(settings.resolved_database_url),
        "TACTFUL_DATA_DIR": str(tmp_path),
        "TACTFUL_SECRET_KEY": settings.secret_key or "",
        "TACTFUL_PUBLISHABLE_KEY": settings.publishable_key or "",
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(app, ["complaints", str(tmp_path / "fbl")], env=env)
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "abuse: ben@example.com (ben) suppressed, 1 sequence(s) ended" in out
    assert "not-spam: not a complaint, nothing done" in out
    assert "message/feedback-report: no feedback-report part" in out
    assert "1 message(s) were not feedback reports" in out
    with engine.connect() as conn:
        suppressed = conn.execute(select(email_suppressions.c.address)).scalars().all()
    assert suppressed == ["ben@example.com"]
    container.close()


TRACKED_YAML = SEQUENCE_YAML.replace(
    "    holdout: 0.0\n", "    holdout: 0.0\n    track_opens: true\n"
)


def test_the_open_pixel_is_off_by_default(
    settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    container = _send_first_mails(settings, engine, smtp, SEQUENCE_YAML)
    for message in smtp.inbox.messages:
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "/email/open.gif" not in html
    container.close()


def test_an_opt_in_pixel_records_the_first_open_once(
    settings: Settings, engine: Engine, smtp: SmtpServer, live_server: LiveServer
) -> None:
    container = _send_first_mails(settings, engine, smtp, TRACKED_YAML)
    message = smtp.inbox.messages[0]
    mail_id = int(message["X-Tactful-Mail"])
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    start = html.index('src="http://127.0.0.1:8000/email/open.gif?') + len('src="')
    pixel = html[start : html.index('"', start)].replace("&amp;", "&")
    url = f"{live_server.url}{urlsplit(pixel).path}?{urlsplit(pixel).query}"
    assert container.email_feedback.first_open(mail_id) is None
    first = httpx.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/gif"
    assert first.headers["cache-control"] == "no-store"
    opened = container.email_feedback.first_open(mail_id)
    assert opened is not None
    assert httpx.get(url).status_code == 200
    assert container.email_feedback.first_open(mail_id) == opened  # recorded once
    forged = url.replace(f"m={mail_id}", f"m={mail_id + 1}")
    answer = httpx.get(forged)
    assert answer.status_code == 200  # never a broken image in a mail
    assert answer.content == first.content
    assert container.email_feedback.first_open(mail_id + 1) is None
    container.close()


def test_track_opens_must_be_a_boolean() -> None:
    from tactful.adapters.email import JinjaMailTemplates
    from tactful.domain.sequences import SequenceFileError
    from tactful.services.sequences import parse_text

    bad = TRACKED_YAML.replace("track_opens: true", "track_opens: sometimes")
    with pytest.raises(SequenceFileError) as caught:
        parse_text(bad, "seq.yaml", JinjaMailTemplates())
    assert caught.value.field == "sequences[0].track_opens"
    assert caught.value.line == 5
