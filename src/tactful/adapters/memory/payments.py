"""`tactful.services.ports.payments.PaymentStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.payment_records import Dispute, PendingPayment

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class PaymentData:
    """Handled event ids, payments in flight and disputes, by id."""

    events: dict[str, str] = field(default_factory=dict)
    pending: dict[str, PendingPayment] = field(default_factory=dict)
    disputes: dict[str, Dispute] = field(default_factory=dict)


class MemoryPaymentStore:
    """`tactful.services.ports.payments.PaymentStore` over a memory transaction's state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.payments

    def record_event(self, event_id: str, *, gateway: str, type: str, at: datetime) -> bool:
        if event_id in self.data.events:
            return False
        self.data.events[event_id] = type
        return True

    def event_seen(self, event_id: str) -> bool:
        return event_id in self.data.events

    def save_pending(self, payment: PendingPayment) -> None:
        stored = replace(
            payment, created_at=utc(payment.created_at), updated_at=utc(payment.updated_at)
        )
        self.data.pending.setdefault(payment.payment_ref, stored)

    def get_pending(self, payment_ref: str) -> PendingPayment | None:
        return self.data.pending.get(payment_ref)

    def pending_for_offer(self, order_id: str, offer_id: str) -> PendingPayment | None:
        mine = [
            p
            for p in self.data.pending.values()
            if p.order_id == order_id
            and p.purpose == "offer"
            and p.details.get("offer_id") == offer_id
        ]
        return max(mine, key=lambda p: p.created_at, default=None)

    def settle_pending(self, payment_ref: str, *, status: str, at: datetime) -> bool:
        payment = self.data.pending.get(payment_ref)
        if payment is None or payment.status in (status, "succeeded"):
            return False
        self.data.pending[payment_ref] = replace(payment, status=status, updated_at=utc(at))
        return True

    def record_dispute(self, dispute: Dispute) -> bool:
        if dispute.dispute_id in self.data.disputes:
            return False
        self.data.disputes[dispute.dispute_id] = replace(
            dispute, created_at=utc(dispute.created_at)
        )
        return True

    def disputes_of(self, order_id: str) -> list[Dispute]:
        mine = [d for d in self.data.disputes.values() if d.order_id == order_id]
        return sorted(mine, key=lambda d: (d.created_at, d.dispute_id))
