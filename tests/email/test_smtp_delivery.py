"""Mail through a real SMTP server (aiosmtpd): headers on every mail, links followed over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from tactful.adapters.db.tables_email import email_interactions
from tactful.container import build_container
from tactful.domain.customers import ConsentPurpose
from tactful.services.email_compose import click_url
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.email.smtp_server import SmtpServer
from tests.email.support import SEQUENCE_YAML, T0, customer, seed_shop

PEOPLE = ["ann", "ben", "cat", "dan", "eve"]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def _run(settings: Settings, engine: Engine, smtp: SmtpServer) -> list[Message]:
    mailing = settings.model_copy(update={"smtp_url": smtp.url})
    container = build_container(mailing, engine=engine)
    container.sequences.load_text(SEQUENCE_YAML, "seq.yaml", T0)
    seed_shop(container, [customer(p) for p in PEOPLE], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    container.email.run_due(T0 + timedelta(days=1, minutes=5))
    container.close()
    return smtp.inbox.messages


def _link(body: str, path: str) -> str:
    start = body.index(f"http://127.0.0.1:8000{path}")
    return body[start:].split()[0]


def test_every_mail_carries_the_headers_of_a_marketing_mail(
    settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    messages = _run(settings, engine, smtp)
    assert sorted(m["To"] for m in messages) == sorted(f"{p}@example.com" for p in PEOPLE)
    for message in messages:
        assert message["From"] == "shop@example.com"
        assert message["Subject"]
        assert message["Date"]
        assert message["Message-ID"].startswith("<tactful-")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"]
        assert "<http://127.0.0.1:8000/email/unsubscribe?" in unsubscribe
        assert "<mailto:unsubscribe@example.com" in unsubscribe
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "1 Example Street" in text
        assert "1 Example Street" in html
        assert 'style="' in html  # CSS inlined


def test_unsubscribe_get_asks_and_one_click_post_unsubscribes(
    settings: Settings, engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    messages = _run(settings, engine, smtp)
    first = messages[0]
    url = first["List-Unsubscribe"].split(",")[0].strip("<> ")
    who = first["To"].split("@")[0]
    container = build_container(settings, engine=engine)
    with LiveServer(create_app(settings, container=container)) as server:
        local = url.replace("http://127.0.0.1:8000", server.url)
        page = httpx.get(local)
        assert page.status_code == 200
        assert "<form" in page.text
        assert container.email.store.recipient(who).customer.allows(  # type: ignore[union-attr]
            ConsentPurpose.MARKETING_EMAIL
        )
        done = httpx.post(
            local,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200
        recipient = container.email.store.recipient(who)
        assert recipient is not None
        assert recipient.mode == "none"
        assert not recipient.customer.allows(ConsentPurpose.MARKETING_EMAIL)
        forged = httpx.post(local.replace("s=", "s=x"))
        assert forged.status_code == 400
    count = len(smtp.inbox.messages)
    container.email.run_due(T0 + timedelta(days=30))
    sent_to = [m["To"] for m in smtp.inbox.messages[count:]]
    assert f"{who}@example.com" not in sent_to


def test_preferences_page_pauses(settings: Settings, engine: Engine, smtp: SmtpServer) -> None:
    messages = _run(settings, engine, smtp)
    text = messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    prefs = _link(text, "/email/preferences")
    container = build_container(settings, engine=engine)
    with LiveServer(create_app(settings, container=container)) as server:
        local = prefs.replace("http://127.0.0.1:8000", server.url)
        assert "Pause marketing mail for 30 days" in httpx.get(local).text
        saved = httpx.post(local, data={"choice": "paused"})
        assert saved.status_code == 200
    recipient = container.email.store.recipient(messages[0]["To"].split("@")[0])
    assert recipient is not None
    assert recipient.mode == "paused"
    assert recipient.paused_until
    container.close()


def test_links_go_through_a_signed_click_redirect(
    settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    mailing = settings.model_copy(update={"smtp_url": smtp.url})
    container = build_container(mailing, engine=engine)
    container.sequences.load_text(
        SEQUENCE_YAML.replace("      - wait: 1d\n      - value: {template: tips}\n", ""),
        "seq.yaml",
        T0,
    )
    seed_shop(container, [customer("fay")], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    container.email.run_due(T0 + timedelta(days=3, hours=1))
    container.email.run_due(T0 + timedelta(days=10, hours=2))
    base = "http://127.0.0.1:8000"
    with LiveServer(create_app(mailing, container=container)) as server:
        for message in smtp.inbox.messages:
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            if "8000/email/feedback" in text:
                local = _link(text, "/email/feedback").replace(base, server.url)
                assert httpx.get(local).status_code == 200
        mail_id = int(smtp.inbox.messages[0]["X-Tactful-Mail"])
        target = "https://shop.example/products/WORKBOOK?x=1"
        link = click_url(container.email.config, mail_id, target).replace(base, server.url)
        answer = httpx.get(link, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == target
        tampered = link.replace("WORKBOOK", "EVIL")
        assert httpx.get(tampered, follow_redirects=False).status_code == 400
    with engine.connect() as conn:
        kinds = sorted(row.kind for row in conn.execute(select(email_interactions)))
    assert kinds == ["click", "rating"]
