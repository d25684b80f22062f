"""Refund rules: lines priced as paid, never more than remains, split over charges in order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Sku
from tactful.domain.money import Money
from tactful.domain.orders import Order, OrderId, OrderLine
from tactful.domain.refunds import (
    LineRequest,
    OrderRefund,
    RefundError,
    RefundRequest,
    RefundStatus,
    allocate,
    refund_amount,
    refundable,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ORDER = Order(
    OrderId("o1"),
    T0,
    (OrderLine(Sku("A"), 2, Money(1000, "GBP")), OrderLine(Sku("B"), 1, Money(500, "GBP"))),
)


def stored(amount: int) -> OrderRefund:
    return OrderRefund("r", "o1", amount, "GBP", "", RefundStatus.SUCCEEDED, None, None, T0)


def test_lines_are_priced_with_the_tax_that_was_paid() -> None:
    state = refundable(ORDER, 3000, [])  # 2,500 of goods + 20% VAT added at checkout
    amount, lines = refund_amount(state, RefundRequest(lines=(LineRequest(line_no=1, quantity=1),)))
    assert amount == 1200
    assert lines is not None
    assert [(x.line_no, x.quantity, x.amount) for x in lines] == [(1, 1, 1200)]


def test_a_failed_refund_gives_its_amount_back_to_the_refundable() -> None:
    failed = OrderRefund("f", "o1", 2000, "GBP", "", RefundStatus.FAILED, None, None, T0)
    assert refundable(ORDER, 2500, [failed, stored(500)]).remaining == 2000


def test_nothing_is_refunded_twice_once_fully_refunded() -> None:
    with pytest.raises(RefundError) as caught:
        refund_amount(refundable(ORDER, 2500, [stored(2500)]), RefundRequest())
    assert (caught.value.field, caught.value.code) == ("amount", "refund_too_large")


@given(st.lists(st.integers(min_value=1, max_value=3000), max_size=8))
def test_refunds_in_sequence_never_exceed_what_was_paid(asks: list[int]) -> None:
    earlier: list[OrderRefund] = []
    for ask in asks:
        state = refundable(ORDER, 2500, earlier)
        try:
            amount, _lines = refund_amount(state, RefundRequest(amount=ask))
        except RefundError:
            assert ask > state.remaining
            continue
        assert amount == ask
        earlier.append(stored(amount))
    assert sum(r.amount for r in earlier) <= 2500


@given(
    st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=4),
    st.data(),
)
def test_allocation_covers_the_refund_without_exceeding_any_charge(
    charges: list[int], data: st.DataObject
) -> None:
    paid = sum(charges)
    already = data.draw(st.integers(min_value=0, max_value=paid - 1))
    amount = data.draw(st.integers(min_value=1, max_value=paid - already))
    parts = allocate(amount, already, charges)
    assert sum(part for _index, part in parts) == amount
    used = [0] * len(charges)
    for index, part in allocate(already, 0, charges) + parts:
        used[index] += part
    assert all(u <= c for u, c in zip(used, charges, strict=True))
