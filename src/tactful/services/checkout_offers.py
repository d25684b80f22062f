"""One-click offers after payment: show one at a time, charge the vaulted card at most once."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta

from tactful.domain.catalog import Sku
from tactful.domain.checkout import (
    Charge,
    CheckoutPage,
    Slot,
    current_slot,
    dropped_slots,
    fingerprint,
    offer_for,
    offers_close_at,
    parse_slot,
    price_block,
    refusal,
)
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import OfferId, Order, OrderLine
from tactful.services import offer_confirmation, webhook_events
from tactful.services.checkout import CheckoutDeps, CheckoutNotFoundError, load_page
from tactful.services.checkout_funnel import Funnel, OfferView, Receipt
from tactful.services.checkout_idempotency import Outcome, check_key, run_once
from tactful.services.ports.storage import Transaction

__all__ = [
    "Funnel",
    "OfferView",
    "Receipt",
    "accept",
    "claimed_offer_view",
    "decline",
    "funnel_view",
    "record_offer_charge",
]

STALE_CLAIM = timedelta(seconds=60)
WAIT_SECONDS = 15.0


def _load(tx: Transaction, slug: str, order_id: str) -> Funnel:
    checkout = tx.checkout.get_checkout_order(order_id)
    if checkout is None or checkout.page_slug != slug:
        raise CheckoutNotFoundError(f"no order {order_id!r} on page {slug!r}")
    order = tx.orders.get_orders([order_id])[order_id]
    page = load_page(tx, slug)
    dropped = _dropped(tx, page, order, tx.orders.orders_of(checkout.customer_id))
    return Funnel(page, checkout, order, tx.checkout.responses(order_id), dropped)


def _dropped(
    tx: Transaction, page: CheckoutPage, order: Order, bought: list[Order]
) -> frozenset[str]:
    """Offers that would make no sense now: off sale, or bought already (here or before)."""
    skus = {s.sku for step in page.upsells for s in (step.offer, step.downsell) if s is not None}
    owned = {line.sku for o in bought if o.order_id != order.order_id for line in o.lines}
    products = tx.catalog.get_products(sorted(skus))
    return dropped_slots(page, products, {line.sku for line in order.lines}, owned)


def _card_label(funnel: Funnel) -> str:
    return funnel.checkout.card_label or "your card"


def funnel_view(deps: CheckoutDeps, slug: str, order_id: str) -> OfferView | Receipt:
    """The current offer, or the receipt once offers are answered or closed."""
    now = deps.clock.now()
    view: OfferView | None = None
    with deps.database.transaction() as tx:
        funnel = _load(tx, slug, order_id)
        slot = current_slot(funnel.page, funnel.responses, funnel.dropped)
        closes_at = offers_close_at(funnel.checkout.purchased_at, funnel.page.offer_expiry_minutes)
        if slot is not None and now < closes_at:
            view = _offer_view(tx, funnel, slot, closes_at, now)
        products = tx.catalog.get_products([line.sku for line in funnel.order.lines])
        charges = tx.checkout.order_charges(order_id)
    names = {sku: p.name for sku, p in products.items()}
    if view is not None:
        _record_shown(deps, view, now)
        return replace(view, names=names)
    closed = slot is not None
    return Receipt(funnel, names, charges, _card_label(funnel), closed)


def _offer_view(
    tx: Transaction,
    funnel: Funnel,
    slot: Slot,
    closes_at: datetime,
    now: datetime,
) -> OfferView | None:
    spec = offer_for(funnel.page, slot)
    product = tx.catalog.get_products([spec.sku]).get(spec.sku) if spec else None
    if spec is None or product is None or not product.active:
        return None
    history = tx.catalog.price_history([spec.sku]).get(spec.sku, [])
    block = price_block(product, history, now)
    charge = Money(funnel.page.tax.charge_for(block.price.amount), funnel.page.currency)
    return OfferView(
        funnel,
        slot,
        slot.offer_id(funnel.order.order_id),
        spec,
        product,
        block,
        charge,
        _card_label(funnel),
        closes_at,
        funnel.totals.total + charge,
    )


def _event(funnel: Funnel, offer_id: str, sku: str, kind: EventType, now: datetime) -> Event:
    slot_kind = "upsell" if offer_id.rsplit("-", 1)[-1].startswith("u") else "downsell"
    main = funnel.order.lines[0].sku
    return Event(
        EventId(f"{offer_id}:{kind.value.removeprefix('offer_')}"),
        kind,
        CustomerId(funnel.checkout.customer_id),
        now,
        Sku(sku),
        {"offer_id": offer_id, "kind": slot_kind, "for_sku": main, "channel": "checkout"},
    )


def _record_shown(deps: CheckoutDeps, view: OfferView, now: datetime) -> None:
    event = _event(view.funnel, view.offer_id, view.product.sku, EventType.OFFER_SHOWN, now)
    with deps.database.transaction() as tx:
        tx.events.insert_events([event])


def accept(
    deps: CheckoutDeps, slug: str, order_id: str, offer_id: str, idempotency_key: str | None
) -> Outcome:
    """Charge the vaulted card for one offer, once per key and once per offer whatever the key.

    Accepting is safe to run again (the offer's claim and the gateway key hold the charge to
    one), so a retry after a crash resumes the dead request's key once it is stale.
    """
    key = check_key(idempotency_key)
    print_ = fingerprint({"op": "accept", "slug": slug, "order": order_id, "offer": offer_id})
    return run_once(
        deps.database,
        deps.clock,
        key,
        print_,
        lambda: _accept(deps, slug, order_id, offer_id),
        resume_after=STALE_CLAIM,
    )


def _accept(deps: CheckoutDeps, slug: str, order_id: str, offer_id: str) -> Outcome:
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        funnel = _load(tx, slug, order_id)
    if offer_id in funnel.answers:
        return _settled(deps, slug, order_id, offer_id)
    slot = parse_slot(funnel.page, order_id, offer_id)
    if slot is None:
        return Outcome(
            "offer_unknown",
            404,
            order_id=order_id,
            offer_id=offer_id,
            message="There is no such offer on this order.",
            error_field="offer_id",
        )
    why = refusal(
        funnel.page,
        funnel.responses,
        slot,
        purchased_at=funnel.checkout.purchased_at,
        now=now,
        dropped=funnel.dropped,
    )
    if why is not None:
        return _refused(why.value, order_id, offer_id)
    with deps.database.transaction() as tx:
        view = _offer_view(tx, funnel, slot, now + timedelta(days=1), now)
    if view is None:
        return Outcome(
            "offer_unknown",
            404,
            order_id=order_id,
            offer_id=offer_id,
            message="This product is no longer on sale. Nothing was charged.",
            error_field="offer_id",
        )
    with deps.database.transaction() as tx:
        claimed = tx.checkout.claim_offer(order_id, offer_id, view.product.sku, "pending", at=now)
    if not claimed:
        return _settled(deps, slug, order_id, offer_id)
    return _charge_offer(deps, view)


def _refused(code: str, order_id: str, offer_id: str) -> Outcome:
    if code == "offer_expired":
        message = "This offer has expired. Nothing was charged."
        return Outcome(
            code, 410, order_id=order_id, offer_id=offer_id, message=message, error_field="offer_id"
        )
    message = "This offer is not available any more. Nothing was charged."
    return Outcome(
        code, 409, order_id=order_id, offer_id=offer_id, message=message, error_field="offer_id"
    )


def _charge_offer(deps: CheckoutDeps, view: OfferView) -> Outcome:
    """Charge with a key derived from the offer, then add the line in one guarded transaction."""
    charge = deps.gateway.charge(
        view.charge.amount,
        view.charge.currency,
        view.funnel.checkout.payment_method_id,
        f"offer:{view.offer_id}",
        off_session=True,
    )
    if charge.client_secret is not None and not charge.succeeded:
        return offer_confirmation.needs_customer(deps, view, charge)
    return record_offer_charge(deps, view, charge)


def record_offer_charge(deps: CheckoutDeps, view: OfferView, charge: Charge) -> Outcome:
    """The offer's final answer from its charge: failed, or accepted with its line, once."""
    funnel, order_id = view.funnel, view.funnel.order.order_id
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        if not charge.succeeded:
            message = charge.failure_message or "The payment did not go through."
            tx.checkout.finish_offer(
                order_id, view.offer_id, status="failed", at=now, message=message
            )
            return Outcome(
                "payment_failed",
                402,
                order_id=order_id,
                offer_id=view.offer_id,
                message=f"{message} Nothing was charged.",
            )
        if not tx.checkout.finish_offer(
            order_id, view.offer_id, status="accepted", at=now, charge_id=charge.charge_id
        ):
            return _replayed(order_id, view.offer_id, charge.charge_id)
        line = OrderLine(
            view.product.sku, 1, view.block.price, OfferId(view.offer_id), view.slot.source
        )
        line_no = tx.checkout.append_line(order_id, line)
        tx.checkout.set_offer_line(order_id, view.offer_id, line_no)
        tx.checkout.record_charge(
            charge_id=charge.charge_id,
            order_id=order_id,
            offer_id=view.offer_id,
            amount=charge.amount.amount,
            currency=charge.amount.currency,
            at=now,
        )
        tx.events.insert_events(
            [_event(funnel, view.offer_id, view.product.sku, EventType.OFFER_ACCEPTED, now)]
        )
        webhook_events.upsell_charged(
            tx.outbox,
            order_id=order_id,
            offer_id=view.offer_id,
            sku=str(view.product.sku),
            charge_id=charge.charge_id,
            amount=charge.amount,
            at=now,
        )
    return Outcome(
        "accepted",
        200,
        order_id=order_id,
        offer_id=view.offer_id,
        charge_id=charge.charge_id,
        data={
            "amount": charge.amount.amount,
            "currency": charge.amount.currency,
            "total": (view.total_after.amount),
        },
    )


def _replayed(order_id: str, offer_id: str, charge_id: str) -> Outcome:
    return Outcome(
        "already_accepted",
        200,
        order_id=order_id,
        offer_id=offer_id,
        charge_id=charge_id,
        message="This offer was already added to your order.",
    )


def _settled(deps: CheckoutDeps, slug: str, order_id: str, offer_id: str) -> Outcome:
    """The final answer of an offer another request claimed; waits while it is pending."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with deps.database.transaction() as tx:
            answer = tx.checkout.responses(order_id).get(offer_id)
        if answer is None:
            return _refused("offer_not_available", order_id, offer_id)
        if answer.status == "accepted" and answer.charge_id:
            return _replayed(order_id, offer_id, answer.charge_id)
        if (waiting := offer_confirmation.awaiting(deps, order_id, offer_id)) is not None:
            return waiting
        if answer.status == "declined":
            return Outcome(
                "already_declined",
                409,
                order_id=order_id,
                offer_id=offer_id,
                message="This offer was declined. Nothing was charged.",
            )
        if answer.status == "failed":
            return Outcome(
                "payment_failed",
                402,
                order_id=order_id,
                offer_id=offer_id,
                message=f"{answer.message or 'The payment failed.'} Nothing was charged.",
            )
        if _stale(deps, order_id, offer_id):
            return _resume(deps, slug, order_id, offer_id)
        if time.monotonic() >= deadline:
            return Outcome(
                "in_progress",
                409,
                order_id=order_id,
                offer_id=offer_id,
                message="This offer is being added; reload in a moment.",
            )
        time.sleep(0.05)


def _stale(deps: CheckoutDeps, order_id: str, offer_id: str) -> bool:
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        return tx.checkout.retake_offer(order_id, offer_id, before=now - STALE_CLAIM, at=now)


def claimed_offer_view(
    deps: CheckoutDeps, slug: str, order_id: str, offer_id: str
) -> OfferView | None:
    """A claimed offer as it is charged now (None when it is not on sale any more)."""
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        funnel = _load(tx, slug, order_id)
        slot = parse_slot(funnel.page, order_id, offer_id)
        return _offer_view(tx, funnel, slot, now, now) if slot else None


def _resume(deps: CheckoutDeps, slug: str, order_id: str, offer_id: str) -> Outcome:
    """Finish a claim whose worker died: the gateway key makes the charge happen once."""
    view = claimed_offer_view(deps, slug, order_id, offer_id)
    if view is None:
        return _refused("offer_not_available", order_id, offer_id)
    return _charge_offer(deps, view)


def decline(deps: CheckoutDeps, slug: str, order_id: str, offer_id: str) -> Outcome:
    """Record 'No thanks' once; the funnel moves on to the downsell or the next offer."""
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        funnel = _load(tx, slug, order_id)
    slot = parse_slot(funnel.page, order_id, offer_id)
    spec = offer_for(funnel.page, slot) if slot else None
    if slot is None or spec is None:
        return Outcome(
            "offer_unknown",
            404,
            order_id=order_id,
            offer_id=offer_id,
            message="There is no such offer on this order.",
            error_field="offer_id",
        )
    current = current_slot(funnel.page, funnel.responses, funnel.dropped)
    if current == slot and offer_confirmation.cancel_waiting(deps, order_id, offer_id):
        return Outcome("declined", 200, order_id=order_id, offer_id=offer_id)
    if current != slot or offer_id in funnel.answers:
        return Outcome("declined", 200, order_id=order_id, offer_id=offer_id)
    with deps.database.transaction() as tx:
        if tx.checkout.claim_offer(order_id, offer_id, spec.sku, "declined", at=now):
            tx.events.insert_events(
                [_event(funnel, offer_id, spec.sku, EventType.OFFER_DECLINED, now)]
            )
    return Outcome("declined", 200, order_id=order_id, offer_id=offer_id)
