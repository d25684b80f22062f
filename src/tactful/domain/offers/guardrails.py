"""The respect policy: one small function per guardrail, each returning a reason or None."""

from __future__ import annotations

from collections.abc import Callable

from tactful.domain.catalog import ProductKind
from tactful.domain.customers import ConsentPurpose, Customer
from tactful.domain.offers.candidates import Candidate
from tactful.domain.offers.memo import Reasons, Reused, Verdict
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
    if not customer.consents:  # nothing recorded, so nothing withdrawn and no opt-in
        return None if s.moment is not Moment.EMAIL else ReasonCode.NO_EMAIL_CONSENT
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
        product = c.product
        if product is None:
            return None
        if not product.active:
            return ReasonCode.INACTIVE
        return ReasonCode.OUT_OF_STOCK if product.inventory == 0 else None
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
        return ReasonCode.ALREADY_OWNED if s.history.owns(c.sku) else None
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


_ONLY_FOR: dict[Guardrail, frozenset[OfferKind]] = {
    committed: frozenset(_NEEDS_COMMITMENT),
    relevance_floor: frozenset({OfferKind.CROSS_SELL}),
    price_ceiling: frozenset({OfferKind.CROSS_SELL}),
    upgrade_quiet_period: frozenset({OfferKind.UPSELL}),
}
# Guardrails that return None for every other kind are not called for it: a decision judges
# about ten candidates, and the calls were most of its cost.
_BY_KIND: dict[OfferKind, tuple[Guardrail, ...]] = {
    kind: tuple(g for g in GUARDRAILS if kind in _ONLY_FOR.get(g, (kind,))) for kind in OfferKind
}


def judge(c: Candidate, s: Situation) -> tuple[ReasonCode, ...]:
    """Every guardrail the candidate fails (empty when it passes them all)."""
    if _is_plain_cross_sell(c):
        return with_customer(c, s, static_verdict(c, s))
    return _judge_other(c, s)


def _is_plain_cross_sell(c: Candidate) -> bool:
    return (
        c.kind is OfferKind.CROSS_SELL
        and c.product is not None
        and c.bundle is None
        and not c.term_switch
    )


_TOO_BIG = (ReasonCode.TOO_BIG_FOR_MOMENT,)


def static_verdict(c: Candidate, s: Situation) -> Verdict:
    """A plain cross-sell's guardrails that read only the catalogue, the policy and the moment.

    Split where the customer's guardrails slot in, in GUARDRAILS order: availability;
    (currency, in cart, owned); relevance floor and price ceiling; (too big); timing;
    (cooldown). Then whole, without and with too-big-for-moment, as most decisions need one
    of these; then the price's currency and whether the item is rebuyable, so that judging
    a shared candidate reads no other object of it than the candidate.
    """
    product, policy, ev = c.product, s.policy, c.evidence
    assert product is not None
    available: tuple[ReasonCode, ...] = ()
    if not product.active:
        available = (ReasonCode.INACTIVE,)
    elif product.inventory == 0:
        available = (ReasonCode.OUT_OF_STOCK,)
    scored = []
    if ev is None or ev.count < policy.min_co_purchases or ev.lift <= policy.min_lift:
        scored.append(ReasonCode.BELOW_RELEVANCE_FLOOR)
    anchor = s.catalog.products.get(c.for_sku) if c.for_sku is not None else None
    timed: tuple[ReasonCode, ...] = ()
    if anchor is not None:
        if anchor.price.currency != c.price.currency:
            scored.append(ReasonCode.CURRENCY_MISMATCH)
        elif c.price.amount > anchor.price.amount * policy.price_ceiling:
            scored.append(ReasonCode.PRICE_ABOVE_CEILING)
        allowed = policy.timing.get((anchor.kind, OfferKind.CROSS_SELL))
        if allowed is not None and s.moment not in allowed:
            timed = (ReasonCode.TIMING_FOR_KIND,)
    head = available + tuple(scored)
    rebuyable = c.sku in s.catalog.rebuyable
    v = (available, tuple(scored), timed, head + timed, head + _TOO_BIG + timed)
    return _interned((*v, c.price.currency, rebuyable))


def _interned(v: Verdict) -> Verdict:
    """The one object for this verdict: decisions then touch a few hot tuples."""
    return _VERDICTS.setdefault(v, v)


_VERDICTS: dict[Verdict, Verdict] = {}


def with_customer(c: Candidate, s: Situation, v: Verdict) -> Reasons:
    """A plain cross-sell's static verdict `v` with the customer's guardrails in their places."""
    reasons = list(v[0])
    if s.currency is not None and c.price.currency != s.currency:
        reasons.append(ReasonCode.CURRENCY_MISMATCH)
    if c.sku in s.cart:
        reasons.append(ReasonCode.IN_CART)
    if not v[6] and s.history.owns(c.sku):
        reasons.append(ReasonCode.ALREADY_OWNED)
    reasons.extend(v[1])
    if s.in_progress and fits_moment(c, s) is not None:
        reasons.append(ReasonCode.TOO_BIG_FOR_MOMENT)
    reasons.extend(v[2])
    if s.declines and cooldown(c, s) is not None:
        reasons.append(ReasonCode.COOLDOWN)
    return tuple(reasons)


def judge_all(pool: list[Candidate], s: Situation, reused: Reused | None = None) -> list[Reasons]:
    """judge() of each candidate; plain cross-sells in two parts, shared ones memoised.

    Most candidates are cross-sells shared across decisions (see memo.Shared), and
    calling a dozen guardrails for each was most of the cost of a decision. Their static
    verdict is kept per policy and moment, and customer_case tells whether the customer
    changes it: when nothing does (the usual case) the static verdict is the answer. committed,
    tenure_for_annual and upgrade_quiet_period never fail for a cross-sell that is no term
    switch. tests/domain/offers/test_judge.py holds this equal to every guardrail.
    """
    policy, moment, total = s.policy, s.moment, s.cart_total
    limit = total.amount * policy.in_progress_max_increase if total is not None else 0.0
    shared = reused.shared if reused is not None else [None] * len(pool)
    slot = reused.generation.slot(policy, moment) if reused is not None else 0
    out: list[Reasons] = []
    for c, known in zip(pool, shared, strict=True):
        if known is None:
            if c.product is None or not _is_plain_cross_sell(c):
                out.append(_judge_other(c, s))
            else:
                out.append(with_customer(c, s, static_verdict(c, s)))
            continue
        v = known.verdicts.get(slot)
        if v is None:
            v = known.verdicts[slot] = static_verdict(c, s)
        case = customer_case(c, s, v, limit)
        if case is CUSTOMER:
            out.append(with_customer(c, s, v))
        elif case is BUSY:
            out.append(v[4])  # fits_moment, inline
        else:
            out.append(v[3])
    return out


STATIC, CUSTOMER, BUSY = "static", "customer", "busy"


def customer_case(c: Candidate, s: Situation, v: Verdict, limit: float) -> str:
    """Whether a shared candidate's static verdict `v` stands for this customer.

    CUSTOMER: the cart, currency, ownership or a decline touches it (run with_customer);
    BUSY: a task is in progress and the offer is too large for it (fits_moment, inline);
    STATIC: it stands. `limit` is the cart total times in_progress_max_increase.
    """
    sku = c.sku
    if (
        sku in s.cart
        or (s.currency is not None and v[5] != s.currency)
        or (not v[6] and s.history.owns(sku))
        or sku in s.declines
    ):
        return CUSTOMER
    total = s.cart_total
    if s.in_progress and (
        total is None or total.currency != c.increase.currency or c.increase.amount > limit
    ):
        return BUSY
    return STATIC


def _judge_other(c: Candidate, s: Situation) -> Reasons:
    reasons = []
    for guardrail in _BY_KIND[c.kind]:
        reason = guardrail(c, s)
        if reason is not None:
            reasons.append(reason)
    return tuple(reasons)
