"""Port of what the inbox tells us back: complaints (feedback loops) and opens (a pixel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeAlias


@dataclass(frozen=True, slots=True)
class Complaint:
    """A recipient marked one of our mails as spam; `key` identifies the report (idempotence)."""

    key: str
    mail_id: int | None
    address: str | None
    feedback_type: str
    user_agent: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ComplaintOutcome:
    """What a complaint did: whom it names, whether it was new, how many enrolments it ended."""

    customer_id: str | None
    address: str | None
    new: bool
    ended: int


Unsubscribed: TypeAlias = Callable[[str], tuple[str, str]]
"""The outgoing webhook (event type, body) that unsubscribing a customer (by id) publishes."""


class EmailFeedbackStore(Protocol):
    """Storage of complaints and opens; each call is one transaction."""

    def record_complaint(
        self, complaint: Complaint, unsubscribed: Unsubscribed | None = None
    ) -> ComplaintOutcome:
        """Store the complaint once (by key); suppress the address with reason `complaint`,
        end every active enrolment of the customer and cancel their queued mails, and
        unsubscribe the customer as the preference "none" does (marketing consent withdrawn,
        the `unsubscribed(customer_id)` webhook queued if they were not unsubscribed yet)."""
        ...

    def record_open(self, mail_id: int, at: datetime) -> bool:
        """Store the first open of a mail; True when this was the first."""
        ...

    def opened(self, mail_id: int) -> datetime | None:
        """When the mail was first opened, if it was (as far as a pixel can tell)."""
        ...
