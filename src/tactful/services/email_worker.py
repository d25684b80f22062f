"""The email worker's due work: enrol customers whose triggers fired, then send due steps.

Sending a mail is: claim (lease + token) -> checks at send time (exit rules, consent, quiet
hours, caps) -> render -> the mailer -> record the outcome and schedule the next step in one
transaction. A crash between the mailer and the record leaves the mail claimed; once its
lease runs out it is sent again, so a kill costs at most one duplicate and never a mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tactful.domain.customers import ConsentPurpose
from tactful.domain.offers import Offer
from tactful.domain.sequences import (
    ExitRule,
    Sequence,
    StepKind,
    after_wait,
    allowed,
    held_out,
    send_time,
    zone,
)
from tactful.services.email_compose import Draft, EmailConfig, compose
from tactful.services.email_reads import BatchReads
from tactful.services.ports.email import (
    ClaimedMail,
    EmailOffers,
    EmailStore,
    Enrolment,
    Mailer,
    MailPermanentError,
    MailTemplates,
    MailTemporaryError,
    NewMail,
    Outcome,
    Recipient,
    TemplateError,
)
from tactful.services.sequences import Sequences, parse_one

log = logging.getLogger("tactful.email")
MAX_ATTEMPTS = 8
FACTS_PER_READ = 50
"""Mails whose send-time facts are read together: few queries, and facts at most ~0.25 s old."""


def next_mail(
    sequence: Sequence,
    key: str,
    customer_id: str,
    after_step: int,
    at: datetime,
    tz: str,
    wait_multiplier: float = 1.0,
) -> NewMail | None:
    """The next mail step after `after_step`, due after the waits between (times the
    customer's experiment arm's `wait_multiplier`), in allowed hours."""
    wait = timedelta(0)
    for index in range(after_step + 1, len(sequence.steps)):
        step = sequence.steps[index]
        if step.kind is StepKind.WAIT:
            wait += step.wait
            continue
        earliest = after_wait(at, wait * wait_multiplier, tz)
        due = send_time(earliest, tz, sequence.quiet_hours, sequence.send_window)
        return NewMail(key, index, customer_id, due)
    return None


def backoff(attempts: int) -> timedelta:
    """Wait before retrying a mail the server deferred: 1, 2, 4 ... minutes, at most 2 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


@dataclass
class EmailWorker:
    """Runs the due email work at an instant (`run_due(now)`), any number of times safely."""

    store: EmailStore
    sequences: Sequences
    mailer: Mailer
    templates: MailTemplates
    offers: EmailOffers
    config: EmailConfig
    on_sent: Callable[[int], None] = lambda _mail_id: None
    name: str = "email"
    wait_multiplier: Callable[[str], float] = lambda _customer_id: 1.0
    """How many times as long a customer's sequences wait (their experiment arm's setting)."""
    _cache: dict[tuple[str, int], Sequence] = field(default_factory=dict)
    _minute: datetime | None = None
    _used: int = 0
    _batch_reads: BatchReads | None = None

    def run_due(self, now: datetime) -> int:
        """Enrol and send everything due at `now` (within the per-minute rate); returns how
        many mails were handled."""
        self.enrol(now)
        handled = 0
        while (room := self._room(now)) > 0:
            batch = self.store.claim(now, room, self.config.lease)
            for start in range(0, len(batch), FACTS_PER_READ):
                self.process_batch(batch[start : start + FACTS_PER_READ], now)
            handled += len(batch)
            self._used += len(batch)
            if len(batch) < room:
                break
        return handled

    @property
    def reads(self) -> EmailStore | BatchReads:
        """Where send-time checks read: the batch's facts while processing one, else the store."""
        return self.store if self._batch_reads is None else self._batch_reads

    def process_batch(self, mails: list[ClaimedMail], now: datetime) -> None:
        """Process claimed mails with their send-time facts read in one go."""
        rule = self.config.frequent_buyers
        orders_since = now - rule.window if rule.orders else now
        facts = self.store.send_facts(mails, orders_since, now - self.config.caps.window)
        self._batch_reads = reads = BatchReads(self.store, facts)
        try:
            with self.store.batch_writes():
                for mail in mails:
                    self.process(mail, now)
                    reads.touched(mail.customer_id, mail.enrolment_key)
        finally:
            self._batch_reads = None

    def _room(self, now: datetime) -> int:
        """How many mails the next claim may take: a batch, or what the minute has left."""
        limit = self.config.rate_per_minute
        if not limit:
            return self.config.batch
        minute = now.replace(second=0, microsecond=0)
        if minute != self._minute:
            self._minute, self._used = minute, 0
        return min(self.config.batch, limit - self._used)

    def enrol(self, now: datetime) -> int:
        """Enrol every customer whose trigger fired in the look-back window; returns new ones."""
        total = 0
        for version, sequence in self.sequences.active():
            hits = self.store.trigger_hits(
                sequence.sequence_id, sequence.trigger, now - self.config.lookback, now
            )
            enrolments, mails = [], []
            for hit in hits:
                key = f"{sequence.sequence_id}|{hit.customer_id}|{hit.trigger_key}"
                out = held_out(sequence.sequence_id, hit.customer_id, sequence.holdout)
                enrolments.append(
                    Enrolment(
                        key,
                        sequence.sequence_id,
                        version,
                        hit.customer_id,
                        hit.trigger_key,
                        hit.trigger_at,
                        now,
                        out,
                        "held_out" if out else "active",
                    )
                )
                if out:
                    continue
                first = next_mail(
                    sequence,
                    key,
                    hit.customer_id,
                    -1,
                    hit.trigger_at,
                    hit.timezone,
                    self.wait_multiplier(hit.customer_id),
                )
                if first is not None:
                    mails.append(first)
            total += self.store.enrol(enrolments, mails)
        return total

    def sequence_of(self, enrolment: Enrolment) -> Sequence | None:
        """The version the enrolment started on (cached: versions never change)."""
        key = (enrolment.sequence_id, enrolment.version)
        if key not in self._cache:
            stored = self.store.sequence_version(*key)
            if stored is None:
                return None
            self._cache[key] = parse_one(stored.definition)
        return self._cache[key]

    def process(self, mail: ClaimedMail, now: datetime) -> None:
        """Send one claimed mail, or skip, defer or cancel it, recording why."""
        enrolment = self.reads.enrolment(mail.enrolment_key)
        sequence = None if enrolment is None else self.sequence_of(enrolment)
        recipient = self.reads.recipient(mail.customer_id)
        if enrolment is None or sequence is None or enrolment.state != "active":
            self.store.finish(mail, Outcome("cancelled", now, error="not active"), None)
            return
        reason = self.exit_reason(sequence, enrolment, recipient, now)
        if reason is not None or recipient is None:
            self.store.end_enrolment(enrolment.enrolment_key, reason or "unknown_customer", now)
            self.store.finish(mail, Outcome("cancelled", now, error=reason), None)
            return
        if self.off_branch(mail, sequence, enrolment, recipient, now):
            return
        later = self.not_before(sequence, recipient, now)
        paused = self.paused_by_purchase(enrolment, now)
        if paused is not None and (later is None or paused > later):
            later = send_time(
                paused, recipient.customer.timezone, sequence.quiet_hours, sequence.send_window
            )
        if later is not None:
            if later - now > self.config.caps.window and sequence.exits_on(ExitRule.CONTACT_BUDGET):
                self.store.end_enrolment(enrolment.enrolment_key, "contact_budget", now)
                self.store.finish(mail, Outcome("cancelled", now, error="contact_budget"), None)
                return
            self.store.defer(mail, later)
            return
        self.deliver(mail, sequence, enrolment, recipient, now)

    def exit_reason(
        self, sequence: Sequence, enrolment: Enrolment, recipient: Recipient | None, now: datetime
    ) -> str | None:
        """Why the enrolment ends now, checked at send time (None: carry on)."""
        if recipient is None:
            return "unknown_customer"
        customer = recipient.customer
        if recipient.mode in ("none", "orders_only"):
            return ExitRule.UNSUBSCRIBE.value
        if not customer.allows(ConsentPurpose.MARKETING_EMAIL):
            return ExitRule.CONSENT_WITHDRAWN.value
        if recipient.suppressed:
            return recipient.suppressed
        if not customer.email:
            return "no_address"
        return self.purchase_exit(sequence, enrolment)

    def purchase_exit(self, sequence: Sequence, enrolment: Enrolment) -> str | None:
        """A purchase after the trigger ends the sequence (any, or of an offered item)."""
        rules = sequence.exits
        if ExitRule.PURCHASE not in rules and ExitRule.PURCHASE_OF_OFFER not in rules:
            return None
        baskets = self.reads.purchases_since(enrolment.customer_id, enrolment.trigger_at)
        if not baskets:
            return None
        if ExitRule.PURCHASE in rules:
            return ExitRule.PURCHASE.value
        offered = self.store.offered_in(enrolment.enrolment_key)
        if any(basket & offered for basket in baskets):
            return ExitRule.PURCHASE_OF_OFFER.value
        return None

    def off_branch(
        self,
        mail: ClaimedMail,
        sequence: Sequence,
        enrolment: Enrolment,
        recipient: Recipient,
        now: datetime,
    ) -> bool:
        """Skip a branch mail whose reaction (bought, clicked, nothing) is not what happened."""
        wanted = sequence.steps[mail.step].when
        if not wanted:
            return False
        offer_steps = [i for i, s in enumerate(sequence.steps) if s.kind is StepKind.OFFER]
        happened = self.store.reaction(
            enrolment.enrolment_key, enrolment.customer_id, enrolment.trigger_at, offer_steps
        )
        if happened.value == wanted:
            return False
        tz = recipient.customer.timezone
        then = next_mail(
            sequence,
            mail.enrolment_key,
            mail.customer_id,
            mail.step,
            now,
            tz,
            self.wait_multiplier(mail.customer_id),
        )
        self.store.finish(mail, Outcome("skipped", now, error=f"branch: {happened}"), then)
        return True

    def offer_limit(self, mail: ClaimedMail, step_max: int, now: datetime) -> int:
        """How many offers this mail may carry: fewer (or none) for frequent buyers."""
        rule = self.config.frequent_buyers
        if not rule.orders:
            return step_max
        recent = len(self.reads.purchases_since(mail.customer_id, now - rule.window))
        offered = bool(self.store.offered_in(mail.enrolment_key))
        return rule.offers_allowed(recent, step_max, offered)

    def paused_by_purchase(self, enrolment: Enrolment, now: datetime) -> datetime | None:
        """A purchase after the trigger pauses the sequence for a while ("a meaningful action")."""
        pause = self.config.pause_after_purchase
        if not pause:
            return None
        last = self.reads.last_order_after(enrolment.customer_id, enrolment.trigger_at)
        if last is None or last + pause <= now:
            return None
        return last + pause

    def not_before(
        self, sequence: Sequence, recipient: Recipient, now: datetime
    ) -> datetime | None:
        """When the mail may go, if not now: a pause, quiet hours or the email caps."""
        if recipient.mode == "paused" and recipient.paused_until and recipient.paused_until > now:
            return recipient.paused_until
        tz = recipient.customer.timezone
        if not allowed(now, zone(tz), sequence.quiet_hours, sequence.send_window):
            return send_time(now, tz, sequence.quiet_hours, sequence.send_window)
        caps = self.config.caps
        sent = self.reads.sent_times(recipient.customer.customer_id, now - caps.window)
        earliest = caps.next_allowed(sent, now)
        if earliest > now:
            return send_time(earliest, tz, sequence.quiet_hours, sequence.send_window)
        return None

    def deliver(
        self,
        mail: ClaimedMail,
        sequence: Sequence,
        enrolment: Enrolment,
        recipient: Recipient,
        now: datetime,
    ) -> None:
        """Render and hand the mail to the mailer, then record the outcome."""
        customer = recipient.customer
        then = next_mail(
            sequence,
            mail.enrolment_key,
            mail.customer_id,
            mail.step,
            now,
            customer.timezone,
            self.wait_multiplier(mail.customer_id),
        )
        step = sequence.steps[mail.step]
        offers: tuple[Offer, ...] = ()
        if step.kind is StepKind.OFFER:
            limit = self.offer_limit(mail, step.max_offers, now)
            offers = tuple(self.offers.offers(mail.customer_id, now, limit)) if limit else ()
            if not offers:
                why = "no offer" if limit else "frequent buyer"
                self.store.finish(mail, Outcome("skipped", now, error=why), then)
                return
        address = customer.email or ""
        draft = Draft(mail.mail_id, sequence, mail.step, mail.customer_id, address, (), offers, now)
        try:
            outgoing = compose(self.config, self.templates, draft)
        except TemplateError as exc:
            log.error(
                "mail %s to customer %s, step %s of %s failed to render: %s",
                mail.mail_id,
                mail.customer_id,
                mail.step,
                sequence.sequence_id,
                exc,
            )
            self.store.finish(mail, Outcome("failed", now, error=f"template: {exc}"), then)
            return
        try:
            self.mailer.send(outgoing)
        except MailTemporaryError as exc:
            if mail.attempts >= MAX_ATTEMPTS:
                self.store.finish(mail, Outcome("failed", now, error=f"gave up: {exc}"), then)
            else:
                self.store.defer(mail, now + backoff(mail.attempts), error=str(exc))
            return
        except MailPermanentError as exc:
            self.store.suppress(address, mail.customer_id, ExitRule.BOUNCE.value, now)
            self.store.end_enrolment(enrolment.enrolment_key, ExitRule.BOUNCE.value, now)
            self.store.finish(mail, Outcome("failed", now, address, error=str(exc)), None)
            return
        outcome = Outcome("sent", now, address, outgoing.subject, [o.sku for o in offers])
        self.store.finish(mail, outcome, then)
        self.on_sent(mail.mail_id)
