"""Paid offer lines and their refunds, as the dashboard counts them.

An offer line's refunded value is its share (pro rata by value) of what its order's refunds
gave back. An offer line counts as *refunded* when a refund names it (a refund of lines, whole
or in part) or when the order's refunds add up to its whole value (a full refund, whether asked
for as everything, an amount or from a shop platform). Failed refunds count for neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Float, case, cast, func, select

from tactful.adapters.db.tables import order_lines
from tactful.adapters.db.tables_offers import offer_impressions
from tactful.adapters.db.tables_payments import order_refunds

__all__ = ["paid_lines", "refunded_candidates", "refunded_lines", "refunds_by_order"]

OfferKey = tuple[date, str, str, str]
"""(day of the decision, sku, kind, moment)."""


def refunds_by_order() -> Any:
    """Each refunded order's refunds that count, added up (`amount`)."""
    return (
        select(order_refunds.c.order_id, func.sum(order_refunds.c.amount_minor).label("amount"))
        .where(order_refunds.c.status != "failed")
        .group_by(order_refunds.c.order_id)
        .subquery()
    )


def _order_totals(orders_of: Any) -> Any:
    """Each order among `orders_of`: its lines' value and what its refunds gave back."""
    refunded = refunds_by_order()
    return (
        select(
            order_lines.c.order_id,
            func.sum(order_lines.c.quantity * order_lines.c.unit_price).label("total"),
            func.max(func.coalesce(refunded.c.amount, 0)).label("refunded"),
        )
        .outerjoin(refunded, refunded.c.order_id == order_lines.c.order_id)
        .where(order_lines.c.order_id.in_(orders_of))
        .group_by(order_lines.c.order_id)
        .subquery()
    )


def paid_lines(base: Any, key: tuple[Any, ...]) -> Any:
    """Paid offer lines per key: count, revenue, and refunds shared pro rata over each order."""
    with_offers = select(order_lines.c.order_id).where(order_lines.c.offer_id.is_not(None))
    totals = _order_totals(with_offers)
    value = order_lines.c.quantity * order_lines.c.unit_price
    share = case(
        (totals.c.total > 0, cast(value, Float) * totals.c.refunded / totals.c.total), else_=0.0
    )
    return (
        base.add_columns(func.count(), func.sum(value), func.sum(share))
        .join(order_lines, order_lines.c.offer_id == offer_impressions.c.offer_id)
        .join(totals, totals.c.order_id == order_lines.c.order_id)
        .group_by(*key)
    )


def refunded_candidates(base: Any) -> Any:
    """Every paid offer line of an order with a refund that counts, once per such refund:
    (key..., order id, line number, order value, refunded in all, the refund's lines)."""
    counted = order_refunds.c.status != "failed"
    totals = _order_totals(select(order_refunds.c.order_id).where(counted))
    return (
        base.add_columns(
            order_lines.c.order_id,
            order_lines.c.line_no,
            totals.c.total,
            totals.c.refunded,
            order_refunds.c.lines,
        )
        .join(order_lines, order_lines.c.offer_id == offer_impressions.c.offer_id)
        .join(totals, totals.c.order_id == order_lines.c.order_id)
        .join(
            order_refunds,
            (order_refunds.c.order_id == order_lines.c.order_id) & counted,
        )
    )


def refunded_lines(rows: Iterable[Any], day: Any) -> dict[OfferKey, int]:
    """Refunded offer lines per key, from `refunded_candidates`' rows (`day` reads the key's
    day as the database returns it); a line named by two refunds counts once."""
    counted: dict[OfferKey, int] = {}
    seen: set[tuple[str, int]] = set()
    for when, sku, kind, moment, order_id, line_no, total, refunded, lines in rows:
        named = {int(line["line_no"]) for line in lines or ()}
        whole = total > 0 and refunded >= total
        if (order_id, line_no) in seen or not (whole or line_no in named):
            continue
        seen.add((order_id, line_no))
        key = (day(when), sku, kind, moment)
        counted[key] = counted.get(key, 0) + 1
    return counted
