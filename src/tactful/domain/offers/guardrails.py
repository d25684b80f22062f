"""The respect policy: one small function per guardrail, each returning a reason or None.

Three guardrails hold for a whole decision (BLANKET: payment, consent, holdout); the twelve
of GUARDRAILS judge one candidate. Each is written once, here: decide() calls them in policy
order through `blanket_reasons` and `judge`, and its trace holds what they returned.
"""

from __future__ import annotations

from collections.abc import Callable

from tactful.domain.catalog import ProductKind
from tactful.domain.customers import ConsentPurpose, Customer
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.moments import Moment, OfferKind, is_onsite
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.situation import Situation

Reasons = tuple[ReasonCode, ...]
Guardrail = Callable[[Candidate, Situation], ReasonCode | None]
_NEEDS_COMMITMENT = (OfferKind.UPSELL, OfferKind.BUNDLE, OfferKind.DOWNSELL)


def payment_in_progress(situation: Situation) -> ReasonCode | None:
    """Nothing may interrupt a payment."""
    return ReasonCode.PAYMENT_IN_PROGRESS if situation.moment is Moment.PAYMENT else None


def consent(customer: Customer, situation: Situation) -> ReasonCode | None:
    """On-site offers stop when withdrawn; email needs an explicit marketing opt-in."""
    if not customer.consents:  # nothing recorded, so nothing withdrawn and no opt-in
        return None if situation.moment is not Moment.EMAIL else ReasonCode.NO_EMAIL_CONSENT
    if is_onsite(situation.moment):
        allowed = customer.allows(ConsentPurpose.ONSITE_OFFERS)
        return None if allowed else ReasonCode.CONSENT_WITHDRAWN
    allowed = customer.allows(ConsentPurpose.MARKETING_EMAIL)
    return None if allowed else ReasonCode.NO_EMAIL_CONSENT


def held_out(is_held_out: bool) -> ReasonCode | None:
    """Held-out customers see nothing, so incremental revenue can be measured."""
    return ReasonCode.HELD_OUT if is_held_out else None


def blanket_reasons(customer: Customer, situation: Situation, is_held_out: bool) -> Reasons:
    """The reasons that drop every candidate of a decision, in policy order."""
    found = (payment_in_progress(situation), consent(customer, situation), held_out(is_held_out))
    return tuple(reason for reason in found if reason is not None)


def available(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """Only active, in-stock products (and bundles of them) can be offered."""
    if candidate.bundle is None:
        product = candidate.product
        if product is None:
            return None
        if not product.active:
            return ReasonCode.INACTIVE
        return ReasonCode.OUT_OF_STOCK if product.inventory == 0 else None
    skus = candidate.bundle.skus
    products = [p for sku in skus if (p := situation.catalog.products.get(sku)) is not None]
    if len(products) < len(skus) or not all(product.active for product in products):
        return ReasonCode.INACTIVE
    if any(product.inventory == 0 for product in products):
        return ReasonCode.OUT_OF_STOCK
    return None


def same_currency(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """An offer is priced in the cart's currency."""
    cart_currency = situation.currency
    mismatch = cart_currency is not None and candidate.price.currency != cart_currency
    return ReasonCode.CURRENCY_MISMATCH if mismatch else None


def not_in_cart(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """Never offer what is already in the cart."""
    return ReasonCode.IN_CART if candidate.sku in situation.cart else None


def not_owned(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """Owned digital, subscription, event and service items are not offered again."""
    if candidate.bundle is None:
        owned = situation.history.owns(candidate.sku)
    else:
        owned = not situation.owned.isdisjoint(candidate.bundle.skus)
    return ReasonCode.ALREADY_OWNED if owned else None


def committed(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """A better version (or bundle) only once the base item is in the cart or bought."""
    if candidate.kind in _NEEDS_COMMITMENT and not situation.committed(candidate.for_sku):
        return ReasonCode.NOT_COMMITTED
    return None


def relevance_floor(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """A cross-sell needs enough co-purchases and a lift above 1."""
    if candidate.kind is not OfferKind.CROSS_SELL:
        return None
    policy, evidence = situation.policy, candidate.evidence
    if (
        evidence is None
        or evidence.count < policy.min_co_purchases
        or evidence.lift <= policy.min_lift
    ):
        return ReasonCode.BELOW_RELEVANCE_FLOOR
    return None


def price_ceiling(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """A cross-sell costs at most the ceiling (125%) times its anchor item's price."""
    if candidate.kind is not OfferKind.CROSS_SELL or candidate.for_sku is None:
        return None
    anchor = situation.catalog.products.get(candidate.for_sku)
    if anchor is None:
        return None
    price = candidate.price
    if anchor.price.currency != price.currency:
        return ReasonCode.CURRENCY_MISMATCH  # the ceiling cannot be checked, so no offer
    too_dear = price.amount > anchor.price.amount * situation.policy.price_ceiling
    return ReasonCode.PRICE_ABOVE_CEILING if too_dear else None


def _plan_change(candidate: Candidate) -> bool:
    return candidate.term_switch or (
        candidate.kind is OfferKind.UPSELL
        and candidate.product is not None
        and candidate.product.kind is ProductKind.SUBSCRIPTION
    )


def fits_moment(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """Small offers while a task is under way; plan changes only at completion peaks."""
    if _plan_change(candidate) and not situation.peak:
        return ReasonCode.TOO_BIG_FOR_MOMENT
    if not situation.in_progress:
        return None
    total, increase = situation.cart_total, candidate.increase
    if total is None or total.currency != increase.currency:
        return ReasonCode.TOO_BIG_FOR_MOMENT
    limit = total.amount * situation.policy.in_progress_max_increase
    return ReasonCode.TOO_BIG_FOR_MOMENT if increase.amount > limit else None


def timing_for_kind(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """The merchant's timing table: e.g. digital items get cross-sells after purchase."""
    if candidate.for_sku is None:
        return None
    anchor = situation.catalog.products.get(candidate.for_sku)
    if anchor is None:
        return None
    allowed = situation.policy.timing.get((anchor.kind, candidate.kind))
    if allowed is None or situation.moment in allowed:
        return None
    return ReasonCode.TIMING_FOR_KIND


def tenure_for_annual(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """A longer billing term is offered only after the customer has had value for a while."""
    if not candidate.term_switch:
        return None
    since = situation.bought.get(candidate.for_sku) if candidate.for_sku is not None else None
    if since is None or situation.now - since < situation.policy.annual_min_tenure:
        return ReasonCode.TOO_EARLY_FOR_ANNUAL
    return None


def cooldown(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """A declined or dismissed SKU rests for the cooldown unless a much stronger signal appears."""
    events = situation.declines.get(candidate.sku)
    if not events:
        return None
    if candidate.kind is OfferKind.REPURCHASE:
        return ReasonCode.COOLDOWN  # its score counts orders: no stronger co-purchase signal
    factor = 1.0 + situation.policy.stronger_signal_margin
    for event in events:
        if event.relevance is None or candidate.relevance <= event.relevance * factor:
            return ReasonCode.COOLDOWN
    return None


def upgrade_quiet_period(candidate: Candidate, situation: Situation) -> ReasonCode | None:
    """Someone who just upgraded is not upsold again for a while."""
    if candidate.kind is not OfferKind.UPSELL:
        return None
    last = situation.last_upgrade_at
    if last is None:
        return None
    quiet = situation.now - last < situation.policy.upgrade_quiet_period
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
"""The candidate guardrails in policy order: the order of the reasons in a trace entry."""


def judge(candidate: Candidate, situation: Situation) -> Reasons:
    """Every reason the candidate fails, in policy order, each once (empty when it passes)."""
    failed: list[ReasonCode] = []
    for guardrail in GUARDRAILS:
        reason = guardrail(candidate, situation)
        if reason is not None and reason not in failed:  # e.g. a currency mismatch, once
            failed.append(reason)
    return tuple(failed)
