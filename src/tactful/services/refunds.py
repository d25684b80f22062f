"""Refunding an order: once per refund id, never more than was paid, through its gateway.

An order paid on a hosted checkout page is refunded through the gateway that charged it (its
charges, oldest first); any other order (sent by `POST /v1/orders`) was paid elsewhere, so its
refund is only recorded. The refund row is stored as pending before the gateway is asked, so a
crash or a retry resumes it under the same gateway idempotency keys and never refunds twice.
`refund.created` is queued for the merchant's endpoints in the transaction that makes the
refund succeed (the outbox), so a crash can neither lose it nor send it for a refund that was
never made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tactful.domain.checkout.payments import PaymentError, PaymentGateway
from tactful.domain.checkout.records import ChargeRecord
from tactful.domain.clock import Clock
from tactful.domain.payment_records import Dispute
from tactful.domain.refunds import (
    OrderRefund,
    RefundError,
    RefundRequest,
    RefundStatus,
    allocate,
    refund_amount,
    refundable,
)
from tactful.services.ports.storage import Database, Transaction
from tactful.services.webhook_events import refund_created


class RefundNotFoundError(LookupError):
    """No such order."""


class RefundFailedError(Exception):
    """The gateway refused or failed; `status` is the HTTP code to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RefundResult:
    """A refund as stored, whether this call made it, and what remains refundable."""

    refund: OrderRefund
    created: bool
    remaining: int


@dataclass(frozen=True, slots=True)
class _Plan:
    refund: OrderRefund
    gateway: str | None
    charges: tuple[ChargeRecord, ...]
    already: int


class Refunds:
    """The refund use case; `gateways` by name (the order remembers which one charged it)."""

    def __init__(
        self, database: Database, clock: Clock, gateways: Mapping[str, PaymentGateway]
    ) -> None:
        self.database = database
        self.clock = clock
        self.gateways = dict(gateways)

    def refund(self, order_id: str, request: RefundRequest, *, refund_id: str) -> RefundResult:
        """Refund the order once per `refund_id`; a repeat returns the first refund."""
        with self.database.transaction() as tx:
            first = tx.refunds.get_refund(refund_id)
            if first is not None:
                _check_repeat(first, order_id, request)
                plan = (
                    None if first.status is not RefundStatus.PENDING else self._plan_of(tx, first)
                )
            else:
                plan = self._new_plan(tx, order_id, request, refund_id)
        if plan is None:
            assert first is not None
            return RefundResult(first, False, self._remaining(order_id))
        refund = plan.refund if plan.gateway is None else self._through_gateway(plan)
        return RefundResult(refund, first is None, self._remaining(order_id))

    def refunds_of(self, order_id: str) -> tuple[list[OrderRefund], int]:
        """The order's refunds and what remains refundable; RefundNotFoundError if no order."""
        with self.database.transaction() as tx:
            if not tx.orders.get_orders([order_id]):
                raise RefundNotFoundError(f"order {order_id!r} not found")
            return tx.refunds.refunds_of(order_id), self._remaining_in(tx, order_id)

    def disputes_of(self, order_id: str) -> list[Dispute]:
        """The order's disputes (any means the order is disputed); RefundNotFoundError if none."""
        with self.database.transaction() as tx:
            if not tx.orders.get_orders([order_id]):
                raise RefundNotFoundError(f"order {order_id!r} not found")
            return tx.payments.disputes_of(order_id)

    def _remaining(self, order_id: str) -> int:
        with self.database.transaction() as tx:
            return self._remaining_in(tx, order_id)

    def _remaining_in(self, tx: Transaction, order_id: str) -> int:
        order = tx.orders.get_orders([order_id])[order_id]
        paid, _gateway, _charges = _paid(tx, order_id, order.total.amount)
        return max(paid - tx.refunds.refunded_total(order_id), 0)

    def _new_plan(
        self, tx: Transaction, order_id: str, request: RefundRequest, refund_id: str
    ) -> _Plan:
        tx.refunds.lock_order(order_id)
        order = tx.orders.get_orders([order_id]).get(order_id)
        if order is None:
            raise RefundNotFoundError(f"order {order_id!r} not found")
        paid, gateway, charges = _paid(tx, order_id, order.total.amount)
        if gateway is not None and gateway not in self.gateways:
            raise RefundFailedError(
                409, "gateway_unavailable", f"order was paid through {gateway!r}, not set up here"
            )
        state = refundable(order, paid, tx.refunds.refunds_of(order_id))
        amount, lines = refund_amount(state, request)
        status = RefundStatus.PENDING if gateway is not None else RefundStatus.SUCCEEDED
        refund = tx.refunds.record_refund(
            OrderRefund(
                refund_id,
                order_id,
                amount,
                order.currency,
                request.reason,
                status,
                None,
                lines,
                self.clock.now(),
            )
        )
        if refund.status is RefundStatus.SUCCEEDED:
            refund_created(tx.outbox, refund)
        return _Plan(refund, gateway, tuple(charges), state.refunded)

    def _plan_of(self, tx: Transaction, pending: OrderRefund) -> _Plan:
        """Resume a pending refund: the same split over the same charges as the first try."""
        _paid_total, gateway, charges = _paid(tx, pending.order_id, 0)
        earlier = [
            r
            for r in tx.refunds.refunds_of(pending.order_id)
            if r.counts and (r.created_at, r.refund_id) < (pending.created_at, pending.refund_id)
        ]
        return _Plan(pending, gateway, tuple(charges), sum(r.amount for r in earlier))

    def _through_gateway(self, plan: _Plan) -> OrderRefund:
        assert plan.gateway is not None
        gateway = self.gateways[plan.gateway]
        refund = plan.refund
        parts = allocate(refund.amount, plan.already, [c.amount for c in plan.charges])
        done: list[str] = []
        try:
            for index, part in parts:
                key = f"refund:{refund.refund_id}:{plan.charges[index].charge_id}"
                done.append(gateway.refund(plan.charges[index].charge_id, part, key).refund_id)
        except PaymentError as exc:
            if done:  # some money went back: stay pending, a retry with this id finishes it
                self._finish(refund.refund_id, RefundStatus.PENDING, done)
                message = f"partly refunded; retry: {exc.message}"
                raise RefundFailedError(502, exc.code, message) from exc
            self._finish(refund.refund_id, RefundStatus.FAILED, done)
            raise RefundFailedError(402, exc.code, exc.message) from exc
        return self._finish(refund.refund_id, RefundStatus.SUCCEEDED, done)

    def _finish(self, refund_id: str, status: RefundStatus, refs: list[str]) -> OrderRefund:
        with self.database.transaction() as tx:
            refund = tx.refunds.finish_refund(
                refund_id, status=status, gateway_ref=",".join(refs) or None
            )
            if status is RefundStatus.SUCCEEDED:
                refund_created(tx.outbox, refund)
            return refund


def _paid(
    tx: Transaction, order_id: str, order_total: int
) -> tuple[int, str | None, list[ChargeRecord]]:
    """What the order's customer paid, the gateway that took it (None: paid elsewhere), charges."""
    checkout = tx.checkout.get_checkout_order(order_id)
    if checkout is None:
        return order_total, None, []
    charges = tx.checkout.order_charges(order_id)
    return sum(c.amount for c in charges), checkout.gateway, charges


def _check_repeat(first: OrderRefund, order_id: str, request: RefundRequest) -> None:
    """A repeat must be for the same order and, when it names an amount, the same amount."""
    if first.order_id != order_id:
        raise RefundError("refund_id", "already used for another order", "idempotency_key_reused")
    if request.amount is not None and request.amount != first.amount:
        raise RefundError(
            "amount", f"refund {first.refund_id} was for {first.amount}", "idempotency_key_reused"
        )
