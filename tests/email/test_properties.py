"""Invariants over random customers: consent, unsubscribes, time zones, purchases and caps.

Nothing is sent without consent, after an unsubscribe, after a purchase within the enrolment it
ends (exit: purchase; the new order may start a new one), in the
customer's quiet hours (21:00-08:00 local), more than twice in 7 days or less than 20 h apart.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.tables_email import email_outbox
from tactful.adapters.email import MemoryMailer
from tactful.container import build_container
from tactful.domain.sequences import zone
from tactful.settings import Settings
from tests.email.support import T0, buy, customer, seed_shop

FLOW = """\
sequences:
  - id: busy
    trigger: {type: order_placed}
    holdout: 0.0
    steps:
      - value: {template: tips}
      - wait: 1d
      - value: {template: tips}
      - wait: 1d
      - check_in: {question: "How is it going?"}
      - wait: 1d
      - value: {template: tips}
    exit: [purchase]
"""
ZONES = ["UTC", "Europe/London", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
PERSON = st.fixed_dictionaries(
    {
        "tz": st.sampled_from(ZONES),
        "consent": st.booleans(),
        "bought_at": st.integers(0, 47),
        "unsubscribe_at": st.none() | st.integers(0, 240),
        "purchase_at": st.none() | st.integers(1, 240),
    }
)
_epochs = itertools.count()


def test_invariants_hold_for_random_customers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'props.db'}"
    engine = build_engine(url)
    upgrade(engine)
    config = Settings.from_env(
        {},
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        secret_key="sk_test_secret_key_0123456789",
        publishable_key="pk_test_publishable_0123456789",
    )
    container = build_container(config, engine=engine, mail_sender=MemoryMailer())
    container.sequences.load_text(FLOW, "busy.yaml", T0)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(people=st.lists(PERSON, min_size=1, max_size=4))
    def check(people: list[dict[str, object]]) -> None:
        epoch = next(_epochs)
        start = T0 + timedelta(days=60 * epoch)
        ids = [f"e{epoch}p{i}" for i in range(len(people))]
        for who, person in zip(ids, people, strict=True):
            bought = start + timedelta(hours=int(person["bought_at"]))  # type: ignore[call-overload]
            seed_shop(
                container,
                [customer(who, consent=bool(person["consent"]), tz=str(person["tz"]))],
                at=bought,
            )
        events = _timeline(ids, people, start)
        clock = start
        while clock < start + timedelta(days=12):
            for at, action in [e for e in events if e[0] <= clock]:
                action()
                events.remove((at, action))
            container.email.run_due(clock)
            clock += timedelta(minutes=157)
        for who, person in zip(ids, people, strict=True):
            _assert_respected(engine, who, person, start)

    def _timeline(ids: list[str], people: list[dict[str, object]], start: datetime) -> list:  # type: ignore[type-arg]
        events = []
        for who, person in zip(ids, people, strict=True):
            if person["unsubscribe_at"] is not None:
                at = start + timedelta(hours=int(person["unsubscribe_at"]))  # type: ignore[call-overload]
                events.append(
                    (
                        at,
                        lambda w=who, t=at: container.email.store.set_preference(
                            w, "none", None, t
                        ),
                    )
                )
            if person["purchase_at"] is not None:
                at = start + timedelta(hours=48 + int(person["purchase_at"]))  # type: ignore[call-overload]
                events.append((at, lambda w=who, t=at: buy(container, w, "WORKBOOK", t)))
        return events

    check()
    container.close()
    engine.dispose()


def _sent(engine, who: str, *, first_enrolment_only: bool = False) -> list[datetime]:  # type: ignore[no-untyped-def]
    query = select(email_outbox.c.sent_at).where(
        email_outbox.c.customer_id == who, email_outbox.c.state == "sent"
    )
    if first_enrolment_only:
        query = query.where(email_outbox.c.enrolment_key == f"busy|{who}|order_placed:o-{who}")
    with engine.connect() as conn:
        return sorted(row.sent_at for row in conn.execute(query))


def _assert_respected(engine, who: str, person: dict[str, object], start: datetime) -> None:  # type: ignore[no-untyped-def]
    sent = _sent(engine, who)
    if not person["consent"]:
        assert sent == []
    if person["unsubscribe_at"] is not None:
        cut = start + timedelta(hours=int(person["unsubscribe_at"]))  # type: ignore[call-overload]
        assert all(at < cut for at in sent), (sent, cut)
    if person["purchase_at"] is not None:
        cut = start + timedelta(hours=48 + int(person["purchase_at"]))  # type: ignore[call-overload]
        assert all(at < cut for at in _sent(engine, who, first_enrolment_only=True))
    for at in sent:
        local = at.astimezone(zone(str(person["tz"]))).time()
        assert time(8) <= local < time(21), (at, person["tz"])
    for first, second in itertools.pairwise(sent):
        assert second - first >= timedelta(hours=20)
    for i, at in enumerate(sent):
        assert sum(1 for other in sent[i:] if other < at + timedelta(days=7)) <= 2
