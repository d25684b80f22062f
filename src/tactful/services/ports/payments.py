"""Storage of payments in flight, disputes and handled webhook events."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tactful.domain.payment_records import Dispute, PendingPayment


class PaymentStore(Protocol):
    """Reads and writes payment records within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.payments`, less the leading connection.
    """

    def record_event(self, event_id: str, *, gateway: str, type: str, at: datetime) -> bool:
        """Remember a webhook event; False when it was handled before (by anyone)."""
        ...

    def event_seen(self, event_id: str) -> bool:
        """Whether a webhook event was handled already."""
        ...

    def save_pending(self, payment: PendingPayment) -> None:
        """Store a payment in flight once by reference; a repeat changes nothing."""
        ...

    def get_pending(self, payment_ref: str) -> PendingPayment | None:
        """A payment in flight by reference."""
        ...

    def pending_for_offer(self, order_id: str, offer_id: str) -> PendingPayment | None:
        """The newest payment of an order's offer waiting for the customer, if any."""
        ...

    def settle_pending(self, payment_ref: str, *, status: str, at: datetime) -> bool:
        """Move a payment to `status`; False when it had that status already (settled once) or
        has succeeded (a succeeded payment is final, whatever arrives after)."""
        ...

    def record_dispute(self, dispute: Dispute) -> bool:
        """Store a dispute once by id; False when it was stored before."""
        ...

    def disputes_of(self, order_id: str) -> list[Dispute]:
        """The order's disputes, oldest first."""
        ...
