"""Refunds of an order: what is asked (all, some lines, an amount) and what may still be given.

Pure rules: how much a request refunds, and the refusal, naming the field, when it asks for more
than remains. Amounts are integer minor units in the order's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tactful.domain.orders import Order


class RefundStatus(StrEnum):
    """Where a refund stands: pending while the gateway works, then succeeded or failed."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundError(ValueError):
    """A refund that cannot be made; `field` names what is wrong, `code` is stable."""

    def __init__(self, field: str, message: str, code: str = "invalid_refund") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Part of one order line given back: its number (1-based), how many, for how much."""

    line_no: int
    quantity: int
    amount: int


@dataclass(frozen=True, slots=True)
class OrderRefund:
    """Money given back on an order, stored once by `refund_id`.

    `gateway_ref` names the gateway's refund(s) when money went back through it; `lines` is
    None for a refund of an amount or of everything left.
    """

    refund_id: str
    order_id: str
    amount: int
    currency: str
    reason: str
    status: RefundStatus
    gateway_ref: str | None
    lines: tuple[RefundLine, ...] | None
    created_at: datetime

    @property
    def counts(self) -> bool:
        """Whether the refund takes from what remains refundable (a failed one does not)."""
        return self.status is not RefundStatus.FAILED


@dataclass(frozen=True, slots=True)
class LineRequest:
    """A line to refund, by number or SKU; all of what remains of it unless `quantity`."""

    line_no: int | None = None
    sku: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """What the merchant asks: lines, or an amount, or (neither) everything that remains."""

    amount: int | None = None
    lines: tuple[LineRequest, ...] | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Refundable:
    """An order's money: what was paid, what earlier refunds took, per line and in all."""

    order: Order
    paid: int
    refunded: int
    refunded_quantities: dict[int, int]

    @property
    def remaining(self) -> int:
        """What may still be refunded."""
        return max(self.paid - self.refunded, 0)


def refundable(order: Order, paid: int, earlier: Sequence[OrderRefund]) -> Refundable:
    """The order's refundable state after the `earlier` refunds that count."""
    counted = [r for r in earlier if r.counts]
    quantities: dict[int, int] = {}
    for refund in counted:
        for line in refund.lines or ():
            quantities[line.line_no] = quantities.get(line.line_no, 0) + line.quantity
    return Refundable(order, paid, sum(r.amount for r in counted), quantities)


def refund_lines(state: Refundable, request: RefundRequest) -> tuple[RefundLine, ...] | None:
    """The lines a request gives back, priced as paid (tax included); RefundError if unusable."""
    if request.lines is None:
        return None
    if request.amount is not None:
        raise RefundError("amount", "give either an amount or lines, not both")
    if not request.lines:
        raise RefundError("lines", "name at least one line")
    taken = dict(state.refunded_quantities)
    chosen: list[RefundLine] = []
    for index, wanted in enumerate(request.lines):
        line_no = _line_number(state.order, wanted, f"lines.{index}")
        line = state.order.lines[line_no - 1]
        left = line.quantity - taken.get(line_no, 0)
        quantity = left if wanted.quantity is None else wanted.quantity
        if quantity < 1 or quantity > left:
            raise RefundError(
                f"lines.{index}.quantity",
                f"line {line_no} has {left} of {line.quantity} left to refund",
                "refund_too_large",
            )
        taken[line_no] = taken.get(line_no, 0) + quantity
        chosen.append(RefundLine(line_no, quantity, _paid_share(state, line_no, quantity)))
    return tuple(chosen)


def _line_number(order: Order, wanted: LineRequest, field: str) -> int:
    if wanted.line_no is not None:
        if not 1 <= wanted.line_no <= len(order.lines):
            raise RefundError(
                f"{field}.line_no", f"the order has lines 1 to {len(order.lines)}", "unknown_line"
            )
        return wanted.line_no
    for number, line in enumerate(order.lines, start=1):
        if line.sku == wanted.sku:
            return number
    raise RefundError(f"{field}.sku", f"the order has no line for {wanted.sku!r}", "unknown_line")


def _paid_share(state: Refundable, line_no: int, quantity: int) -> int:
    """The line's part of what was paid: its price scaled by paid / order total (the tax)."""
    line = state.order.lines[line_no - 1]
    price = line.unit_price.amount * quantity
    total = state.order.total.amount
    if total <= 0 or state.paid == total:
        return price
    return (2 * price * state.paid + total) // (2 * total)


def refund_amount(
    state: Refundable, request: RefundRequest
) -> tuple[int, tuple[RefundLine, ...] | None]:
    """How much the request refunds, and its lines; RefundError when it exceeds what remains."""
    lines = refund_lines(state, request)
    if lines is not None:
        amount = min(sum(line.amount for line in lines), state.remaining)
        field = "lines"
    elif request.amount is not None:
        amount, field = request.amount, "amount"
    else:
        amount, field = state.remaining, "amount"
    if amount <= 0 and state.remaining <= 0:
        raise RefundError(field, "the order is fully refunded already", "refund_too_large")
    if amount <= 0:
        raise RefundError(field, "a refund must be positive")
    if amount > state.remaining:
        raise RefundError(
            field,
            f"{amount} is more than the {state.remaining} left to refund on this order",
            "refund_too_large",
        )
    return amount, lines


def allocate(amount: int, already: int, charges: Sequence[int]) -> list[tuple[int, int]]:
    """Split a refund over the charges (oldest first) after `already` refunded in that order.

    Refunds fill the charges in order, so earlier refunds used the first `already` units;
    returns (charge index, amount) pairs for the new refund.
    """
    parts: list[tuple[int, int]] = []
    start, end, offset = already, already + amount, 0
    for index, charged in enumerate(charges):
        low, high = max(start, offset), min(end, offset + charged)
        if high > low:
            parts.append((index, high - low))
        offset += charged
    return parts
