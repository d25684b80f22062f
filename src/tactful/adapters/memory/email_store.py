"""`tactful.services.ports.email.EmailStore` in memory: the SQL store's twin for tests.

Every call is one memory transaction, so the claim (lease + token), finish and defer keep
the same promises as the SQL store: a mail is held by one claim at a time, and a claim
whose lease ran out and was taken over can no longer finish it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tactful.adapters.memory._common import utc
from tactful.adapters.memory.customers import MemoryCustomerStore
from tactful.adapters.memory.email_triggers import memory_trigger_hits
from tactful.adapters.memory.outbox import MemoryOutbox
from tactful.domain.sequences import Trigger
from tactful.domain.sequences.branches import Reaction, reaction
from tactful.domain.sequences.preferences import preference_changes, preference_consent
from tactful.services.ports.email import (
    ClaimedMail,
    Enrolment,
    NewMail,
    OutboxEntry,
    Outcome,
    Recipient,
    SendFacts,
    StoredSequence,
    TriggerHit,
)

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryDatabase, MemoryState

OPEN = "due"


@dataclass
class EmailData:
    """What the email store holds: rows as dicts, keyed like the SQL tables."""

    versions: dict[tuple[str, int], StoredSequence] = field(default_factory=dict)
    enrolments: dict[str, dict[str, Any]] = field(default_factory=dict)
    mails: dict[int, dict[str, Any]] = field(default_factory=dict)
    mail_keys: dict[tuple[str, int], int] = field(default_factory=dict)
    suppressions: dict[str, dict[str, Any]] = field(default_factory=dict)
    preferences: dict[str, dict[str, Any]] = field(default_factory=dict)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    next_mail_id: int = 1


def _as_stored_json(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition as a JSON column gives it back (tuples become lists)."""
    return dict(json.loads(json.dumps(dict(definition))))


def _add_mail(data: EmailData, mail: NewMail) -> None:
    if (mail.enrolment_key, mail.step) in data.mail_keys:
        return
    mail_id, data.next_mail_id = data.next_mail_id, data.next_mail_id + 1
    data.mail_keys[(mail.enrolment_key, mail.step)] = mail_id
    data.mails[mail_id] = {
        "mail_id": mail_id,
        "enrolment_key": mail.enrolment_key,
        "step": mail.step,
        "customer_id": mail.customer_id,
        "due_at": utc(mail.due_at),
        "state": OPEN,
        "attempts": 0,
        "claim_token": None,
        "lease_until": None,
        "sent_at": None,
        "recipient": None,
        "subject": None,
        "offered": [],
        "error": None,
    }


def _claimed(row: dict[str, Any]) -> ClaimedMail:
    return ClaimedMail(
        row["mail_id"],
        row["enrolment_key"],
        row["step"],
        row["customer_id"],
        row["due_at"],
        row["attempts"],
        row["claim_token"],
    )


def _end(data: EmailData, key: str, state: str, reason: str | None, at: datetime) -> None:
    row = data.enrolments.get(key)
    if row is not None and row["state"] == "active":
        row.update(state=state, exit_reason=reason, ended_at=utc(at))


class MemoryEmailStore:
    """Email sequences kept with a `MemoryDatabase`'s state (customers, orders and events)."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database

    def _read(self) -> MemoryState:
        return self.database.state

    def save_sequence(
        self, sequence_id: str, definition: Mapping[str, Any], source: str, at: datetime
    ) -> tuple[int, bool]:
        """Store a new version unless the newest one is the same definition."""
        stored = _as_stored_json(definition)
        with self.database.transaction() as tx:
            versions = tx.state.email.versions
            mine = sorted(v for (s, v) in versions if s == sequence_id)
            newest = versions[(sequence_id, mine[-1])] if mine else None
            if newest is not None and newest.definition == stored:
                return newest.version, False
            for version in mine:
                old = versions[(sequence_id, version)]
                versions[(sequence_id, version)] = StoredSequence(
                    sequence_id, version, old.definition, old.source, old.created_at, False
                )
            version = 1 if newest is None else newest.version + 1
            versions[(sequence_id, version)] = StoredSequence(
                sequence_id, version, stored, source, utc(at), True
            )
            return version, True

    def active_sequences(self) -> list[StoredSequence]:
        versions = self._read().email.versions.values()
        return sorted((v for v in versions if v.active), key=lambda v: v.sequence_id)

    def sequence_version(self, sequence_id: str, version: int) -> StoredSequence | None:
        return self._read().email.versions.get((sequence_id, version))

    def trigger_hits(
        self, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
    ) -> list[TriggerHit]:
        return memory_trigger_hits(self._read(), sequence_id, trigger, since, until)

    def enrol(self, enrolments: Sequence[Enrolment], mails: Sequence[NewMail]) -> int:
        """Insert enrolments and their first mails once; returns how many enrolments are new."""
        if not enrolments:
            return 0
        with self.database.transaction() as tx:
            data, inserted = tx.state.email, 0
            for e in enrolments:
                if e.enrolment_key in data.enrolments:
                    continue
                inserted += 1
                data.enrolments[e.enrolment_key] = {
                    "enrolment": e,
                    "sequence_id": e.sequence_id,
                    "customer_id": e.customer_id,
                    "state": e.state,
                    "exit_reason": None,
                    "ended_at": None,
                }
            for mail in mails:
                _add_mail(data, mail)
            return inserted

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedMail]:
        """Take up to `limit` due mails (and mails whose lease ran out) for this worker."""
        token, now = uuid.uuid4().hex, utc(now)
        with self.database.transaction() as tx:
            rows = tx.state.email.mails.values()
            for row in rows:
                if row["state"] == "sending" and row["lease_until"] < now:
                    row["state"] = OPEN
            due = sorted(
                (r for r in rows if r["state"] == OPEN and r["due_at"] <= now),
                key=lambda r: (r["due_at"], r["mail_id"]),
            )[: max(limit, 0)]
            for row in due:
                row.update(
                    state="sending",
                    claim_token=token,
                    lease_until=now + lease,
                    attempts=row["attempts"] + 1,
                )
            return [_claimed(row) for row in due]

    def next_due(self, now: datetime) -> datetime | None:
        """When the oldest open mail is due (the pick-next query of the bench)."""
        due = [r["due_at"] for r in self._read().email.mails.values() if r["state"] == OPEN]
        return min(due, default=None)

    def enrolment(self, enrolment_key: str) -> Enrolment | None:
        row = self._read().email.enrolments.get(enrolment_key)
        if row is None:
            return None
        e: Enrolment = row["enrolment"]
        return Enrolment(
            e.enrolment_key,
            e.sequence_id,
            e.version,
            e.customer_id,
            e.trigger_key,
            utc(e.trigger_at),
            utc(e.enrolled_at),
            e.held_out,
            row["state"],
        )

    def send_facts(
        self, mails: Sequence[ClaimedMail], orders_since: datetime, sent_since: datetime
    ) -> SendFacts:
        keys, ids = {m.enrolment_key for m in mails}, {m.customer_id for m in mails}
        enrolments = {k: e for k in keys if (e := self.enrolment(k)) is not None}
        since = min([utc(orders_since), *(e.trigger_at for e in enrolments.values())])
        recipients = {c: r for c in ids if (r := self.recipient(c)) is not None}
        orders: dict[str, list[tuple[datetime, frozenset[str]]]] = {}
        for order in self._read().orders.orders.values():
            if order.customer_id in ids and utc(order.created_at) > since:
                skus = frozenset(line.sku for line in order.lines)
                orders.setdefault(order.customer_id, []).append((utc(order.created_at), skus))
        sent = {c: times for c in ids if (times := self.sent_times(c, sent_since))}
        return SendFacts(enrolments, recipients, orders, sent, since, utc(sent_since))

    def recipient(self, customer_id: str) -> Recipient | None:
        state = self._read()
        customer = MemoryCustomerStore(state).get_customer(customer_id)
        if customer is None:
            return None
        suppressed = None
        if customer.email:
            found = state.email.suppressions.get(customer.email.lower())
            suppressed = None if found is None else found["reason"]
        pref = state.email.preferences.get(customer_id)
        if pref is None:
            return Recipient(customer, suppressed=suppressed)
        return Recipient(customer, pref["mode"], pref["paused_until"], suppressed)

    def purchases_since(self, customer_id: str, since: datetime) -> list[set[str]]:
        return [
            {line.sku for line in order.lines}
            for order in self._read().orders.orders.values()
            if order.customer_id == customer_id and utc(order.created_at) > utc(since)
        ]

    def last_order_after(self, customer_id: str, since: datetime) -> datetime | None:
        times = [
            utc(order.created_at)
            for order in self._read().orders.orders.values()
            if order.customer_id == customer_id and utc(order.created_at) > utc(since)
        ]
        return max(times, default=None)

    def _sent(self, **match: Any) -> list[dict[str, Any]]:
        return [
            r
            for r in self._read().email.mails.values()
            if r["state"] == "sent" and all(r[k] == v for k, v in match.items())
        ]

    def sent_times(self, customer_id: str, since: datetime) -> list[datetime]:
        rows = self._sent(customer_id=customer_id)
        return [r["sent_at"] for r in rows if r["sent_at"] > utc(since)]

    def offered_in(self, enrolment_key: str) -> set[str]:
        return {sku for r in self._sent(enrolment_key=enrolment_key) for sku in r["offered"]}

    def reaction(
        self, enrolment_key: str, customer_id: str, since: datetime, offer_steps: Sequence[int]
    ) -> Reaction:
        """The strongest reaction after the enrolment's last offer mail sent."""
        sent = [r for r in self._sent(enrolment_key=enrolment_key) if r["step"] in offer_steps]
        anchor = max([utc(since), *(r["sent_at"] for r in sent)])
        state = self._read()
        bought = any(
            o.customer_id == customer_id and utc(o.created_at) > anchor
            for o in state.orders.orders.values()
        )
        mails = {
            r["mail_id"] for r in state.email.mails.values() if r["enrolment_key"] == enrolment_key
        }
        clicked = any(
            i["kind"] == "click" and i["mail_id"] in mails and i["at"] > anchor
            for i in state.email.interactions
        )
        return reaction(clicked=clicked, bought=bought)

    def batch_writes(self) -> AbstractContextManager[None]:
        """Nothing to hold in memory."""
        return nullcontext()

    def finish(self, mail: ClaimedMail, outcome: Outcome, then: NewMail | None) -> bool:
        """Record how a claimed mail ended and schedule the next step, in one transaction."""
        with self.database.transaction() as tx:
            data = tx.state.email
            row = data.mails.get(mail.mail_id)
            if row is None or row["claim_token"] != mail.claim_token:
                return False
            row.update(
                state=outcome.state,
                sent_at=utc(outcome.at) if outcome.state == "sent" else None,
                recipient=outcome.recipient,
                subject=outcome.subject,
                offered=list(outcome.offered),
                error=outcome.error,
                lease_until=None,
            )
            if then is not None:
                _add_mail(data, then)
            elif outcome.state != "cancelled":
                _end(data, mail.enrolment_key, "done", None, outcome.at)
            return True

    def defer(self, mail: ClaimedMail, due_at: datetime, error: str | None = None) -> bool:
        with self.database.transaction() as tx:
            row = tx.state.email.mails.get(mail.mail_id)
            if row is None or row["claim_token"] != mail.claim_token:
                return False
            row.update(state=OPEN, due_at=utc(due_at), error=error, lease_until=None)
            return True

    def end_enrolment(self, enrolment_key: str, reason: str, at: datetime) -> None:
        with self.database.transaction() as tx:
            data = tx.state.email
            _end(data, enrolment_key, "exited", reason, at)
            for row in data.mails.values():
                if row["enrolment_key"] == enrolment_key and row["state"] == OPEN:
                    row.update(state="cancelled", error=reason)

    def suppress(self, address: str, customer_id: str | None, reason: str, at: datetime) -> None:
        with self.database.transaction() as tx:
            tx.state.email.suppressions.setdefault(
                address.lower(), {"customer_id": customer_id, "reason": reason, "at": utc(at)}
            )

    def set_preference(
        self,
        customer_id: str,
        mode: str,
        paused_until: datetime | None,
        at: datetime,
        webhook: tuple[str, str] | None = None,
    ) -> None:
        """Store the customer's choice; "none" also records marketing consent withdrawn."""
        with self.database.transaction() as tx:
            preferences = tx.state.email.preferences
            old = preferences.get(customer_id, {}).get("mode")
            if webhook is not None and preference_changes(old, mode):
                MemoryOutbox(tx.state).enqueue(*webhook, at)
            until = None if paused_until is None else utc(paused_until)
            preferences[customer_id] = {"mode": mode, "paused_until": until, "updated_at": at}
            customers = MemoryCustomerStore(tx.state)
            consent = preference_consent(mode, at, customers.get_customer(customer_id))
            if consent is not None:
                customers.record_consent(customer_id, consent)

    def record_interaction(self, mail_id: int, kind: str, value: str, at: datetime) -> None:
        with self.database.transaction() as tx:
            tx.state.email.interactions.append(
                {"mail_id": mail_id, "kind": kind, "value": value, "at": utc(at)}
            )

    def mail_customer(self, mail_id: int) -> str | None:
        row = self._read().email.mails.get(mail_id)
        return None if row is None else str(row["customer_id"])

    def outbox(self, limit: int) -> list[OutboxEntry]:
        state = self._read()
        rows = sorted(state.email.mails.values(), key=lambda r: r["due_at"], reverse=True)
        entries = []
        for r in rows:
            enrolment = state.email.enrolments.get(r["enrolment_key"])
            if enrolment is None:
                continue
            entries.append(
                OutboxEntry(
                    r["mail_id"],
                    enrolment["sequence_id"],
                    r["step"],
                    r["customer_id"],
                    r["due_at"],
                    r["state"],
                    r["sent_at"],
                    r["recipient"],
                    r["subject"],
                    r["error"],
                )
            )
        return entries[:limit]
