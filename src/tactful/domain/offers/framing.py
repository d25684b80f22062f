"""Framing: outcome headline, honest reason and evidence, transparent price, the way out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tactful.domain.catalog import Sku, lawful_compare_at, lowest_prior_price
from tactful.domain.money import Money
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.decision import Offer, PriceBlock, SocialProof, Urgency
from tactful.domain.offers.evidence import Evidence, RepeatPurchase
from tactful.domain.offers.moments import Format, Moment, OfferKind
from tactful.domain.offers.situation import Situation

_FIXED_FORMATS = {
    Moment.BROWSING: Format.INLINE,
    Moment.CART: Format.INLINE,
    Moment.CHECKOUT: Format.ORDER_BUMP,
    Moment.PAYMENT: Format.INLINE,
    Moment.POST_PURCHASE: Format.ONE_CLICK,
    Moment.EMAIL: Format.EMAIL,
}


def offer_id(decision_id: str, candidate: Candidate) -> str:
    """Stable id of an offer within a decision."""
    raw = f"{decision_id}\x1f{candidate.kind}\x1f{candidate.sku}\x1f{candidate.for_sku or ''}"
    return "off_" + hashlib.sha256(raw.encode()).hexdigest()[:20]


def choose_format(candidate: Candidate, situation: Situation) -> Format:
    """Order bump at checkout, one click after purchase, modal only at a confident peak."""
    fixed = _FIXED_FORMATS.get(situation.moment)
    if fixed is not None:
        return fixed
    if not situation.peak:
        return Format.INLINE
    confidence = candidate.evidence.confidence if candidate.evidence is not None else 0.0
    high = confidence >= situation.policy.modal_confidence_floor
    return Format.MODAL if high else Format.BANNER


def share_percent(evidence: Evidence) -> int:
    """Share of antecedent buyers who also bought the consequent, in whole percent, rounded down."""
    if evidence.antecedent_count <= 0:
        return 0
    return evidence.count * 100 // evidence.antecedent_count


def _names(situation: Situation, skus: tuple[Sku, ...]) -> str:
    names = [p.name if (p := situation.catalog.get(sku)) is not None else str(sku) for sku in skus]
    return " and ".join(names)


def _anchor_name(candidate: Candidate, situation: Situation) -> str:
    anchor = situation.catalog.get(candidate.for_sku) if candidate.for_sku is not None else None
    return anchor.name if anchor is not None else "your order"


def headline(candidate: Candidate, situation: Situation) -> str:
    """The product's own outcome line, else one written from why it is offered; with the
    `plain` headline style, just what is added."""
    if situation.policy.headline_style == "plain":
        return f"Add {candidate.name}"
    if candidate.kind is OfferKind.REPURCHASE:
        return f"Order {candidate.name} again"
    if candidate.product is not None and candidate.product.outcome:
        return candidate.product.outcome
    if candidate.kind is OfferKind.BEST_SELLER:
        return f"Try {candidate.name}"
    anchor = situation.catalog.get(candidate.for_sku) if candidate.for_sku is not None else None
    if candidate.kind is OfferKind.CROSS_SELL:
        same_category = (
            anchor is not None
            and candidate.product is not None
            and anchor.category is not None
            and anchor.category == candidate.product.category
        )
        if same_category or anchor is None:
            return f"Complete your set with {candidate.name}"
        return f"Get more from your {anchor.name} with {candidate.name}"
    if candidate.kind is OfferKind.UPSELL:
        if candidate.term_switch:
            return f"Keep everything you use, billed less often, with {candidate.name}"
        return f"Do more with {candidate.name}"
    if candidate.kind is OfferKind.BUNDLE:
        return f"Get the full set: {candidate.name}"
    return f"A lighter option: {candidate.name}"


def _has_proof(candidate: Candidate, situation: Situation) -> bool:
    evidence = candidate.evidence
    return (
        evidence is not None
        and evidence.antecedent_count >= situation.policy.social_proof_min_sample
        and share_percent(evidence) >= 1
    )


_TIMES = {2: "twice"}


def _ordered_before(repeat: RepeatPurchase, time_zone: str | None) -> str:
    """ "You've ordered this 4 times, the last on 12 March 2026" (the customer's date)."""
    zone = ZoneInfo(time_zone) if time_zone is not None and is_time_zone(time_zone) else UTC
    last = repeat.last_at.astimezone(zone)
    day = f"{last.day} {last:%B %Y}"
    if repeat.orders == 1:
        return f"You ordered this on {day}"
    times = _TIMES.get(repeat.orders, f"{repeat.orders} times")
    return f"You've ordered this {times}, the last on {day}"


def reason(candidate: Candidate, situation: Situation, time_zone: str | None = None) -> str:
    """Why this offer, in plain words and real numbers (rounded down)."""
    if candidate.kind is OfferKind.CROSS_SELL and candidate.evidence is not None:
        buyers_of = _names(situation, candidate.evidence.antecedent)
        if _has_proof(candidate, situation):
            pct = share_percent(candidate.evidence)
            if candidate.evidence.unit == "customers":
                return f"Bought together by {pct}% of customers who bought {buyers_of}"
            return f"Bought together in {pct}% of orders with {buyers_of}"
        return f"Often bought together with {buyers_of}"
    if candidate.repeat is not None:
        return _ordered_before(candidate.repeat, time_zone)
    if candidate.kind is OfferKind.BEST_SELLER:
        return "One of our best-sellers"
    anchor = _anchor_name(candidate, situation)
    if candidate.kind is OfferKind.UPSELL:
        if candidate.term_switch:
            return f"The same plan as {anchor}, {_billed(candidate, situation)}"
        return f"{_steps_up(candidate, situation)} from {anchor}"
    if candidate.kind is OfferKind.BUNDLE and candidate.bundle is not None:
        parts = [
            p
            for sku in sorted(candidate.bundle.skus)
            if (p := situation.catalog.get(sku)) is not None
        ]
        separate = sum(
            p.price.amount for p in parts if p.price.currency == candidate.price.currency
        )
        if separate > candidate.price.amount:
            apart = Money(separate, candidate.price.currency).format()
            return (
                f"Includes {anchor}; {candidate.price.format()} together, {apart} bought separately"
            )
        return f"Includes {anchor} and {len(candidate.bundle.skus) - 1} more"
    return "Costs less than the upgrade you passed on"


def _billed(candidate: Candidate, situation: Situation) -> str:
    """ "billed yearly instead of monthly" when both periods are known."""
    base = situation.catalog.get(candidate.for_sku) if candidate.for_sku is not None else None
    old = base.billing_period if base is not None else None
    new = candidate.product.billing_period if candidate.product is not None else None
    if old is None or new is None:
        return "on a longer billing term"
    return f"billed {new.adverb} instead of {old.adverb}"


_STEPS = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}


def _steps_up(candidate: Candidate, situation: Situation) -> str:
    """ "The next step up" for the nearest rung; "Two steps up" (and so on) beyond it."""
    between = len(situation.catalog.rungs_between(candidate.for_sku, candidate.sku))
    if between == 0:
        return "The next step up"
    steps = between + 1
    return f"{_STEPS.get(steps, str(steps))} steps up"


def social_proof(candidate: Candidate, situation: Situation) -> SocialProof | None:
    """Only from real counts with at least the minimum sample; never invented."""
    evidence = candidate.evidence
    if evidence is None or not _has_proof(candidate, situation):
        return None
    pct = share_percent(evidence)
    anchor = _names(situation, evidence.antecedent)
    if evidence.unit == "customers":
        text = (
            f"{pct}% of {evidence.antecedent_count:,} customers who bought {anchor} "
            f"also bought {candidate.name}"
        )
    else:
        text = (
            f"{pct}% of {evidence.antecedent_count:,} orders with {anchor} "
            f"also included {candidate.name}"
        )
    return SocialProof(text=text, share=pct, sample_size=evidence.antecedent_count)


def is_time_zone(name: str) -> bool:
    """Whether `name` is a time zone the system knows (an IANA name like Europe/London)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def urgency(
    expires_at: datetime | None, now: datetime, time_zone: str | None = None
) -> Urgency | None:
    """Only a real deadline still in the future produces urgency copy, written in the
    customer's time zone (UTC when it is not known)."""
    if expires_at is None or expires_at.tzinfo is None or expires_at <= now:
        return None
    if time_zone is None or not is_time_zone(time_zone):
        when = expires_at.astimezone(UTC)
        return Urgency(expires_at=expires_at, text=f"Offer ends {when:%d %b %Y, %H:%M} UTC")
    when = expires_at.astimezone(ZoneInfo(time_zone))
    return Urgency(expires_at=expires_at, text=f"Offer ends {when:%d %b %Y, %H:%M} {when.tzname()}")


def price_block(candidate: Candidate, situation: Situation) -> PriceBlock:
    """Compare-at and savings only when the compare-at price is lawful (lowest of 30 days)."""
    if situation.policy.discount_percent:
        return discounted_block(candidate, situation, situation.policy.discount_percent)
    if candidate.product is None or candidate.product.compare_at is None:
        return PriceBlock(price=candidate.price, compare_at=None, savings=None)
    compare_at = lawful_compare_at(
        candidate.product, situation.catalog.history(candidate.sku), situation.now
    )
    if compare_at is None:
        return PriceBlock(price=candidate.price, compare_at=None, savings=None)
    return PriceBlock(
        price=candidate.price, compare_at=compare_at, savings=compare_at - candidate.price
    )


def discounted_block(candidate: Candidate, situation: Situation, percent: int) -> PriceBlock:
    """The price cut by `percent` (rounded to the customer's favour): the price shown and
    charged. The 'was' price is the lowest price of the last 30 days, the current one
    included, so a reduction is only ever claimed from a price really asked."""
    regular = candidate.price
    cut = regular.amount * percent // 100
    price = Money(regular.amount - cut, regular.currency)
    prior = lowest_prior_price(situation.catalog.history(candidate.sku), situation.now)
    reference = regular if prior is None or prior.currency != regular.currency else prior
    reference = regular if regular.amount < reference.amount else reference
    if reference.amount <= price.amount:
        return PriceBlock(price=price, compare_at=None, savings=None)
    return PriceBlock(price=price, compare_at=reference, savings=reference - price)


def _units(candidate: Candidate, situation: Situation) -> int:
    """How many of the offered item the cart would hold: an upgrade (or a cheaper rung)
    replaces every unit of its item, anything else adds one."""
    if candidate.kind in (OfferKind.UPSELL, OfferKind.DOWNSELL):
        return situation.quantity(candidate.for_sku)
    return 1


def frame(
    candidate: Candidate,
    situation: Situation,
    decision_id: str,
    expires_at: datetime | None,
    time_zone: str | None = None,
) -> Offer:
    """Turn a kept candidate into an offer the customer can easily decline."""
    total, increase = situation.cart_total, candidate.increase
    block = price_block(candidate, situation)
    if block.price != candidate.price and increase.currency == block.price.currency:
        cut = (candidate.price - block.price).times(_units(candidate, situation))
        increase = increase - cut  # the discount taken off every unit bought
    if total is not None and total.currency == increase.currency:
        cart_total_after = total + increase
    else:
        cart_total_after = block.price  # an empty cart would hold just the offer
    return Offer(
        offer_id=offer_id(decision_id, candidate),
        key=candidate.key,
        kind=candidate.kind,
        sku=candidate.sku,
        for_sku=candidate.for_sku,
        format=choose_format(candidate, situation),
        headline=headline(candidate, situation),
        reason=reason(candidate, situation, time_zone),
        price=block,
        cart_total_after=cart_total_after,
        evidence=candidate.evidence,
        relevance=candidate.relevance,
        decline_label=situation.policy.decline_label,
        social_proof=social_proof(candidate, situation),
        urgency=urgency(expires_at, situation.now, time_zone),
        name=candidate.name,
        repeat=candidate.repeat,
    )
