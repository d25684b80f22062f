"""A one-click offer the bank wants the customer to confirm (Stripe's authentication_required).

The off-session charge is not dropped and not retried: the offer stays claimed (pending), its
PaymentIntent is remembered, and the customer is asked to confirm that same PaymentIntent
on-session. A repeat click gets the same confirmation step; "No thanks" cancels it; the money
counts only when the gateway says the PaymentIntent succeeded (`page_payments.settle_offer`).
"""

from __future__ import annotations

from tactful.domain.checkout.payments import Charge
from tactful.domain.payment_records import PendingPayment
from tactful.services.checkout import CheckoutDeps
from tactful.services.checkout_funnel import OfferView
from tactful.services.checkout_idempotency import Outcome

OFFER = "offer"
CANCELED = "canceled"
SETTLED = frozenset({"succeeded", CANCELED})


def needs_customer(deps: CheckoutDeps, view: OfferView, charge: Charge) -> Outcome:
    """Remember the PaymentIntent waiting for the customer and ask them to confirm it."""
    now = deps.clock.now()
    order_id = view.funnel.order.order_id
    details = {
        "slug": view.funnel.page.slug,
        "offer_id": view.offer_id,
        "client_secret": charge.client_secret,
        "payment_method_id": charge.payment_method_id,
    }
    with deps.database.transaction() as tx:
        tx.payments.save_pending(
            PendingPayment(
                charge.charge_id,
                deps.gateway.name,
                OFFER,
                order_id,
                charge.amount.amount,
                charge.amount.currency,
                "requires_action",
                details,
                now,
                now,
            )
        )
        pending = tx.payments.get_pending(charge.charge_id)
    assert pending is not None
    return _confirmation_step(pending)


def awaiting(deps: CheckoutDeps, order_id: str, offer_id: str) -> Outcome | None:
    """The confirmation step of an offer waiting for its customer, if it is one."""
    with deps.database.transaction() as tx:
        pending = tx.payments.pending_for_offer(order_id, offer_id)
    if pending is None or pending.status in SETTLED:
        return None
    return _confirmation_step(pending)


def cancel_waiting(deps: CheckoutDeps, order_id: str, offer_id: str) -> bool:
    """'No thanks' on an offer waiting for confirmation: cancel its PaymentIntent, then record
    the decline; False when the offer is not waiting."""
    with deps.database.transaction() as tx:
        pending = tx.payments.pending_for_offer(order_id, offer_id)
    if pending is None or pending.status in SETTLED or deps.page_gateway is None:
        return False
    if not deps.page_gateway.cancel_payment(pending.payment_ref):
        return False  # it succeeded meanwhile: the webhook or the return adds the line
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        tx.payments.settle_pending(pending.payment_ref, status=CANCELED, at=now)
        tx.checkout.finish_offer(
            order_id, offer_id, status="declined", at=now, message="declined at confirmation"
        )
    return True


def _confirmation_step(pending: PendingPayment) -> Outcome:
    details = pending.details
    slug, offer_id = details["slug"], details["offer_id"]
    return Outcome(
        "requires_action",
        402,
        order_id=pending.order_id,
        offer_id=offer_id,
        charge_id=pending.payment_ref,
        message="Your bank asks you to confirm this payment. Nothing is charged until you do.",
        data={
            "client_secret": details["client_secret"],
            "payment_method_id": details["payment_method_id"],
            "confirm_url": f"/c/{slug}/orders/{pending.order_id}/offers/{offer_id}/confirm",
        },
    )
