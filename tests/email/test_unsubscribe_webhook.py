"""`unsubscribe` webhooks out: a one-click unsubscribe over HTTP queues one message in the
transaction that stores the choice, a repeat queues none, and it reaches a real receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine, func, select
from standardwebhooks import Webhook

from tactful.adapters.db.tables_storefront import webhook_outbox
from tactful.container import build_container
from tactful.domain.webhooks_out import EventType
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.email.smtp_server import SmtpServer
from tests.email.test_smtp_delivery import _run
from tests.support.webhook_receiver import Receiver

ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def _outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_outbox)).scalar_one())


def test_one_click_unsubscribe_publishes_once(
    settings: Settings, engine: Engine, smtp: SmtpServer
) -> None:
    first = _run(settings, engine, smtp)[0]
    url = first["List-Unsubscribe"].split(",")[0].strip("<> ")
    who = first["To"].split("@")[0]
    container = build_container(settings, engine=engine)
    with Receiver() as receiver, LiveServer(create_app(settings, container=container)) as server:
        endpoint = container.webhooks.register(receiver.url, [EventType.UNSUBSCRIBE])
        local = url.replace("http://127.0.0.1:8000", server.url)
        for _ in range(2):  # the second is a repeat: already unsubscribed, nothing new to say
            done = httpx.post(local, content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
            assert done.status_code == 200
        assert _outbox_rows(engine) == 1
        assert container.webhook_delivery.run_due(datetime.now(UTC)) == 1
        [got] = receiver.received
    container.close()
    Webhook(endpoint.secret).verify(got.body, got.headers)
    body = json.loads(got.body)
    assert body["type"] == "unsubscribe"
    assert body["data"]["customer_id"] == who
    assert body["data"]["preference"] == "none"
