"""Paying on the checkout page: verify the link again, price on the server, charge once."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from tactful.domain.catalog import Sku
from tactful.domain.checkout import (
    CardDetails,
    CardError,
    Charge,
    CheckoutOrder,
    CheckoutPage,
    InvalidLink,
    PaymentMethod,
    PricedLine,
    fingerprint,
    prefill,
    totals,
    verify_link,
)
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId, EventType
from tactful.domain.money import Money
from tactful.domain.orders import LineSource, OfferId, Order, OrderId, OrderLine
from tactful.services import webhook_events
from tactful.services.checkout import (
    BumpView,
    Cart,
    CheckoutDeps,
    CheckoutNotFoundError,
    build_cart,
    load_page,
    offered_bumps,
)
from tactful.services.checkout_idempotency import Outcome, check_key, run_once
from tactful.services.page_payments import start_checkout_payment


@dataclass(frozen=True, slots=True)
class PayForm:
    """What the checkout form posts (the link's query string travels in `link`)."""

    link: str = ""
    email: str = ""
    name: str = ""
    card_number: str = ""
    card_exp: str = ""
    card_cvc: str = ""
    quantity: str = ""
    bumps: tuple[str, ...] = ()


def pay(deps: CheckoutDeps, slug: str, form: PayForm, idempotency_key: str | None) -> Outcome:
    """Charge for the page's cart exactly once per idempotency key."""
    key = check_key(idempotency_key)
    parts = asdict(form)
    parts["bumps"] = sorted(form.bumps)
    print_ = fingerprint({"op": "pay", "slug": slug, **parts})
    return run_once(deps.database, deps.clock, key, print_, lambda: _pay(deps, slug, form, key))


def _digits(text: str, most: int) -> bool:
    """Whether `text` is 1 to `most` ASCII digits ('²' and '٣' are digits to str.isdigit)."""
    return 0 < len(text) <= most and text.isascii() and text.isdigit()


def _invalid(message: str, field: str) -> Outcome:
    return Outcome("invalid", 422, message=message, error_field=field)


def _validate(form: PayForm, now: datetime) -> Outcome | CardDetails:
    if "@" not in form.email or len(form.email) > 254:
        return _invalid("Enter the email address for your receipt.", "email")
    if not form.name.strip():
        return _invalid("Enter the name on the order.", "name")
    month, _, year = form.card_exp.replace(" ", "").partition("/")
    if not (_digits(month, 2) and _digits(year, 4) and len(year) in (2, 4)):
        return _invalid("Enter the card expiry as MM/YY.", "card_exp")
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    number = "".join(form.card_number.split())
    return CardDetails(number, int(month), full_year, form.card_cvc.strip(), form.name.strip())


def _quantity(form: PayForm, cart_page: CheckoutPage) -> int | Outcome | None:
    if not form.quantity:
        return None
    if not _digits(form.quantity, 9) or not 1 <= int(form.quantity) <= cart_page.max_quantity:
        return _invalid(f"Quantity must be between 1 and {cart_page.max_quantity}.", "quantity")
    return int(form.quantity)


def _selected_bumps(form: PayForm, offered: tuple[BumpView, ...]) -> list[BumpView] | Outcome:
    """The bumps the customer ticked; anything this page does not offer now is refused."""
    by_sku = {b.sku: b for b in offered}
    chosen = []
    for sku in dict.fromkeys(form.bumps):
        if sku not in by_sku:
            return Outcome(
                "refused", 422, message=f"Add-on {sku} is not offered here.", error_field="bump"
            )
        chosen.append(by_sku[sku])
    return chosen


def _pay(deps: CheckoutDeps, slug: str, form: PayForm, key: str) -> Outcome:
    now = deps.clock.now()
    query = dict(parse_qsl(form.link, keep_blank_values=True))
    try:
        with deps.database.transaction() as tx:
            page = load_page(tx, slug)
            terms = verify_link(deps.link_secret, slug, query, now=now)
            quantity = _quantity(form, page)
            if isinstance(quantity, Outcome):
                return quantity
            cart = build_cart(tx, page, terms, quantity, now)
            offered = offered_bumps(deps, tx, cart, terms.customer, now)
    except InvalidLink as exc:
        return Outcome("invalid_link", 400, message=exc.detail, error_field="link")
    except CheckoutNotFoundError as exc:
        return Outcome("not_found", 404, message=str(exc))
    chosen = _selected_bumps(form, offered)
    if isinstance(chosen, Outcome):
        return chosen
    if _cart_total(cart, chosen).amount <= 0:  # no gateway takes a charge of nothing
        return _invalid("This order comes to nothing, so there is nothing to pay.", "price")
    if deps.page_gateway is not None:  # the card is confirmed in the page, not sent here
        contact = (form.email, form.name)
        return start_checkout_payment(deps, cart, chosen, contact, key, terms.customer, query)
    card = _validate(form, now)
    if isinstance(card, Outcome):
        return card
    return _charge_and_save(deps, cart, chosen, card, form, key, terms.customer, query)


def _record_paid_order(
    deps: CheckoutDeps,
    cart: Cart,
    chosen: list[BumpView],
    form: PayForm,
    customer: str | None,
    query: dict[str, str],
    method: PaymentMethod,
    charge: Charge,
    total: Money,
) -> str:
    """Store the paid order, its checkout details, its charge and its bump events at once."""
    page = cart.page
    email = form.email.strip().lower()
    order_id = "co_" + secrets.token_hex(10)
    now = deps.clock.now()
    lines = [OrderLine(Sku(line.sku), line.quantity, line.unit_price) for line in cart.priced] + [
        OrderLine(Sku(b.sku), 1, b.block.price, OfferId(f"{order_id}-b{n}"), LineSource.BUMP)
        for n, b in enumerate(chosen, start=1)
    ]
    customer_id = customer or email
    fill = prefill(query, max_quantity=page.max_quantity)
    order = Order(OrderId(order_id), now, tuple(lines), CustomerId(customer_id))
    with deps.database.transaction() as tx:
        tx.orders.insert_orders([order], source="checkout")
        tx.checkout.insert_checkout_order(
            CheckoutOrder(
                order_id,
                page.slug,
                customer_id,
                email,
                form.name.strip(),
                deps.gateway.name,
                method.payment_method_id,
                method.label,
                now,
                {"utm": dict(fill.utm)},
            ),
        )
        tx.checkout.record_charge(
            charge_id=charge.charge_id,
            order_id=order_id,
            offer_id=None,
            amount=total.amount,
            currency=page.currency,
            at=now,
        )
        tx.events.insert_events(_bump_events(order_id, customer_id, chosen, now))
        webhook_events.order_paid(
            tx.outbox, order, slug=page.slug, email=email, total=total, charge_id=charge.charge_id
        )
    return order_id


def _cart_total(cart: Cart, chosen: list[BumpView]) -> Money:
    """What the cart with the chosen bumps costs, as the quote computes it."""
    bump_lines = [PricedLine(b.sku, b.name, 1, b.block.price) for b in chosen]
    return totals([*cart.priced, *bump_lines], cart.page.tax, cart.page.currency).total


def _charge_and_save(
    deps: CheckoutDeps,
    cart: Cart,
    chosen: list[BumpView],
    card: CardDetails,
    form: PayForm,
    key: str,
    customer: str | None,
    query: dict[str, str],
) -> Outcome:
    page = cart.page
    total = _cart_total(cart, chosen)
    email = form.email.strip().lower()
    try:
        method = deps.gateway.create_payment_method(card, customer_ref=email)
    except CardError as exc:
        return Outcome("card_error", 402, message=exc.message, error_field="card_number")
    charge = deps.gateway.charge(
        total.amount, page.currency, method.payment_method_id, f"checkout:{key}"
    )
    if not charge.succeeded:
        return Outcome(
            charge.status.value,
            402,
            charge_id=charge.charge_id,
            message=charge.failure_message or "The payment did not go through.",
        )
    order_id = _record_paid_order(deps, cart, chosen, form, customer, query, method, charge, total)
    return Outcome(
        "paid",
        200,
        order_id=order_id,
        charge_id=charge.charge_id,
        data={"total": total.amount, "currency": page.currency},
    )


def _bump_events(
    order_id: str, customer_id: str, chosen: list[BumpView], now: datetime
) -> list[Event]:
    return [
        Event(
            EventId(f"{order_id}-b{n}:accepted"),
            EventType.OFFER_ACCEPTED,
            CustomerId(customer_id),
            now,
            Sku(b.sku),
            {
                "offer_id": b.offer_id or f"{order_id}-b{n}",
                "kind": "order_bump",
                "for_sku": "",
                "channel": "checkout",
            },
        )
        for n, b in enumerate(chosen, start=1)
    ]
