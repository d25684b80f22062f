"""Who gets what: the per-sequence holdout, subject variants and the email contact caps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tactful.domain.experiments import assign, variant


def held_out(sequence_id: str, customer_id: str, share: float) -> bool:
    """Whether the customer is in this sequence's holdout (enrolled, sent nothing)."""
    return assign(customer_id, f"sequence:{sequence_id}", share)


def subject_variant(sequence_id: str, step: int, customer_id: str, count: int) -> int:
    """Which of a step's `count` subject lines the customer gets (fixed per customer)."""
    if count <= 1:
        return 0
    weights = {str(i): 1.0 for i in range(count)}
    return int(variant(customer_id, f"subject:{sequence_id}:{step}", weights))


@dataclass(frozen=True, slots=True)
class EmailCaps:
    """At most `per_window` marketing mails per `window`, at least `min_gap` apart."""

    per_window: int = 2
    window: timedelta = timedelta(days=7)
    min_gap: timedelta = timedelta(hours=20)

    def next_allowed(self, sent: Iterable[datetime], now: datetime) -> datetime:
        """The earliest instant a further marketing mail may go out (`now` if it may now)."""
        recent = sorted(at for at in sent if at > now - self.window)
        earliest = now
        if recent:
            earliest = max(earliest, recent[-1] + self.min_gap)
        if len(recent) >= self.per_window:
            earliest = max(earliest, recent[-self.per_window] + self.window)
        return earliest


@dataclass(frozen=True, slots=True)
class FrequentBuyers:
    """Frequent buyers get fewer offers, not more: `orders` or more orders within `window`
    make a customer frequent; they get at most `max_offers` per offer mail and one offer mail
    per enrolment. `orders` 0 turns the rule off."""

    orders: int = 4
    window: timedelta = timedelta(days=90)
    max_offers: int = 1

    def is_frequent(self, recent_orders: int) -> bool:
        """Whether this many orders within the window make a frequent buyer."""
        return self.orders > 0 and recent_orders >= self.orders

    def offers_allowed(self, recent_orders: int, step_max: int, offered_before: bool) -> int:
        """How many offers an offer mail may carry (0: skip it) for this customer."""
        if not self.is_frequent(recent_orders):
            return step_max
        if offered_before:
            return 0
        return min(step_max, self.max_offers)
