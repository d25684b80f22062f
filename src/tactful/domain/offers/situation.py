"""What a decision knows about the customer right now, derived once from its inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tactful.domain.catalog import ProductKind, Sku
from tactful.domain.money import Money
from tactful.domain.offers.inputs import (
    CartLine,
    DecisionContext,
    OfferEvent,
    OfferResponse,
    Purchase,
)
from tactful.domain.offers.moments import Moment, OfferKind, Task, is_in_progress, is_peak
from tactful.domain.offers.offer_catalog import OfferCatalog
from tactful.domain.offers.policy import OfferPolicy
from tactful.domain.orders import LineSource

_NAGGED = (OfferResponse.DECLINED, OfferResponse.DISMISSED)
_OWNED_ONCE = frozenset(kind for kind in ProductKind if kind.is_owned_once)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None:
        return second
    return first if second is None else max(first, second)


class PurchaseHistory:
    """The customer's purchases up to now, each view derived on first use.

    A known customer has about a hundred purchases, and most decisions read none of these
    views (a cross-sell of a physical product needs none), so none is derived up front.
    """

    __slots__ = (
        "_bought",
        "_catalog",
        "_horizon",
        "_last_upgrade",
        "_now",
        "_owned",
        "_purchases",
        "_recent",
        "_upgrade_known",
    )

    def __init__(
        self, purchases: Sequence[Purchase], now: datetime, horizon: datetime, catalog: OfferCatalog
    ) -> None:
        self._purchases = purchases
        self._now = now
        self._horizon = horizon
        self._catalog = catalog
        self._bought: dict[Sku, datetime] | None = None
        self._recent: tuple[Sku, ...] | None = None
        self._owned: frozenset[Sku] | None = None
        self._last_upgrade: datetime | None = None
        self._upgrade_known = False

    @property
    def bought(self) -> Mapping[Sku, datetime]:
        """When each SKU was first bought."""
        if self._bought is None:
            bought: dict[Sku, datetime] = {}
            now = self._now
            for purchase in self._purchases:
                if purchase.at > now:
                    continue
                first = bought.get(purchase.sku)
                bought[purchase.sku] = purchase.at if first is None else min(first, purchase.at)
            self._bought = bought
        return self._bought

    @property
    def recent(self) -> tuple[Sku, ...]:
        """SKUs bought within the recent-purchase window, newest first."""
        if self._recent is None:
            now, horizon = self._now, self._horizon
            recent = [(p.at, p.sku) for p in self._purchases if not p.at > now and p.at >= horizon]
            newest = sorted(recent, key=lambda at_sku: at_sku[0], reverse=True)
            self._recent = tuple(dict.fromkeys(sku for _, sku in newest))
        return self._recent

    @property
    def owned(self) -> frozenset[Sku]:
        """Bought items of a kind that is owned once (digital, subscription, event, service)."""
        if self._owned is None:
            products, now = self._catalog.products, self._now
            owned: set[Sku] = set()
            for purchase in self._purchases:
                if purchase.at > now:
                    continue
                product = products.get(purchase.sku)
                kind = product.kind if product is not None else purchase.kind
                if kind in _OWNED_ONCE:
                    owned.add(purchase.sku)
            self._owned = frozenset(owned)
        return self._owned

    def owns(self, sku: Sku) -> bool:
        """`sku in owned`, without deriving `owned` for a catalogue product bought many times."""
        return sku not in self._catalog.rebuyable and sku in self.owned

    @property
    def last_upgrade(self) -> datetime | None:
        """When a purchase last came from an upsell."""
        if not self._upgrade_known:
            last: datetime | None = None
            now = self._now
            for purchase in self._purchases:
                if purchase.source is LineSource.UPSELL and purchase.at <= now:
                    last = purchase.at if last is None else max(last, purchase.at)
            self._last_upgrade, self._upgrade_known = last, True
        return self._last_upgrade


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
    history: PurchaseHistory
    declines: Mapping[Sku, tuple[OfferEvent, ...]]
    shown_recently: int
    """Offers that spent the shown-offer budget in its window: one per offer and day."""
    accepted_upgrade_at: datetime | None
    in_progress: bool
    peak: bool
    shown_today: frozenset[str] = frozenset()
    """Keys of offers already shown today: showing one again spends no budget."""

    @property
    def bought(self) -> Mapping[Sku, datetime]:
        """When each SKU was first bought."""
        return self.history.bought

    @property
    def recent(self) -> tuple[Sku, ...]:
        """Recently bought SKUs, newest first."""
        return self.history.recent

    @property
    def owned(self) -> frozenset[Sku]:
        """Owned-once items the customer bought."""
        return self.history.owned

    @property
    def last_upgrade_at(self) -> datetime | None:
        """The latest accepted upsell offer or upsold purchase."""
        return _later(self.accepted_upgrade_at, self.history.last_upgrade)

    def committed(self, sku: Sku | None) -> bool:
        """The customer chose the item: it is in the cart or was bought."""
        return sku is not None and (sku in self.cart or sku in self.history.bought)

    def quantity(self, sku: Sku | None) -> int:
        """How many of `sku` are in the cart, 1 if it is not (it was bought or is viewed)."""
        return self.cart.get(sku, 1) if sku is not None else 1


def _read_cart(
    cart: Sequence[CartLine], catalog: OfferCatalog, viewing: Sku | None
) -> tuple[dict[Sku, int], str | None, int, list[str]]:
    """Known cart lines merged by SKU, the cart's currency, the kept lines' total in its minor
    units, and warnings for what was ignored."""
    products = catalog.products
    lines: dict[Sku, int] = {}
    warnings: list[str] = []
    currency: str | None = None
    total = 0
    for line in cart:
        sku = line.sku
        product = products.get(sku)
        if product is None:
            warnings.append(f"unknown sku {sku!r} in cart was ignored")
            continue
        price = product.price
        if currency is None:
            currency = price.currency
        elif price.currency != currency:
            warnings.append(f"sku {sku!r} is priced in {price.currency}, not {currency}; ignored")
            continue
        lines[sku] = lines.get(sku, 0) + line.quantity
        total += price.amount * line.quantity
    if viewing is not None:
        viewed = products.get(viewing)
        if viewed is None:
            warnings.append(f"unknown sku {viewing!r} being viewed was ignored")
        elif currency is None:
            currency = viewed.price.currency
    return lines, currency, total, warnings


def offer_key(kind: OfferKind | str | None, sku: str, for_sku: str | None) -> str:
    """An offer's identity across decisions (the same as `Candidate.key`)."""
    return f"{kind or ''}:{sku}:{for_sku or ''}"


def budget_day(at: datetime) -> date:
    """The day an offer shown at `at` spends budget on (UTC): once per offer and day."""
    return at.date() if at.tzinfo is None else at.astimezone(UTC).date()


@dataclass(frozen=True, slots=True)
class _Responses:
    declines: dict[Sku, tuple[OfferEvent, ...]]
    spent: int
    shown_today: frozenset[str]
    last_upgrade: datetime | None


def _responses(context: DecisionContext) -> _Responses:
    """Declines in the cooldown, budget spends (distinct offer and day) and the last upgrade.

    Showing the same offer again on the same day (a refresh, back and forward, a second tab)
    is one spend: the budget counts distinct offers shown, not renders.
    """
    policy, now = context.policy, context.now
    declines: dict[Sku, list[OfferEvent]] = {}
    spends: set[tuple[str, date]] = set()
    last_upgrade: datetime | None = None
    for event in context.offer_events:
        if event.at > now:
            continue
        age = now - event.at
        if event.response in _NAGGED and age < policy.cooldown:
            declines.setdefault(event.sku, []).append(event)
        elif event.response is OfferResponse.SHOWN and age < policy.budget_window:
            key = offer_key(event.kind, event.sku, event.for_sku)
            spends.add((key, budget_day(event.at)))
        elif event.response is OfferResponse.ACCEPTED and event.kind is OfferKind.UPSELL:
            last_upgrade = event.at if last_upgrade is None else max(last_upgrade, event.at)
    today = budget_day(now)
    return _Responses(
        {sku: tuple(events) for sku, events in declines.items()},
        len(spends),
        frozenset(key for key, day in spends if day == today),
        last_upgrade,
    )


def situate(
    moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> tuple[Situation, list[str]]:
    """Derive the situation once, plus warnings about ignored input."""
    catalog, now = context.catalog, context.now
    lines, currency, total, warnings = _read_cart(cart, catalog, context.viewing)
    horizon = now - context.policy.recent_purchase_window
    history = PurchaseHistory(context.purchases, now, horizon, catalog)
    responses = _responses(context)
    task = context.task if moment is Moment.IN_APP else None
    viewing = context.viewing if context.viewing in catalog.products else None
    situation = Situation(
        moment=moment,
        task=task,
        now=now,
        policy=context.policy,
        catalog=catalog,
        cart=lines,
        currency=currency,
        cart_total=Money(total, currency) if currency is not None else None,
        viewing=viewing,
        history=history,
        declines=responses.declines,
        shown_recently=responses.spent,
        accepted_upgrade_at=responses.last_upgrade,
        in_progress=is_in_progress(moment, task),
        peak=is_peak(moment, task),
        shown_today=responses.shown_today,
    )
    return situation, warnings
