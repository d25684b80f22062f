"""The facts a merchant's endpoints hear about, each queued in the transaction that stores it.

Every function here takes the caller's `tx.outbox`: the message commits with the order, the
charge or the response, or neither does, so a crash can neither lose nor repeat a message.
"""

from __future__ import annotations

from datetime import datetime

from tactful.domain.money import Money
from tactful.domain.orders import Order
from tactful.domain.refunds import OrderRefund
from tactful.domain.webhooks_out import EventType
from tactful.services.ports.webhooks_out import Outbox
from tactful.services.webhooks_out import publish_in


def order_paid(
    outbox: Outbox, order: Order, *, slug: str, email: str, total: Money, charge_id: str
) -> list[str]:
    """`order.paid`: a checkout page took the payment and stored the order."""
    lines = [
        {
            "sku": str(line.sku),
            "quantity": line.quantity,
            "unit_price": line.unit_price.amount,
            "source": line.source.value,
            "offer_id": line.offer_id,
        }
        for line in order.lines
    ]
    data = {
        "order_id": str(order.order_id),
        "checkout": slug,
        "customer_id": order.customer_id,
        "email": email,
        "amount": total.amount,
        "currency": total.currency,
        "charge_id": charge_id,
        "lines": lines,
    }
    return publish_in(outbox, EventType.ORDER_PAID, data, order.created_at)


def upsell_charged(
    outbox: Outbox,
    *,
    order_id: str,
    offer_id: str,
    sku: str,
    charge_id: str,
    amount: Money,
    at: datetime,
) -> list[str]:
    """`upsell.charged`: a one-click offer after payment was accepted and charged."""
    data = {
        "order_id": order_id,
        "offer_id": offer_id,
        "sku": sku,
        "charge_id": charge_id,
        "amount": amount.amount,
        "currency": amount.currency,
    }
    return publish_in(outbox, EventType.UPSELL_CHARGED, data, at)


def offer_response(
    outbox: Outbox, event_type: EventType, decision_id: str, offer_id: str, at: datetime
) -> list[str]:
    """`offer.accepted` / `offer.declined`: a response to an offer of the decision API."""
    response = "accepted" if event_type is EventType.OFFER_ACCEPTED else "declined"
    data = {"decision_id": decision_id, "offer_id": offer_id, "response": response}
    return publish_in(outbox, event_type, data, at)


def refund_created(outbox: Outbox, refund: OrderRefund) -> list[str]:
    """`refund.created`: money went back on an order (the refund as `POST .../refunds` shows it)."""
    lines = None
    if refund.lines is not None:
        lines = [
            {"line_no": x.line_no, "quantity": x.quantity, "amount": x.amount} for x in refund.lines
        ]
    data = {
        "refund_id": refund.refund_id,
        "order_id": refund.order_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "status": str(refund.status),
        "gateway_ref": refund.gateway_ref,
        "lines": lines,
        "created_at": refund.created_at.isoformat().replace("+00:00", "Z"),
    }
    return publish_in(outbox, EventType.REFUND_CREATED, data, refund.created_at)
