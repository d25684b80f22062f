"""Gateway webhooks: verified, handled once by event id, settling orders, refunds and disputes.

`payment_intent.succeeded` makes the order (or adds the confirmed offer) when the gateway says
the money moved; `payment_intent.payment_failed` records the failure; `charge.refunded` records
refunds made outside tactful (in the gateway's dashboard); `charge.dispute.created` marks the
order disputed. Each handler is idempotent, and the event id is stored once it is handled, so
a redelivered event is answered without being handled again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tactful.domain.checkout.page_payments import GatewayEvent, PagePayment, WebhookPayloadError
from tactful.domain.money import Money
from tactful.domain.payment_records import Dispute
from tactful.domain.refunds import OrderRefund, RefundStatus
from tactful.services.checkout import CheckoutDeps
from tactful.services.page_payments import page_gateway, settle_checkout, settle_offer


class WebhookRetryError(Exception):
    """The event cannot be handled yet (answer non-2xx so the gateway delivers it again)."""


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What became of a delivered event."""

    event_id: str
    type: str
    duplicate: bool


def handle_webhook(deps: CheckoutDeps, payload: bytes, signature: str) -> WebhookResult:
    """Verify the signature (WebhookSignatureError), then handle the event once by id."""
    gateway = page_gateway(deps)
    event = gateway.verify_webhook(payload, signature)
    with deps.database.transaction() as tx:
        seen = tx.payments.event_seen(event.event_id)
    if not seen:
        _HANDLERS.get(event.type, _ignore)(deps, event)
        with deps.database.transaction() as tx:
            first = tx.payments.record_event(
                event.event_id, gateway=gateway.name, type=event.type, at=deps.clock.now()
            )
        seen = not first
    return WebhookResult(event.event_id, event.type, seen)


def _text(thing: Mapping[str, Any], name: str) -> str:
    """An id or status: 1 to 255 characters, none a control character (PostgreSQL refuses NUL)."""
    value = thing.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= 255 or not value.isprintable():
        raise WebhookPayloadError(f"data.object.{name}", "must be 1 to 255 printable characters")
    return value


def _amount(thing: Mapping[str, Any]) -> Money:
    """`amount` (whole minor units, 0 to 10^12) in `currency` (three letters)."""
    amount, currency = thing.get("amount"), thing.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10**12:
        raise WebhookPayloadError("data.object.amount", "must be whole minor units, 0 to 10^12")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii():
        raise WebhookPayloadError("data.object.currency", "must be a three-letter code")
    if not currency.isalpha():
        raise WebhookPayloadError("data.object.currency", "must be a three-letter code")
    return Money(amount, currency.upper())


def _mapping(thing: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = thing.get(name) or {}
    if not isinstance(value, Mapping):
        raise WebhookPayloadError(f"data.object.{name}", "must be an object")
    return value


def payment_of(intent: Mapping[str, Any]) -> PagePayment:
    """A PaymentIntent object from an event, as the gateway's answers are read."""
    error = _mapping(intent, "last_payment_error")
    method = intent.get("payment_method")
    if isinstance(method, Mapping):
        method = method.get("id")
    if method is not None and not isinstance(method, str):
        raise WebhookPayloadError("data.object.payment_method", "must be an id or an object")
    return PagePayment(
        payment_ref=_text(intent, "id"),
        client_secret=str(intent.get("client_secret") or ""),
        status=_text(intent, "status"),
        amount=_amount(intent),
        payment_method_id=method,
        failure_message=error.get("message") or error.get("code"),
        metadata={str(k): str(v) for k, v in _mapping(intent, "metadata").items()},
    )


def _payment_succeeded(deps: CheckoutDeps, event: GatewayEvent) -> None:
    payment = payment_of(event.data)
    if settle_checkout(deps, payment) is None:
        settle_offer(deps, payment)


def _payment_failed(deps: CheckoutDeps, event: GatewayEvent) -> None:
    settle_checkout(deps, payment_of(event.data))


def _order_of(deps: CheckoutDeps, payment_ref: object) -> str | None:
    if not isinstance(payment_ref, str) or not payment_ref.isprintable() or len(payment_ref) > 255:
        return None
    with deps.database.transaction() as tx:
        pending = tx.payments.get_pending(payment_ref)
    return None if pending is None else pending.order_id


def _charge_refunded(deps: CheckoutDeps, event: GatewayEvent) -> None:
    """Record every refund of the payment tactful does not know yet."""
    payment_ref = event.data.get("payment_intent")
    order_id = _order_of(deps, payment_ref)
    if order_id is None:
        return
    assert isinstance(payment_ref, str)
    with deps.database.transaction() as tx:
        ours = tx.refunds.refunds_of(order_id)
    if any(r.status is RefundStatus.PENDING for r in ours):
        raise WebhookRetryError(f"a refund of order {order_id} is still being made")
    known = {ref for r in ours for ref in (r.gateway_ref or "").split(",") if ref}
    now = deps.clock.now()
    for refund in page_gateway(deps).payment_refunds(payment_ref):
        if refund.refund_id in known:
            continue
        record = OrderRefund(
            refund.refund_id,
            order_id,
            refund.amount.amount,
            refund.amount.currency,
            "refunded in the payment provider's dashboard",
            RefundStatus.SUCCEEDED,
            refund.refund_id,
            None,
            now,
        )
        with deps.database.transaction() as tx:
            tx.refunds.record_refund(record)


def _dispute_created(deps: CheckoutDeps, event: GatewayEvent) -> None:
    dispute = event.data
    order_id = _order_of(deps, dispute.get("payment_intent"))
    if order_id is None:
        return
    amount = _amount(dispute)
    record = Dispute(
        _text(dispute, "id"),
        order_id,
        amount.amount,
        amount.currency,
        str(dispute.get("reason") or ""),
        str(dispute.get("status") or ""),
        deps.clock.now(),
    )
    with deps.database.transaction() as tx:
        tx.payments.record_dispute(record)


def _ignore(_deps: CheckoutDeps, _event: GatewayEvent) -> None:
    """Events tactful does not act on are acknowledged."""


_HANDLERS = {
    "payment_intent.succeeded": _payment_succeeded,
    "payment_intent.payment_failed": _payment_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}
