"""Ports of email sequences: the store (versions, enrolments, outbox), the mailer, templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tactful.domain.customers import Customer
from tactful.domain.offers import Offer
from tactful.domain.sequences import Trigger
from tactful.domain.sequences.branches import Reaction


@dataclass(frozen=True, slots=True)
class StoredSequence:
    """One stored version of a sequence, as written (re-parsed by the service)."""

    sequence_id: str
    version: int
    definition: Mapping[str, Any]
    source: str
    created_at: datetime
    active: bool = True


@dataclass(frozen=True, slots=True)
class TriggerHit:
    """A customer whose stored orders or events match a trigger, once per `trigger_key`."""

    customer_id: str
    trigger_key: str
    trigger_at: datetime
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A customer in one version of a sequence, from one trigger."""

    enrolment_key: str
    sequence_id: str
    version: int
    customer_id: str
    trigger_key: str
    trigger_at: datetime
    enrolled_at: datetime
    held_out: bool
    state: str = "active"


@dataclass(frozen=True, slots=True)
class NewMail:
    """A step to send at `due_at` (unique per enrolment and step)."""

    enrolment_key: str
    step: int
    customer_id: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedMail:
    """A due mail this worker holds until `lease_until`; `claim_token` proves it."""

    mail_id: int
    enrolment_key: str
    step: int
    customer_id: str
    due_at: datetime
    attempts: int
    claim_token: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """What sending needs to know about a customer, read at send time."""

    customer: Customer
    mode: str = "all"
    paused_until: datetime | None = None
    suppressed: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a claimed mail ended: sent, skipped, failed or cancelled, with what was sent."""

    state: str
    at: datetime
    recipient: str | None = None
    subject: str | None = None
    offered: Sequence[str] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row for the merchant's viewer."""

    mail_id: int
    sequence_id: str
    step: int
    customer_id: str
    due_at: datetime
    state: str
    sent_at: datetime | None
    recipient: str | None
    subject: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SendFacts:
    """What the send-time checks of a batch of claimed mails read, fetched in a few queries.

    `orders` holds each customer's orders after `orders_since` as (time, SKUs); `sent` their
    marketing mails sent after `sent_since`. A customer or enrolment missing from a map is
    unknown to the store.
    """

    enrolments: Mapping[str, Enrolment]
    recipients: Mapping[str, Recipient]
    orders: Mapping[str, Sequence[tuple[datetime, frozenset[str]]]]
    sent: Mapping[str, Sequence[datetime]]
    orders_since: datetime
    sent_since: datetime


class EmailStore(Protocol):
    """Storage of email sequences; each call is one transaction."""

    def save_sequence(
        self, sequence_id: str, definition: Mapping[str, Any], source: str, at: datetime
    ) -> tuple[int, bool]: ...
    def active_sequences(self) -> list[StoredSequence]: ...
    def sequence_version(self, sequence_id: str, version: int) -> StoredSequence | None: ...
    def trigger_hits(
        self, sequence_id: str, trigger: Trigger, since: datetime, until: datetime
    ) -> list[TriggerHit]: ...
    def enrol(self, enrolments: Sequence[Enrolment], mails: Sequence[NewMail]) -> int: ...
    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedMail]: ...
    def enrolment(self, enrolment_key: str) -> Enrolment | None: ...
    def send_facts(
        self, mails: Sequence[ClaimedMail], orders_since: datetime, sent_since: datetime
    ) -> SendFacts:
        """The reads of `enrolment`, `recipient`, `purchases_since`, `last_order_after` and
        `sent_times` for every mail at once; orders go back to the earliest of `orders_since`
        and the enrolments' trigger times."""
        ...

    def recipient(self, customer_id: str) -> Recipient | None: ...
    def purchases_since(self, customer_id: str, since: datetime) -> list[set[str]]: ...
    def last_order_after(self, customer_id: str, since: datetime) -> datetime | None: ...
    def sent_times(self, customer_id: str, since: datetime) -> list[datetime]: ...
    def offered_in(self, enrolment_key: str) -> set[str]: ...
    def reaction(
        self, enrolment_key: str, customer_id: str, since: datetime, offer_steps: Sequence[int]
    ) -> Reaction: ...
    def finish(self, mail: ClaimedMail, outcome: Outcome, then: NewMail | None) -> bool: ...
    def batch_writes(self) -> AbstractContextManager[None]:
        """Record the outcomes finished inside through one connection (a batch of mails)."""
        ...

    def defer(self, mail: ClaimedMail, due_at: datetime, error: str | None = None) -> bool: ...
    def end_enrolment(self, enrolment_key: str, reason: str, at: datetime) -> None: ...
    def suppress(
        self, address: str, customer_id: str | None, reason: str, at: datetime
    ) -> None: ...
    def set_preference(
        self,
        customer_id: str,
        mode: str,
        paused_until: datetime | None,
        at: datetime,
        webhook: tuple[str, str] | None = None,
    ) -> None:
        """Store the choice; when the mode changes, queue `webhook` (event type, payload) in
        the webhook outbox in the same transaction."""
        ...

    def record_interaction(self, mail_id: int, kind: str, value: str, at: datetime) -> None: ...
    def mail_customer(self, mail_id: int) -> str | None: ...
    def outbox(self, limit: int) -> list[OutboxEntry]: ...


class MailTemporaryError(Exception):
    """The server said try later (4xx, connection refused): the mail waits and retries."""


class MailPermanentError(Exception):
    """The server refused the recipient for good (5xx): the address is suppressed."""


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A rendered mail, ready for a mailer."""

    mail_id: int
    to: str
    sender: str
    subject: str
    html: str
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


class Mailer(Protocol):
    """Delivers a mail or raises MailTemporaryError / MailPermanentError."""

    def send(self, mail: OutgoingMail) -> None: ...


class TemplateError(ValueError):
    """A template that does not exist or fails to render."""


class MailTemplates(Protocol):
    """Renders a named template to (html, text) from stored facts only."""

    def render(self, template: str, context: Mapping[str, Any]) -> tuple[str, str]: ...
    def check(self, template: str) -> None: ...


class EmailOffers(Protocol):
    """The offer engine at moment `email`, deciding as of `now` (logged like any decision)."""

    def offers(self, customer_id: str, now: datetime, limit: int) -> list[Offer]: ...
    def preview(self, customer_id: str, now: datetime, limit: int) -> list[Offer]: ...
