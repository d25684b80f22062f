"""`tactful sequences preview`: what a customer would get from a sequence, and when, unsent."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tactful.domain.offers import Offer
from tactful.domain.sequences import Sequence, StepKind, held_out
from tactful.domain.sequences.branches import branch_label
from tactful.services.email_compose import Draft, compose
from tactful.services.email_worker import EmailWorker, next_mail
from tactful.services.ports.email import Enrolment, TemplateError


class PreviewError(LookupError):
    """An unknown sequence or customer."""


@dataclass(frozen=True, slots=True)
class PreviewMail:
    """One step as it would go out if the trigger fired now (`note` says why not, if so).

    `branch` names the arm a branch mail belongs to ('bought', 'clicked', 'did nothing'; ''
    outside a branch): only the arm matching what the customer did goes out."""

    step: int
    kind: str
    due_at: datetime
    subject: str = ""
    text: str = ""
    html: str = ""
    note: str = ""
    branch: str = ""


@dataclass(frozen=True, slots=True)
class Preview:
    """A sequence's mails for one customer, with what would stop them."""

    sequence_id: str
    version: int
    customer_id: str
    held_out: bool
    blocked: str | None
    mails: tuple[PreviewMail, ...]


def preview(worker: EmailWorker, sequence_id: str, customer_id: str, now: datetime) -> Preview:
    """Render every mail step for the customer as if the trigger fired at `now`."""
    live: dict[str, tuple[int, Sequence]] = {
        s.sequence_id: (v, s) for v, s in worker.sequences.active()
    }
    if sequence_id not in live:
        raise PreviewError(f"no live sequence {sequence_id!r} (load one: tactful sequences load)")
    recipient = worker.store.recipient(customer_id)
    if recipient is None:
        raise PreviewError(f"unknown customer {customer_id!r}")
    version, sequence = live[sequence_id]
    customer = recipient.customer
    mails: list[PreviewMail] = []
    at, step_index = now, -1
    while (
        scheduled := next_mail(sequence, "preview", customer_id, step_index, at, customer.timezone)
    ) is not None:
        step_index, at = scheduled.step, scheduled.due_at
        step = sequence.steps[step_index]
        shown = PreviewMail(step_index, step.kind.value, at, branch=branch_label(step.when))
        offers: tuple[Offer, ...] = ()
        if step.kind is StepKind.OFFER:
            offers = tuple(worker.offers.preview(customer_id, at, step.max_offers))
            if not offers:
                mails.append(replace(shown, note="skipped: no offer"))
                continue
        draft = Draft(0, sequence, step_index, customer_id, customer.email or "", (), offers, at)
        try:
            mail = compose(worker.config, worker.templates, draft)
        except TemplateError as exc:
            mails.append(replace(shown, note=f"fails: {exc}"))
            continue
        mails.append(replace(shown, subject=mail.subject, text=mail.text, html=mail.html))
    blocked = worker.exit_reason(
        sequence, _as_enrolment(sequence_id, customer_id, now), recipient, now
    )
    return Preview(
        sequence_id,
        version,
        customer_id,
        held_out(sequence_id, customer_id, sequence.holdout),
        blocked,
        tuple(mails),
    )


def _as_enrolment(sequence_id: str, customer_id: str, now: datetime) -> Enrolment:
    return Enrolment("preview", sequence_id, 0, customer_id, "preview", now, now, False)
