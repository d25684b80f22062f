"""What a decision knows about the customer right now, derived once from its inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.money import Money
from tactful.domain.offers.catalogue import OfferCatalog
from tactful.domain.offers.inputs import CartLine, DecisionContext, OfferEvent, OfferResponse
from tactful.domain.offers.moments import Moment, OfferKind, Task, is_in_progress, is_peak
from tactful.domain.offers.policy import OfferPolicy
from tactful.domain.orders import LineSource

_NAGGED = (OfferResponse.DECLINED, OfferResponse.DISMISSED)


@dataclass(frozen=True, slots=True)
class Situation:
    """The cart, ownership, recent responses and moment, ready for the guardrails."""

    moment: Moment
    task: Task | None
    now: datetime
    policy: OfferPolicy
    catalog: OfferCatalog
    cart: Mapping[Sku, int]
    currency: str | None
    cart_total: Money | None
    viewing: Sku | None
    bought: Mapping[Sku, datetime]
    recent: tuple[Sku, ...]
    owned: frozenset[Sku]
    declines: Mapping[Sku, tuple[OfferEvent, ...]]
    shown_recently: int
    last_upgrade_at: datetime | None
    in_progress: bool
    peak: bool

    def committed(self, sku: Sku | None) -> bool:
        """The customer chose the item: it is in the cart or was bought."""
        return sku is not None and (sku in self.cart or sku in self.bought)

    def quantity(self, sku: Sku | None) -> int:
        """How many of `sku` are in the cart, 1 if it is not (it was bought or is viewed)."""
        return self.cart.get(sku, 1) if sku is not None else 1


def read_cart(
    cart: Sequence[CartLine], catalog: OfferCatalog, viewing: Sku | None
) -> tuple[dict[Sku, int], str | None, list[str]]:
    """Known cart lines merged by SKU, the cart's currency, and warnings for what was ignored."""
    lines: dict[Sku, int] = {}
    warnings: list[str] = []
    currency: str | None = None
    for line in cart:
        product = catalog.get(line.sku)
        if product is None:
            warnings.append(f"unknown sku {line.sku!r} in cart was ignored")
            continue
        if currency is None:
            currency = product.price.currency
        elif product.price.currency != currency:
            warnings.append(
                f"sku {line.sku!r} is priced in {product.price.currency}, not {currency}; ignored"
            )
            continue
        lines[line.sku] = lines.get(line.sku, 0) + line.quantity
    if viewing is not None:
        viewed = catalog.get(viewing)
        if viewed is None:
            warnings.append(f"unknown sku {viewing!r} being viewed was ignored")
        elif currency is None:
            currency = viewed.price.currency
    return lines, currency, warnings


def _cart_total(
    lines: Mapping[Sku, int], catalog: OfferCatalog, currency: str | None
) -> Money | None:
    if currency is None:
        return None
    total = 0
    for sku, quantity in lines.items():
        product = catalog.get(sku)
        if product is not None:
            total += product.price.amount * quantity
    return Money(total, currency)


def _ownership(
    context: DecisionContext,
) -> tuple[dict[Sku, datetime], tuple[Sku, ...], frozenset[Sku]]:
    bought: dict[Sku, datetime] = {}
    owned: set[Sku] = set()
    horizon = context.now - context.policy.recent_purchase_window
    recent: list[tuple[datetime, Sku]] = []
    for purchase in context.purchases:
        if purchase.at > context.now:
            continue
        first = bought.get(purchase.sku)
        bought[purchase.sku] = purchase.at if first is None else min(first, purchase.at)
        product = context.catalog.get(purchase.sku)
        kind = product.kind if product is not None else purchase.kind or ProductKind.PHYSICAL
        if kind.is_owned_once:
            owned.add(purchase.sku)
        if purchase.at >= horizon:
            recent.append((purchase.at, purchase.sku))
    newest = tuple(
        dict.fromkeys(sku for _, sku in sorted(recent, key=lambda r: r[0], reverse=True))
    )
    return bought, newest, frozenset(owned)


def _responses(
    context: DecisionContext,
) -> tuple[dict[Sku, tuple[OfferEvent, ...]], int, datetime | None]:
    policy, now = context.policy, context.now
    declines: dict[Sku, list[OfferEvent]] = {}
    shown = 0
    last_upgrade: datetime | None = None
    for event in context.offer_events:
        if event.at > now:
            continue
        age = now - event.at
        if event.response in _NAGGED and age < policy.cooldown:
            declines.setdefault(event.sku, []).append(event)
        elif event.response is OfferResponse.SHOWN and age < policy.budget_window:
            shown += 1
        elif event.response is OfferResponse.ACCEPTED and event.kind is OfferKind.UPSELL:
            last_upgrade = event.at if last_upgrade is None else max(last_upgrade, event.at)
    for purchase in context.purchases:
        if purchase.source is LineSource.UPSELL and purchase.at <= now:
            last_upgrade = purchase.at if last_upgrade is None else max(last_upgrade, purchase.at)
    return {sku: tuple(events) for sku, events in declines.items()}, shown, last_upgrade


def situate(
    moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> tuple[Situation, list[str]]:
    """Derive the situation once, plus warnings about ignored input."""
    lines, currency, warnings = read_cart(cart, context.catalog, context.viewing)
    bought, recent, owned = _ownership(context)
    declines, shown, last_upgrade = _responses(context)
    task = context.task if moment is Moment.IN_APP else None
    viewing = context.viewing if context.viewing in context.catalog.products else None
    situation = Situation(
        moment=moment,
        task=task,
        now=context.now,
        policy=context.policy,
        catalog=context.catalog,
        cart=lines,
        currency=currency,
        cart_total=_cart_total(lines, context.catalog, currency),
        viewing=viewing,
        bought=bought,
        recent=recent,
        owned=owned,
        declines=declines,
        shown_recently=shown,
        last_upgrade_at=last_upgrade,
        in_progress=is_in_progress(moment, task),
        peak=is_peak(moment, task),
    )
    return situation, warnings
