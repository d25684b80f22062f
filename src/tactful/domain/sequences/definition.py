"""Email sequences as values: a trigger, timed steps, exit rules and a holdout share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import StrEnum
from typing import NewType

SequenceId = NewType("SequenceId", str)


class TriggerType(StrEnum):
    """What enrols a customer, read from stored orders and events."""

    ORDER_PLACED = "order_placed"
    CART_ABANDONED = "cart_abandoned"
    LAPSED = "lapsed"
    WISHLIST_ADDED = "wishlist_added"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    TASK_COMPLETED = "task_completed"
    BROWSED = "browsed"
    RENEWAL_UPCOMING = "renewal_upcoming"


class ExitRule(StrEnum):
    """Why an enrolment ends before its last step."""

    PURCHASE = "purchase"
    PURCHASE_OF_OFFER = "purchase_of_offer"
    UNSUBSCRIBE = "unsubscribe"
    COMPLAINT = "complaint"
    BOUNCE = "bounce"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONTACT_BUDGET = "contact_budget"


ALWAYS_EXIT = frozenset(
    {ExitRule.UNSUBSCRIBE, ExitRule.COMPLAINT, ExitRule.BOUNCE, ExitRule.CONSENT_WITHDRAWN}
)
"""Exits that hold whether or not a sequence lists them: the inbox's rules, not ours."""


class StepKind(StrEnum):
    """What a step does: wait, or send one kind of mail."""

    WAIT = "wait"
    VALUE = "value"
    OFFER = "offer"
    CHECK_IN = "check_in"


@dataclass(frozen=True, slots=True)
class Trigger:
    """When to enrol: the event type and its filters (kind, sku, category, minutes, days, views)."""

    type: TriggerType
    kind: str | None = None
    sku: str | None = None
    category: str | None = None
    after: timedelta = timedelta(0)
    """cart_abandoned: minutes without an order; lapsed: days without a purchase;
    renewal_upcoming: how long before the renewal."""
    views: int = 0
    """browsed: how many views of related items enrol (k)."""
    within: timedelta = timedelta(0)
    """browsed: the span those k views fall in."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step; mail steps carry a template, subject variants and (offer) a maximum."""

    kind: StepKind
    wait: timedelta = timedelta(0)
    template: str = ""
    subjects: tuple[str, ...] = ()
    preheader: str = ""
    max_offers: int = 1
    question: str = ""
    when: str = ""
    """In a branch: the reaction (bought, clicked, nothing) this mail needs; empty: always."""

    @property
    def sends(self) -> bool:
        """Whether this step is a mail (everything but a wait)."""
        return self.kind is not StepKind.WAIT


@dataclass(frozen=True, slots=True)
class Hours:
    """A daily span in local time, e.g. quiet hours 21:00-08:00 (may cross midnight)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a local time of day falls inside the span (start included, end not)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


DEFAULT_QUIET = Hours(time(21, 0), time(8, 0))


@dataclass(frozen=True, slots=True)
class Sequence:
    """One version of a sequence: what enrols, what is sent when, and what stops it."""

    sequence_id: SequenceId
    trigger: Trigger
    steps: tuple[Step, ...]
    exits: frozenset[ExitRule]
    holdout: float = 0.1
    quiet_hours: Hours = DEFAULT_QUIET
    send_window: Hours | None = None
    offer_url: str = ""
    checkout_page: str = ""
    name: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    track_opens: bool = False
    """Put the open-tracking pixel in its mails (off by default; opens decide nothing)."""

    @property
    def mail_steps(self) -> tuple[int, ...]:
        """Indexes of the steps that send a mail, in order."""
        return tuple(i for i, step in enumerate(self.steps) if step.sends)

    def exits_on(self, rule: ExitRule) -> bool:
        """Whether `rule` ends an enrolment of this sequence."""
        return rule in ALWAYS_EXIT or rule in self.exits
