"""The respect policy: one small function per guardrail, each returning a reason or None."""

from __future__ import annotations

from collections.abc import Callable

from tactful.domain.catalog import ProductKind
from tactful.domain.customers import ConsentPurpose, Customer
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.moments import Moment, OfferKind, is_onsite
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.situation import Situation

Guardrail = Callable[[Candidate, Situation], ReasonCode | None]
_NEEDS_COMMITMENT = (OfferKind.UPSELL, OfferKind.BUNDLE, OfferKind.DOWNSELL)


def payment_in_progress(s: Situation) -> ReasonCode | None:
    """Nothing may interrupt a payment."""
    return ReasonCode.PAYMENT_IN_PROGRESS if s.moment is Moment.PAYMENT else None


def consent(customer: Customer, s: Situation) -> ReasonCode | None:
    """On-site offers stop when withdrawn; email needs an explicit marketing opt-in."""
    if is_onsite(s.moment):
        allowed = customer.allows(ConsentPurpose.ONSITE_OFFERS)
        return None if allowed else ReasonCode.CONSENT_WITHDRAWN
    allowed = customer.allows(ConsentPurpose.MARKETING_EMAIL)
    return None if allowed else ReasonCode.NO_EMAIL_CONSENT


def held_out(is_held_out: bool) -> ReasonCode | None:
    """Held-out customers see nothing, so incremental revenue can be measured."""
    return ReasonCode.HELD_OUT if is_held_out else None


def available(c: Candidate, s: Situation) -> ReasonCode | None:
    """Only active, in-stock products (and bundles of them) can be offered."""
    if c.bundle is None:
        products = [c.product] if c.product is not None else []
    else:
        products = [p for sku in c.bundle.skus if (p := s.catalog.products.get(sku)) is not None]
        if len(products) < len(c.bundle.skus):
            return ReasonCode.INACTIVE
    for product in products:
        if not product.active:
            return ReasonCode.INACTIVE
    for product in products:
        if product.inventory == 0:
            return ReasonCode.OUT_OF_STOCK
    return None


def same_currency(c: Candidate, s: Situation) -> ReasonCode | None:
    """An offer is priced in the cart's currency."""
    mismatch = s.currency is not None and c.price.currency != s.currency
    return ReasonCode.CURRENCY_MISMATCH if mismatch else None


def not_in_cart(c: Candidate, s: Situation) -> ReasonCode | None:
    """Never offer what is already in the cart."""
    return ReasonCode.IN_CART if c.sku in s.cart else None


def not_owned(c: Candidate, s: Situation) -> ReasonCode | None:
    """Owned digital, subscription, event and service items are not offered again."""
    if c.bundle is None:
        return ReasonCode.ALREADY_OWNED if c.sku in s.owned else None
    owned = not s.owned.isdisjoint(c.bundle.skus)
    return ReasonCode.ALREADY_OWNED if owned else None


def committed(c: Candidate, s: Situation) -> ReasonCode | None:
    """A better version (or bundle) only once the base item is in the cart or bought."""
    if c.kind in _NEEDS_COMMITMENT and not s.committed(c.for_sku):
        return ReasonCode.NOT_COMMITTED
    return None


def relevance_floor(c: Candidate, s: Situation) -> ReasonCode | None:
    """A cross-sell needs enough co-purchases and a lift above 1."""
    if c.kind is not OfferKind.CROSS_SELL:
        return None
    policy, evidence = s.policy, c.evidence
    if (
        evidence is None
        or evidence.count < policy.min_co_purchases
        or evidence.lift <= policy.min_lift
    ):
        return ReasonCode.BELOW_RELEVANCE_FLOOR
    return None


def price_ceiling(c: Candidate, s: Situation) -> ReasonCode | None:
    """A cross-sell costs at most the ceiling (125%) times its anchor item's price."""
    if c.kind is not OfferKind.CROSS_SELL or c.for_sku is None:
        return None
    anchor = s.catalog.products.get(c.for_sku)
    if anchor is None:
        return None
    if anchor.price.currency != c.price.currency:
        return ReasonCode.CURRENCY_MISMATCH  # the ceiling cannot be checked, so no offer
    too_dear = c.price.amount > anchor.price.amount * s.policy.price_ceiling
    return ReasonCode.PRICE_ABOVE_CEILING if too_dear else None


def _plan_change(c: Candidate) -> bool:
    return c.term_switch or (
        c.kind is OfferKind.UPSELL
        and c.product is not None
        and c.product.kind is ProductKind.SUBSCRIPTION
    )


def fits_moment(c: Candidate, s: Situation) -> ReasonCode | None:
    """Small offers while a task is under way; plan changes only at completion peaks."""
    if _plan_change(c) and not s.peak:
        return ReasonCode.TOO_BIG_FOR_MOMENT
    if not s.in_progress:
        return None
    if s.cart_total is None or s.cart_total.currency != c.increase.currency:
        return ReasonCode.TOO_BIG_FOR_MOMENT
    limit = s.cart_total.amount * s.policy.in_progress_max_increase
    return ReasonCode.TOO_BIG_FOR_MOMENT if c.increase.amount > limit else None


def timing_for_kind(c: Candidate, s: Situation) -> ReasonCode | None:
    """The merchant's timing table: e.g. digital items get cross-sells after purchase."""
    anchor = s.catalog.products.get(c.for_sku) if c.for_sku is not None else None
    if anchor is None:
        return None
    allowed = s.policy.timing.get((anchor.kind, c.kind))
    if allowed is None or s.moment in allowed:
        return None
    return ReasonCode.TIMING_FOR_KIND


def tenure_for_annual(c: Candidate, s: Situation) -> ReasonCode | None:
    """A longer billing term is offered only after the customer has had value for a while."""
    if not c.term_switch:
        return None
    since = s.bought.get(c.for_sku) if c.for_sku is not None else None
    if since is None or s.now - since < s.policy.annual_min_tenure:
        return ReasonCode.TOO_EARLY_FOR_ANNUAL
    return None


def cooldown(c: Candidate, s: Situation) -> ReasonCode | None:
    """A declined or dismissed SKU rests for the cooldown unless a much stronger signal appears."""
    events = s.declines.get(c.sku)
    if not events:
        return None
    factor = 1.0 + s.policy.stronger_signal_margin
    for event in events:
        if event.relevance is None or c.relevance <= event.relevance * factor:
            return ReasonCode.COOLDOWN
    return None


def upgrade_quiet_period(c: Candidate, s: Situation) -> ReasonCode | None:
    """Someone who just upgraded is not upsold again for a while."""
    last = s.last_upgrade_at
    if c.kind is not OfferKind.UPSELL or last is None:
        return None
    quiet = s.now - last < s.policy.upgrade_quiet_period
    return ReasonCode.UPGRADE_QUIET_PERIOD if quiet else None


GUARDRAILS: tuple[Guardrail, ...] = (
    available,
    same_currency,
    not_in_cart,
    not_owned,
    committed,
    relevance_floor,
    price_ceiling,
    fits_moment,
    timing_for_kind,
    tenure_for_annual,
    cooldown,
    upgrade_quiet_period,
)


def judge(c: Candidate, s: Situation) -> tuple[ReasonCode, ...]:
    """Every guardrail the candidate fails (empty when it passes them all)."""
    reasons = []
    for guardrail in GUARDRAILS:
        reason = guardrail(c, s)
        if reason is not None:
            reasons.append(reason)
    return tuple(reasons)
