"""The per-sequence report: enrolments, mails and clicks, and opens only where a sequence tracks
them; from the service on SQLite and PostgreSQL, and from `tactful sequences report`."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine
from typer.testing import CliRunner

from tactful.adapters.db.engine import build_engine
from tactful.container import Container, build_container
from tactful.services.email_compose import sign
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.email.support import T0, buy, customer, email_container, seed_shop
from tests.web.admin.test_admin_site import sign_in

SEQUENCES = """\
sequences:
  - id: tracked
    trigger: {type: order_placed, sku: COURSE}
    holdout: 0.0
    track_opens: true
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: tips}
    exit: [unsubscribe]
  - id: plain
    trigger: {type: order_placed, sku: WORKBOOK}
    holdout: 0.0
    quiet_hours: "00:00-00:00"
    steps:
      - value: {template: tips}
    exit: [unsubscribe]
"""


def send_and_react(container: Container) -> None:
    """Alice and Bob get the tracked sequence's mail, Carol the plain one's; Alice's mail and
    Carol's load the pixel (Carol's carries none: a forged load), Bob clicks."""
    container.sequences.load_text(SEQUENCES, "report.yaml", T0)
    seed_shop(container, [customer("alice"), customer("bob")], at=T0)
    container.ingest.customers([customer("carol")])
    buy(container, "carol", "WORKBOOK", T0)
    assert container.email.run_due(T0 + timedelta(minutes=5)) == 3
    mails = {e.customer_id: e.mail_id for e in container.email.store.outbox(10)}
    config = container.email.config
    for who in ("alice", "carol"):
        mail_id = mails[who]
        assert container.email_feedback.opened(mail_id, sign(config, "open", str(mail_id)))
    container.email.store.record_interaction(mails["bob"], "click", "https://shop.test/", T0)


def test_opens_are_counted_only_where_tracking_is_on(settings: Settings) -> None:
    container, sender = email_container(settings)
    try:
        send_and_react(container)
        figures = {f.sequence_id: f for f in container.email_report.figures()}
    finally:
        container.close()
    assert len(sender.sent) == 3
    tracked, plain = figures["tracked"], figures["plain"]
    assert (tracked.enrolled, tracked.held_out, tracked.sent, tracked.clicked) == (2, 0, 2, 1)
    assert (tracked.tracked, tracked.opened, tracked.open_rate) == (2, 1, 0.5)
    assert (plain.enrolled, plain.sent, plain.clicked) == (1, 1, 0)
    assert (plain.tracked, plain.opened, plain.open_rate) == (None, None, None)


def test_the_report_command(tmp_path: Path) -> None:
    from tactful.cli import app

    env = {
        "TACTFUL_DATA_DIR": str(tmp_path),
        "TACTFUL_SECRET_KEY": "sk_test_secret_key_0123456789",
        "TACTFUL_PUBLISHABLE_KEY": "pk_test_publishable_0123456789",
        "TACTFUL_SMTP_URL": f"file:{tmp_path / 'mails'}",
        "COLUMNS": "200",
    }
    empty = CliRunner().invoke(app, ["sequences", "report", "--json"], env=env)
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.output)["sequences"] == []
    settings = Settings.from_env(env)
    engine = build_engine(settings.resolved_database_url)
    container = build_container(settings, engine=engine)
    try:
        send_and_react(container)
    finally:
        container.close()
        engine.dispose()
    shown = CliRunner().invoke(app, ["sequences", "report", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    rows = {row["sequence_id"]: row for row in body["sequences"]}
    assert rows["tracked"]["opens"] == {"tracked_mails": 2, "opened": 1}
    assert rows["plain"]["opens"] is None
    assert rows["plain"]["sent"] == 1
    assert "tracking on" in body["opens_note"]
    table = CliRunner().invoke(app, ["sequences", "report"], env=env)
    assert table.exit_code == 0, table.output
    lines = {line.split()[0]: line for line in table.output.splitlines() if line.strip()}
    assert "1 of 2 (50.0%)" in lines["tracked"]
    assert "not tracked" in lines["plain"]
    assert "opens (tracked mails only)" in table.output


def test_the_admin_page_labels_opens_as_tracked_only(settings: Settings, engine: Engine) -> None:
    container, _ = email_container(settings)
    try:
        send_and_react(container)
    finally:
        container.close()
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        page = client.get("/admin/sequences")
    assert page.status_code == 200
    rows = {
        cells[0]: cells
        for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page.text)
        if (cells := re.split(r"</t[hd]><t[hd][^>]*>", row))
    }
    assert rows["tracked"][-1].startswith("1 of 2 (50.0%)")
    assert rows["plain"][-1].startswith("not tracked")
    assert page.text.count('<td class="num">') == 2 * 5  # every figure right-aligned
    assert "opens (tracked mails only)" in page.text
    assert "Apple Mail Privacy Protection" in page.text
