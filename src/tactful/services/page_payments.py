"""Paying in the page (Stripe's Payment Element): start a payment, make the order when the
gateway says it succeeded, whichever of the returning browser or the webhook tells first.

The server computes the amount and starts the PaymentIntent; the browser confirms it with the
gateway's script; `settle_checkout` then makes the order exactly once (the pending payment's
status moves to succeeded in the same transaction that stores the order).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tactful.domain.catalog import Sku
from tactful.domain.checkout import CheckoutOrder, PricedLine, prefill, totals
from tactful.domain.checkout.page_payments import PagePayment, PagePaymentGateway
from tactful.domain.checkout.payments import Charge, ChargeStatus
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine
from tactful.domain.payment_records import PendingPayment
from tactful.services import checkout_offers, webhook_events
from tactful.services.checkout import BumpView, Cart, CheckoutDeps
from tactful.services.checkout_idempotency import Outcome
from tactful.services.offer_confirmation import OFFER, SETTLED
from tactful.services.ports.storage import Transaction

CHECKOUT = "checkout"
SUCCEEDED = "succeeded"


def page_gateway(deps: CheckoutDeps) -> PagePaymentGateway:
    """The gateway the page confirms payments with (only set for such gateways)."""
    if deps.page_gateway is None:
        raise RuntimeError("the configured payment gateway does not confirm in the page")
    return deps.page_gateway


def _contact_problem(email: str, name: str) -> Outcome | None:
    if "@" not in email or len(email) > 254:
        message = "Enter the email address for your receipt."
        return Outcome("invalid", 422, message=message, error_field="email")
    if not name.strip():
        return Outcome("invalid", 422, message="Enter the name on the order.", error_field="name")
    return None


def _order_details(
    cart: Cart,
    chosen: list[BumpView],
    contact: tuple[str, str],
    customer: str | None,
    query: dict[str, str],
) -> dict[str, Any]:
    """What the order will be made of once the payment succeeds (JSON-ready)."""
    email, name = contact[0].strip().lower(), contact[1].strip()
    fill = prefill(query, max_quantity=cart.page.max_quantity)
    return {
        "slug": cart.page.slug,
        "lines": [[x.sku, x.quantity, x.unit_price.amount] for x in cart.priced],
        "bumps": [[b.sku, b.block.price.amount, b.offer_id] for b in chosen],
        "email": email,
        "name": name,
        "customer_id": customer or email,
        "utm": dict(fill.utm),
    }


def start_checkout_payment(
    deps: CheckoutDeps,
    cart: Cart,
    chosen: list[BumpView],
    contact: tuple[str, str],
    key: str,
    customer: str | None,
    query: dict[str, str],
) -> Outcome:
    """A PaymentIntent for the server's total; the page confirms it, nothing is charged here."""
    problem = _contact_problem(*contact)
    if problem is not None:
        return problem
    page, gateway = cart.page, page_gateway(deps)
    bump_lines = [PricedLine(b.sku, b.name, 1, b.block.price) for b in chosen]
    total = totals([*cart.priced, *bump_lines], page.tax, page.currency).total
    order_id = "co_" + secrets.token_hex(10)
    details = _order_details(cart, chosen, contact, customer, query)
    payment = gateway.start_payment(
        total.amount,
        page.currency,
        email=details["email"],
        save_card=bool(page.upsells),
        idempotency_key=f"checkout:{key}",
        metadata={"tactful_order": order_id, "tactful_page": page.slug},
    )
    now = deps.clock.now()
    pending = PendingPayment(
        payment.payment_ref, gateway.name, CHECKOUT, order_id, total.amount, page.currency,
        payment.status, details, now, now,
    )  # fmt: skip
    with deps.database.transaction() as tx:
        tx.payments.save_pending(pending)
    return Outcome(
        "requires_confirmation",
        200,
        order_id=order_id,
        charge_id=payment.payment_ref,
        data={
            "client_secret": payment.client_secret,
            "total": total.amount,
            "currency": page.currency,
            "return_url": f"/c/{page.slug}/payments/{payment.payment_ref}/return",
        },
    )


def settle_checkout(deps: CheckoutDeps, payment: PagePayment) -> str | None:
    """Make the order of a succeeded checkout payment, once; its id (None: not ours or not paid).

    The amount and currency must be the ones the server asked for.
    """
    with deps.database.transaction() as tx:
        pending = tx.payments.get_pending(payment.payment_ref)
    if pending is None or pending.purpose != CHECKOUT:
        return None
    if not payment.succeeded:
        with deps.database.transaction() as tx:
            tx.payments.settle_pending(
                payment.payment_ref, status=payment.status, at=deps.clock.now()
            )
        return None
    if (payment.amount.amount, payment.amount.currency) != (pending.amount, pending.currency):
        raise ValueError(f"payment {payment.payment_ref} is not for the amount asked")
    method_id = payment.payment_method_id or ""
    method = page_gateway(deps).get_payment_method(method_id) if method_id else None
    label = method.label if method is not None else "Card"
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        if tx.payments.settle_pending(payment.payment_ref, status=SUCCEEDED, at=now):
            _store_order(tx, pending, method_id, label, now)
    return pending.order_id


def _order_lines(pending: PendingPayment) -> tuple[OrderLine, ...]:
    """The order's lines as the server priced them when the payment started."""
    order_id, currency = pending.order_id, pending.currency
    lines = [
        OrderLine(Sku(sku), int(qty), Money(int(price), currency))
        for sku, qty, price in pending.details["lines"]
    ]
    bumps = [
        OrderLine(
            Sku(sku), 1, Money(int(price), currency), OfferId(f"{order_id}-b{n}"), LineSource.BUMP
        )
        for n, (sku, price, _offer) in enumerate(pending.details["bumps"], start=1)
    ]
    return tuple(lines + bumps)


def _bump_events(pending: PendingPayment, now: datetime) -> list[Event]:
    order_id, customer_id = pending.order_id, pending.details["customer_id"]
    return [
        Event(
            EventId(f"{order_id}-b{n}:accepted"),
            EventType.OFFER_ACCEPTED,
            CustomerId(customer_id),
            now,
            Sku(sku),
            {
                "offer_id": offer or f"{order_id}-b{n}",
                "kind": "order_bump",
                "for_sku": "",
                "channel": "checkout",
            },
        )
        for n, (sku, _price, offer) in enumerate(pending.details["bumps"], start=1)
    ]


def _store_order(
    tx: Transaction, pending: PendingPayment, method_id: str, label: str, now: datetime
) -> None:
    """The paid order, its checkout side, its charge and its bump events, in one transaction."""
    details, order_id = pending.details, pending.order_id
    customer_id = details["customer_id"]
    order = Order(OrderId(order_id), now, _order_lines(pending), CustomerId(customer_id))
    tx.orders.insert_orders([order], source="checkout")
    tx.checkout.insert_checkout_order(
        CheckoutOrder(
            order_id,
            details["slug"],
            customer_id,
            details["email"],
            details["name"],
            pending.gateway,
            method_id,
            label,
            now,
            {"utm": details["utm"]},
        )
    )
    tx.checkout.record_charge(
        charge_id=pending.payment_ref,
        order_id=order_id,
        offer_id=None,
        amount=pending.amount,
        currency=pending.currency,
        at=now,
    )
    tx.events.insert_events(_bump_events(pending, now))
    webhook_events.order_paid(
        tx.outbox,
        order,
        slug=details["slug"],
        email=details["email"],
        total=Money(pending.amount, pending.currency),
        charge_id=pending.payment_ref,
    )


def payment_returned(deps: CheckoutDeps, slug: str, payment_ref: str) -> Outcome:
    """The browser is back from confirming: ask the gateway (not the browser) how it went."""
    with deps.database.transaction() as tx:
        pending = tx.payments.get_pending(payment_ref)
    if pending is None or pending.purpose != CHECKOUT or pending.details.get("slug") != slug:
        return Outcome("not_found", 404, message="There is no such payment on this page.")
    payment = page_gateway(deps).get_payment(payment_ref)
    if payment is None:
        return Outcome("not_found", 404, message="The payment provider does not know this payment.")
    if payment.succeeded:
        order_id = settle_checkout(deps, payment)
        return Outcome("paid", 200, order_id=order_id, charge_id=payment_ref)
    if payment.status == "processing":
        return Outcome(
            "processing", 202, charge_id=payment_ref, message="Your payment is being confirmed."
        )
    settle_checkout(deps, payment)
    message = payment.failure_message or "The payment was not completed."
    return Outcome(
        "payment_failed", 402, charge_id=payment_ref, message=f"{message} Nothing was charged."
    )


def settle_offer(deps: CheckoutDeps, payment: PagePayment) -> str | None:
    """Add the line of an offer the customer confirmed on-session, once; the order id."""
    with deps.database.transaction() as tx:
        pending = tx.payments.get_pending(payment.payment_ref)
    if pending is None or pending.purpose != OFFER or not payment.succeeded:
        return None
    details = pending.details
    view = checkout_offers.claimed_offer_view(
        deps, details["slug"], pending.order_id, details["offer_id"]
    )
    if view is None:
        raise ValueError(f"offer {details['offer_id']} was paid but is not on sale any more")
    now = deps.clock.now()
    charge = Charge(
        payment.payment_ref,
        payment.amount,
        details["payment_method_id"],
        ChargeStatus.SUCCEEDED,
        f"offer:{details['offer_id']}",
        now,
    )
    checkout_offers.record_offer_charge(deps, view, charge)
    with deps.database.transaction() as tx:
        tx.payments.settle_pending(payment.payment_ref, status=SUCCEEDED, at=now)
    return pending.order_id


def offer_confirmed(deps: CheckoutDeps, slug: str, order_id: str, offer_id: str) -> Outcome:
    """The customer confirmed an offer in the page: ask the gateway how it went."""
    with deps.database.transaction() as tx:
        pending = tx.payments.pending_for_offer(order_id, offer_id)
    if pending is None or pending.details.get("slug") != slug:
        return Outcome("not_found", 404, message="There is no payment waiting for this offer.")
    payment = page_gateway(deps).get_payment(pending.payment_ref)
    if payment is not None and payment.succeeded:
        settle_offer(deps, payment)
        return Outcome("accepted", 200, order_id=order_id, offer_id=offer_id)
    message = (payment.failure_message if payment else None) or "The payment was not confirmed."
    return Outcome(
        "payment_failed",
        402,
        order_id=order_id,
        offer_id=offer_id,
        message=f"{message} Nothing was charged.",
    )


@dataclass(frozen=True, slots=True)
class WaitingOffer:
    """An upsell waiting for the customer's on-session confirmation, as its page shows it."""

    amount: Money
    name: str
    client_secret: str
    payment_method_id: str


def offer_awaiting(deps: CheckoutDeps, order_id: str, offer_id: str) -> WaitingOffer | None:
    """The offer's payment waiting for the customer, if there is one."""
    with deps.database.transaction() as tx:
        pending = tx.payments.pending_for_offer(order_id, offer_id)
    if pending is None or pending.status in SETTLED:
        return None
    details = pending.details
    view = checkout_offers.claimed_offer_view(deps, details["slug"], order_id, offer_id)
    return WaitingOffer(
        Money(pending.amount, pending.currency),
        view.product.name if view is not None else "your offer",
        details["client_secret"],
        details["payment_method_id"],
    )
