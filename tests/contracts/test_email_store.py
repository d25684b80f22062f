"""The `EmailStore` contract (issue 23): SQLite, PostgreSQL and memory keep the same promises.

Versions never change once stored; enrolment and scheduling are idempotent per (enrolment,
step); a claim holds a mail until its lease runs out, and only the holder's token finishes it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tactful.domain.customers import ConsentPurpose
from tactful.domain.sequences.branches import Reaction
from tactful.services.ports.email import NewMail, Outcome
from tactful.services.ports.storage import Database
from tests.contracts.email_support import (
    LEASE,
    T0,
    email_store,
    enrol,
    order,
    seed_customers,
    seed_products,
)

DEFINITION = {"id": "s", "trigger": {"type": "order_placed"}, "steps": [{"wait": "1d"}]}


def test_versions_are_kept_and_only_the_newest_is_active(database: Database) -> None:
    store = email_store(database)
    assert store.save_sequence("s", DEFINITION, "a: 1", T0) == (1, True)
    assert store.save_sequence("s", dict(DEFINITION), "a: 1", T0) == (1, False)
    edited = {**DEFINITION, "holdout": 0.2}
    assert store.save_sequence("s", edited, "a: 2", T0 + timedelta(hours=1)) == (2, True)
    assert store.save_sequence("other", DEFINITION, "b", T0) == (1, True)
    active = store.active_sequences()
    assert [(s.sequence_id, s.version) for s in active] == [("other", 1), ("s", 2)]
    first = store.sequence_version("s", 1)
    assert first is not None
    assert first.definition == DEFINITION
    assert not first.active
    assert store.sequence_version("s", 3) is None


def test_enrolment_and_first_mails_are_stored_once(database: Database) -> None:
    store = email_store(database)
    key = enrol(store, "c1", T0, T0 + timedelta(days=1))
    assert enrol(store, "c1", T0) == key
    enrolment = store.enrolment(key)
    assert enrolment is not None
    assert (enrolment.customer_id, enrolment.state, enrolment.trigger_at) == ("c1", "active", T0)
    assert store.enrolment("nobody") is None
    assert [(e.step, e.due_at) for e in sorted(store.outbox(10), key=lambda e: e.step)] == [
        (0, T0),
        (1, T0 + timedelta(days=1)),
    ]


def test_claim_takes_due_mails_oldest_first_up_to_the_limit(database: Database) -> None:
    store = email_store(database)
    for n, minutes in enumerate((3, 1, 2, -60)):
        enrol(store, f"c{n}", T0 + timedelta(minutes=minutes))
    now = T0 + timedelta(minutes=2)
    first = store.claim(now, 2, LEASE)
    assert [m.customer_id for m in first] == ["c3", "c1"]
    assert all(m.attempts == 1 for m in first)
    assert [m.customer_id for m in store.claim(now, 10, LEASE)] == ["c2"]
    assert store.claim(now, 10, LEASE) == []  # held by their claims; c0 is not due


def test_an_expired_lease_is_claimed_again_and_the_old_token_is_void(database: Database) -> None:
    store = email_store(database)
    enrol(store, "c1", T0)
    (first,) = store.claim(T0, 1, LEASE)
    assert store.claim(T0 + LEASE - timedelta(seconds=1), 1, LEASE) == []
    (second,) = store.claim(T0 + LEASE + timedelta(seconds=1), 1, LEASE)
    assert (second.mail_id, second.attempts) == (first.mail_id, 2)
    assert second.claim_token != first.claim_token
    sent = Outcome("sent", T0 + LEASE, "c1@example.com", "Hi")
    assert not store.finish(first, sent, None)
    assert not store.defer(first, T0 + timedelta(hours=1))
    assert store.finish(second, sent, None)
    assert [e.state for e in store.outbox(10)] == ["sent"]


def test_finish_records_the_send_and_schedules_the_next_step_once(database: Database) -> None:
    store = email_store(database)
    key = enrol(store, "c1", T0)
    (mail,) = store.claim(T0, 5, LEASE)
    later = NewMail(key, 2, "c1", T0 + timedelta(days=3))
    outcome = Outcome("sent", T0, "c1@example.com", "Tips", ("BOOK", "MUG"))
    assert store.finish(mail, outcome, later)
    assert store.sent_times("c1", T0 - timedelta(days=7)) == [T0]
    assert store.sent_times("c1", T0) == []
    assert store.offered_in(key) == {"BOOK", "MUG"}
    store.enrol([], [later])  # scheduling again changes nothing
    entries = {e.step: e for e in store.outbox(10)}
    assert set(entries) == {0, 2}
    assert (entries[0].state, entries[0].subject, entries[0].sent_at) == ("sent", "Tips", T0)
    assert entries[0].sequence_id == "s"
    assert store.mail_customer(mail.mail_id) == "c1"
    assert store.mail_customer(10_000) is None
    enrolment = store.enrolment(key)
    assert enrolment is not None
    assert enrolment.state == "active"


def test_the_last_step_finishes_the_enrolment(database: Database) -> None:
    store = email_store(database)
    key = enrol(store, "c1", T0)
    (mail,) = store.claim(T0, 5, LEASE)
    assert store.finish(mail, Outcome("skipped", T0, error="no offer"), None)
    enrolment = store.enrolment(key)
    assert enrolment is not None
    assert enrolment.state == "done"
    assert store.sent_times("c1", T0 - timedelta(days=1)) == []


def test_defer_puts_the_mail_back_later(database: Database) -> None:
    store = email_store(database)
    enrol(store, "c1", T0)
    (mail,) = store.claim(T0, 1, LEASE)
    assert store.defer(mail, T0 + timedelta(hours=2), "451 try later")
    assert store.claim(T0 + timedelta(hours=1), 1, LEASE) == []
    (again,) = store.claim(T0 + timedelta(hours=2), 1, LEASE)
    assert (again.mail_id, again.attempts) == (mail.mail_id, 2)
    assert again.due_at == T0 + timedelta(hours=2)


def test_ending_an_enrolment_cancels_its_queued_mails(database: Database) -> None:
    store = email_store(database)
    key = enrol(store, "c1", T0, T0 + timedelta(days=1))
    other = enrol(store, "c2", T0)
    store.end_enrolment(key, "unsubscribe", T0)
    enrolment = store.enrolment(key)
    assert enrolment is not None
    assert enrolment.state == "exited"
    assert [m.enrolment_key for m in store.claim(T0 + timedelta(days=2), 10, LEASE)] == [other]
    cancelled = [e for e in store.outbox(10) if e.customer_id == "c1"]
    assert {(e.state, e.error) for e in cancelled} == {("cancelled", "unsubscribe")}


def test_two_claimers_never_hold_the_same_mail(database: Database) -> None:
    store = email_store(database)
    for n in range(40):
        enrol(store, f"c{n}", T0 - timedelta(seconds=n))
    stores = [email_store(database) for _ in range(4)]

    def take(n: int) -> list[int]:
        held = []
        while batch := stores[n % 4].claim(T0, 3, LEASE):
            held += [m.mail_id for m in batch]
        return held

    with ThreadPoolExecutor(4) as pool:
        claimed = [mail_id for held in pool.map(take, range(4)) for mail_id in held]
    assert len(claimed) == len(set(claimed)) == 40


def test_recipient_reads_consent_preference_and_suppression(database: Database) -> None:
    store = email_store(database)
    seed_customers(database, "c1", "c2", tz="Europe/Paris")
    assert store.recipient("nobody") is None
    first = store.recipient("c1")
    assert first is not None
    assert (first.mode, first.suppressed) == ("all", None)
    assert first.customer.timezone == "Europe/Paris"
    store.suppress("c1@EXAMPLE.com", "c1", "bounce", T0)
    store.suppress("c1@example.com", "c1", "complaint", T0)  # the first reason stays
    bounced = store.recipient("c1")
    assert bounced is not None
    assert bounced.suppressed == "bounce"
    store.set_preference("c2", "paused", T0 + timedelta(days=30), T0)
    paused = store.recipient("c2")
    assert paused is not None
    assert (paused.mode, paused.paused_until) == (
        "paused",
        T0 + timedelta(days=30),
    )
    assert paused.customer.allows(ConsentPurpose.MARKETING_EMAIL)


def test_everything_off_withdraws_consent_and_all_gives_it_back(database: Database) -> None:
    store = email_store(database)
    seed_customers(database, "c1")
    store.set_preference("c1", "none", None, T0 + timedelta(minutes=1))
    off = store.recipient("c1")
    assert off is not None
    assert off.mode == "none"
    assert not off.customer.allows(ConsentPurpose.MARKETING_EMAIL)
    store.set_preference("c1", "all", None, T0 + timedelta(minutes=2))
    back = store.recipient("c1")
    assert back is not None
    assert back.customer.allows(ConsentPurpose.MARKETING_EMAIL)


def test_purchases_and_the_last_order_since_a_moment(database: Database) -> None:
    store = email_store(database)
    seed_products(database)
    seed_customers(database, "c1")
    order(database, "o1", "c1", T0 - timedelta(days=1), "COURSE")
    order(database, "o2", "c1", T0 + timedelta(hours=1), "BOOK", "MUG")
    order(database, "o3", "c1", T0 + timedelta(hours=2), "COURSE")
    assert sorted(map(sorted, store.purchases_since("c1", T0))) == [["BOOK", "MUG"], ["COURSE"]]
    assert store.purchases_since("c2", T0) == []
    assert store.last_order_after("c1", T0) == T0 + timedelta(hours=2)
    assert store.last_order_after("c1", T0 + timedelta(hours=3)) is None


def test_reaction_counts_only_what_came_after_the_last_offer(database: Database) -> None:
    store = email_store(database)
    seed_products(database)
    seed_customers(database, "c1")
    key = enrol(store, "c1", T0, T0 + timedelta(days=1))
    assert store.reaction(key, "c1", T0, [0]) is Reaction.NOTHING
    (offer,) = store.claim(T0, 1, LEASE)
    store.finish(offer, Outcome("sent", T0, "c1@example.com", "Offer", ("BOOK",)), None)
    store.record_interaction(offer.mail_id, "click", "BOOK", T0 - timedelta(minutes=1))
    assert store.reaction(key, "c1", T0 - timedelta(days=1), [0]) is Reaction.NOTHING
    store.record_interaction(offer.mail_id, "click", "BOOK", T0 + timedelta(minutes=5))
    assert store.reaction(key, "c1", T0 - timedelta(days=1), [0]) is Reaction.CLICKED
    order(database, "o1", "c1", T0 + timedelta(hours=1), "BOOK")
    assert store.reaction(key, "c1", T0 - timedelta(days=1), [0]) is Reaction.BOUGHT
    assert store.reaction(key, "c1", T0 + timedelta(hours=2), [1]) is Reaction.NOTHING


def test_send_facts_answer_the_send_time_reads_for_a_whole_batch(database: Database) -> None:
    store = email_store(database)
    seed_products(database)
    seed_customers(database, "c1", "c2")
    order(database, "o1", "c1", T0 - timedelta(days=2), "COURSE")  # before the trigger
    order(database, "o2", "c1", T0 + timedelta(hours=1), "BOOK", "MUG")
    store.set_preference("c2", "paused", T0 + timedelta(days=3), T0)
    store.suppress("c2@example.com", "c2", "bounce", T0)
    enrol(store, "c1", T0 - timedelta(days=1), T0)
    enrol(store, "c2", T0 - timedelta(minutes=1))
    enrol(store, "ghost", T0 - timedelta(minutes=2))  # no customer row
    (sent,) = store.claim(T0 - timedelta(days=1), 1, LEASE)
    store.finish(sent, Outcome("sent", T0 - timedelta(days=1), "c1@example.com", "Hi"), None)
    mails = store.claim(T0, 10, LEASE)
    facts = store.send_facts(mails, T0 + timedelta(days=1), T0 - timedelta(days=7))
    assert facts.orders_since == T0  # the earliest trigger, before the asked-for time
    assert facts.sent_since == T0 - timedelta(days=7)
    assert set(facts.enrolments) == {m.enrolment_key for m in mails}
    for mail in mails:
        assert facts.enrolments[mail.enrolment_key] == store.enrolment(mail.enrolment_key)
    assert set(facts.recipients) == {"c1", "c2"}
    for customer_id in ("c1", "c2"):
        assert facts.recipients[customer_id] == store.recipient(customer_id)
    assert [set(skus) for _, skus in facts.orders["c1"]] == store.purchases_since("c1", T0)
    assert [at for at, _ in facts.orders["c1"]] == [T0 + timedelta(hours=1)]
    assert "c2" not in facts.orders
    assert list(facts.sent["c1"]) == [T0 - timedelta(days=1)]
    assert "c2" not in facts.sent
