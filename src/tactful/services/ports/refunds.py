"""Storage of an order's refunds: each once by id, and what they took from the order."""

from __future__ import annotations

from typing import Protocol

from tactful.domain.refunds import OrderRefund, RefundStatus


class RefundStore(Protocol):
    """Reads and writes refunds within one transaction.

    Each method has the name and parameters of the function it wraps in
    `tactful.adapters.db.repositories.refunds`, less the leading connection.
    """

    def lock_order(self, order_id: str) -> None:
        """Hold the order's refunds until the transaction ends, so two cannot both pass a check."""
        ...

    def record_refund(self, refund: OrderRefund) -> OrderRefund:
        """Store a refund once by id; a repeat changes nothing and returns the first."""
        ...

    def get_refund(self, refund_id: str) -> OrderRefund | None:
        """One refund."""
        ...

    def finish_refund(
        self, refund_id: str, *, status: RefundStatus, gateway_ref: str | None
    ) -> OrderRefund:
        """Settle a refund's status and gateway reference; LookupError when it is unknown."""
        ...

    def refunds_of(self, order_id: str) -> list[OrderRefund]:
        """The order's refunds, oldest first."""
        ...

    def refunded_total(self, order_id: str) -> int:
        """What the order's refunds that count (pending or succeeded) gave back, minor units."""
        ...
