"""The email worker on a real database: enrol, wait, send once, exit, respect consent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from tactful.settings import Settings
from tests.email.support import SEQUENCE_YAML, T0, buy, customer, email_container, seed_shop


@pytest.fixture
def shop(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    container, sender = email_container(settings)
    path = tmp_path / "seq.yaml"
    path.write_text(SEQUENCE_YAML)
    container.sequences.load_file(path, T0)
    yield container, sender
    container.close()


def test_a_step_goes_out_once_when_due(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    seed_shop(container, [customer("alice")], at=T0)
    worker = container.email
    assert worker.run_due(T0 + timedelta(hours=1)) == 0
    assert worker.run_due(T0 + timedelta(days=1, minutes=1)) == 1
    assert worker.run_due(T0 + timedelta(days=1, minutes=2)) == 0
    [mail] = sender.sent
    assert mail.to == "alice@example.com"
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "1 Example Street" in mail.text


def test_no_mail_without_consent(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    seed_shop(container, [customer("bob", consent=False)], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    container.email.run_due(T0 + timedelta(days=2))
    assert sender.sent == []


def test_unsubscribe_after_enrolment_stops_queued_mail(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    seed_shop(container, [customer("carol")], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    container.email.store.set_preference("carol", "none", None, T0 + timedelta(hours=2))
    container.email.run_due(T0 + timedelta(days=2))
    assert sender.sent == []


def test_quiet_hours_in_the_customers_timezone(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    # 10:00 UTC is 23:00 in Auckland (UTC+13 in March): the mail waits for 08:00 there.
    seed_shop(container, [customer("dave", tz="Pacific/Auckland")], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    assert container.email.run_due(T0 + timedelta(days=1, minutes=1)) == 0
    assert sender.sent == []
    container.email.run_due(T0 + timedelta(days=1, hours=9, minutes=1))
    assert len(sender.sent) == 1


def test_purchase_of_any_item_ends_a_purchase_sequence(settings: Settings, tmp_path: Path) -> None:
    container, sender = email_container(settings)
    text = SEQUENCE_YAML.replace("exit: [purchase_of_offer, unsubscribe]", "exit: [purchase]")
    container.sequences.load_text(text, "seq.yaml", T0)
    seed_shop(container, [customer("erin")], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    buy(container, "erin", "WORKBOOK", T0 + timedelta(hours=5))
    container.email.run_due(T0 + timedelta(days=2))
    container.close()
    assert sender.sent == []


def test_a_purchase_pauses_a_sequence_that_does_not_exit_on_it(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop  # exit: purchase_of_offer; the workbook was never offered
    seed_shop(container, [customer("fred")], at=T0)
    container.email.run_due(T0 + timedelta(hours=1))
    buy(container, "fred", "WORKBOOK", T0 + timedelta(hours=20))
    container.email.run_due(T0 + timedelta(days=1, minutes=1))
    assert sender.sent == []  # paused for 3 days after the purchase
    container.email.run_due(T0 + timedelta(days=3, hours=21))  # 07:00 UTC: quiet hours
    assert sender.sent == []
    container.email.run_due(T0 + timedelta(days=4))
    assert [m.to for m in sender.sent] == ["fred@example.com"]


def test_a_batch_records_its_outcomes_through_one_connection(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    seed_shop(container, [customer(f"c{i:02d}") for i in range(30)], at=T0)
    worker = container.email
    worker.enrol(T0 + timedelta(days=1, minutes=1))
    checkouts: list[object] = []

    def checked_out(*_args: object) -> None:
        checkouts.append(_args)

    event.listen(container.engine, "checkout", checked_out)
    try:
        assert worker.run_due(T0 + timedelta(days=1, minutes=1)) == 30
    finally:
        event.remove(container.engine, "checkout", checked_out)
    assert len(sender.sent) == 30
    assert len(checkouts) < 10  # claim, send-time facts, one for the outcomes: not one a mail
