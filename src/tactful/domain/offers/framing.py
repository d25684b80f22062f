"""Framing: outcome headline, honest reason and evidence, transparent price, the way out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from tactful.domain.catalog import Sku, lawful_compare_at
from tactful.domain.frozen import builder
from tactful.domain.money import Money
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.decision import Offer, PriceBlock, SocialProof, Urgency
from tactful.domain.offers.evidence import Evidence
from tactful.domain.offers.memo import Framed, Shared
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


_sha256 = hashlib.sha256
_offer = builder(Offer)
_price_block = builder(PriceBlock)
_social_proof = builder(SocialProof)


def offer_id(decision_id: str, c: Candidate) -> str:
    """Stable id of an offer within a decision."""
    raw = f"{decision_id}\x1f{c.kind}\x1f{c.sku}\x1f{c.for_sku or ''}"
    return "off_" + hashlib.sha256(raw.encode()).hexdigest()[:20]


def choose_format(c: Candidate, s: Situation) -> Format:
    """Order bump at checkout, one click after purchase, modal only at a confident peak."""
    fixed = _FIXED_FORMATS.get(s.moment)
    if fixed is not None:
        return fixed
    if not s.peak:
        return Format.INLINE
    confidence = c.evidence.confidence if c.evidence is not None else 0.0
    high = confidence >= s.policy.modal_confidence_floor
    return Format.MODAL if high else Format.BANNER


def share_percent(evidence: Evidence) -> int:
    """Share of antecedent buyers who also bought the consequent, in whole percent, rounded down."""
    if evidence.antecedent_count <= 0:
        return 0
    return evidence.count * 100 // evidence.antecedent_count


def _names(s: Situation, skus: tuple[Sku, ...]) -> str:
    names = [p.name if (p := s.catalog.get(sku)) is not None else str(sku) for sku in skus]
    return " and ".join(names)


def _anchor_name(c: Candidate, s: Situation) -> str:
    anchor = s.catalog.get(c.for_sku) if c.for_sku is not None else None
    return anchor.name if anchor is not None else "your order"


def headline(c: Candidate, s: Situation) -> str:
    """The product's own outcome line, else one written from why it is offered."""
    if c.product is not None and c.product.outcome:
        return c.product.outcome
    anchor = s.catalog.get(c.for_sku) if c.for_sku is not None else None
    if c.kind is OfferKind.CROSS_SELL:
        same_category = (
            anchor is not None
            and c.product is not None
            and anchor.category is not None
            and anchor.category == c.product.category
        )
        if same_category or anchor is None:
            return f"Complete your set with {c.name}"
        return f"Get more from your {anchor.name} with {c.name}"
    if c.kind is OfferKind.UPSELL:
        if c.term_switch:
            return f"Keep everything you use, billed less often, with {c.name}"
        return f"Do more with {c.name}"
    if c.kind is OfferKind.BUNDLE:
        return f"Get the full set: {c.name}"
    return f"A lighter option: {c.name}"


def _has_proof(c: Candidate, s: Situation) -> bool:
    ev = c.evidence
    return (
        ev is not None
        and ev.antecedent_count >= s.policy.social_proof_min_sample
        and share_percent(ev) >= 1
    )


def reason(c: Candidate, s: Situation) -> str:
    """Why this offer, in plain words and real numbers (rounded down)."""
    if c.kind is OfferKind.CROSS_SELL and c.evidence is not None:
        buyers_of = _names(s, c.evidence.antecedent)
        if _has_proof(c, s):
            pct = share_percent(c.evidence)
            if c.evidence.unit == "customers":
                return f"Bought together by {pct}% of customers who bought {buyers_of}"
            return f"Bought together in {pct}% of orders with {buyers_of}"
        return f"Often bought together with {buyers_of}"
    anchor = _anchor_name(c, s)
    if c.kind is OfferKind.UPSELL:
        if c.term_switch:
            return f"The same plan as {anchor}, on a longer billing term"
        return f"The next step up from {anchor}"
    if c.kind is OfferKind.BUNDLE and c.bundle is not None:
        parts = [p for sku in sorted(c.bundle.skus) if (p := s.catalog.get(sku)) is not None]
        separate = sum(p.price.amount for p in parts if p.price.currency == c.price.currency)
        if separate > c.price.amount:
            apart = Money(separate, c.price.currency).format()
            return f"Includes {anchor}; {c.price.format()} together, {apart} bought separately"
        return f"Includes {anchor} and {len(c.bundle.skus) - 1} more"
    return "Costs less than the upgrade you passed on"


def social_proof(c: Candidate, s: Situation) -> SocialProof | None:
    """Only from real counts with at least the minimum sample; never invented."""
    ev = c.evidence
    if ev is None or not _has_proof(c, s):
        return None
    pct = share_percent(ev)
    anchor = _names(s, ev.antecedent)
    if ev.unit == "customers":
        text = (
            f"{pct}% of {ev.antecedent_count:,} customers who bought {anchor} also bought {c.name}"
        )
    else:
        text = f"{pct}% of {ev.antecedent_count:,} orders with {anchor} also included {c.name}"
    return _social_proof(text=text, share=pct, sample_size=ev.antecedent_count)


def urgency(expires_at: datetime | None, now: datetime) -> Urgency | None:
    """Only a real deadline still in the future produces urgency copy."""
    if expires_at is None or expires_at.tzinfo is None or expires_at <= now:
        return None
    when = expires_at.astimezone(UTC)
    return Urgency(expires_at=expires_at, text=f"Offer ends {when:%d %b %Y, %H:%M} UTC")


def price_block(c: Candidate, s: Situation) -> PriceBlock:
    """Compare-at and savings only when the compare-at price is lawful (lowest of 30 days)."""
    if c.product is None or c.product.compare_at is None:
        return _price_block(price=c.price, compare_at=None, savings=None)
    compare_at = lawful_compare_at(c.product, s.catalog.history(c.sku), s.now)
    if compare_at is None:
        return _price_block(price=c.price, compare_at=None, savings=None)
    return _price_block(price=c.price, compare_at=compare_at, savings=compare_at - c.price)


def _fixed(c: Candidate, s: Situation, shared: Shared | None) -> Framed:
    """What framing reads from the candidate, catalogue and policy alone, kept when shared.

    The offer key, the candidate's part of the offer id, the copy (headline, reason, social
    proof), and the price block when it has no compare-at price (one with a compare-at price
    is lawful or not depending on the time, so it is worked out per decision).
    """
    if shared is not None:
        kept = shared.framed
        if kept is not None and kept[0] is s.policy:
            return kept
    timeless = c.product is None or c.product.compare_at is None
    framed = (
        s.policy,
        c.key,
        f"\x1f{c.kind}\x1f{c.sku}\x1f{c.for_sku or ''}",
        headline(c, s),
        reason(c, s),
        social_proof(c, s),
        price_block(c, s) if timeless else None,
    )
    if shared is not None:
        shared.framed = framed
    return framed


def frame(
    c: Candidate,
    s: Situation,
    decision_id: str,
    expires_at: datetime | None,
    shared: Shared | None = None,
) -> Offer:
    """Turn a kept candidate into an offer the customer can easily decline.

    `shared` is what holds `c` when it is shared with other decisions (memo.Shared): what
    does not change between decisions is kept there.
    """
    total, increase = s.cart_total, c.increase
    if total is None:
        after = increase  # 0 + increase
    elif total.currency == increase.currency:
        after = Money.trusted(total.amount + increase.amount, increase.currency)
    else:
        after = increase
    _, key, tail, title, why, proof, block = _fixed(c, s, shared)
    # Positional, in Offer's field order: keywords cost a builder call several times over.
    return _offer(
        "off_" + _sha256(f"{decision_id}{tail}".encode()).hexdigest()[:20],  # offer_id
        key,
        c.kind,
        c.sku,
        c.for_sku,
        _FIXED_FORMATS.get(s.moment) or choose_format(c, s),  # format
        title,  # headline
        why,  # reason
        block if block is not None else price_block(c, s),  # price
        after,  # cart_total_after
        c.evidence,
        c.relevance,
        s.policy.decline_label,
        proof,  # social_proof
        urgency(expires_at, s.now) if expires_at is not None else None,
        False,  # preselected
    )
