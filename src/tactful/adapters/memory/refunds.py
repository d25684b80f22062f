"""`tactful.services.ports.refunds.RefundStore` in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.refunds import OrderRefund, RefundStatus

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class RefundData:
    """What the refunds store holds: each refund by id, in the order they were stored."""

    refunds: dict[str, OrderRefund] = field(default_factory=dict)


class MemoryRefundStore:
    """`tactful.services.ports.refunds.RefundStore` over a memory transaction's state."""

    def __init__(self, state: MemoryState) -> None:
        self.data = state.refunds

    def lock_order(self, order_id: str) -> None:
        """Memory transactions run one at a time: nothing to hold."""

    def record_refund(self, refund: OrderRefund) -> OrderRefund:
        first = self.data.refunds.get(refund.refund_id)
        if first is not None:
            return first
        stored = replace(refund, created_at=utc(refund.created_at))
        self.data.refunds[refund.refund_id] = stored
        return stored

    def get_refund(self, refund_id: str) -> OrderRefund | None:
        return self.data.refunds.get(refund_id)

    def finish_refund(
        self, refund_id: str, *, status: RefundStatus, gateway_ref: str | None
    ) -> OrderRefund:
        refund = self.data.refunds.get(refund_id)
        if refund is None:
            raise LookupError(f"refund: no refund {refund_id!r}")
        finished = replace(refund, status=status, gateway_ref=gateway_ref)
        self.data.refunds[refund_id] = finished
        return finished

    def refunds_of(self, order_id: str) -> list[OrderRefund]:
        mine = [r for r in self.data.refunds.values() if r.order_id == order_id]
        return sorted(mine, key=lambda r: (r.created_at, r.refund_id))

    def refunded_total(self, order_id: str) -> int:
        return sum(r.amount for r in self.refunds_of(order_id) if r.counts)
