"""decide(): candidates -> guardrails -> ranking -> at most two framed offers, with a trace."""

from __future__ import annotations

from collections.abc import Sequence

from tactful.domain.customers import Customer
from tactful.domain.experiments import assign
from tactful.domain.offers import guardrails as g
from tactful.domain.offers._frozen import builder
from tactful.domain.offers.candidates import Candidate, candidates
from tactful.domain.offers.decision import Decision, TraceEntry
from tactful.domain.offers.framing import frame
from tactful.domain.offers.inputs import CartLine, DecisionContext
from tactful.domain.offers.memo import SharedMemo
from tactful.domain.offers.moments import Moment, OfferKind
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.situation import Situation, situate

_UPGRADE_FIRST = {OfferKind.UPSELL: 0, OfferKind.DOWNSELL: 1}
_KIND_PRIORITY: dict[Moment, dict[OfferKind, int]] = {
    Moment.USAGE_LIMIT: _UPGRADE_FIRST,
    Moment.RENEWAL: _UPGRADE_FIRST,
    Moment.IN_APP: _UPGRADE_FIRST,
    Moment.POST_PURCHASE: {OfferKind.DOWNSELL: 0},
}


def _blanket(customer: Customer, s: Situation, held: bool) -> tuple[ReasonCode, ...]:
    """Reasons that apply to every candidate of this decision."""
    reasons = (g.payment_in_progress(s), g.consent(customer, s), g.held_out(held))
    return tuple(r for r in reasons if r is not None)


def _ranked(passing: list[Candidate], moment: Moment) -> list[Candidate]:
    """Moment's preferred kind first, then relevance, confidence, co-purchases, smaller ask.

    Ties keep the pool's order (the position is the last key), as a stable sort would.
    """
    if len(passing) < 2:
        return passing
    priority = _KIND_PRIORITY.get(moment, {})
    fallback = 2 if priority else 0
    keyed = []
    for position, c in enumerate(passing):
        ev = c.evidence
        keyed.append(
            (
                priority.get(c.kind, fallback),
                -c.relevance,
                -ev.confidence if ev is not None else -0.0,
                -ev.count if ev is not None else 0,
                c.increase.amount,
                str(c.sku),
                position,
            )
        )
    keyed.sort()
    return [passing[key[-1]] for key in keyed]


def _select(
    passing: list[Candidate], s: Situation
) -> tuple[list[Candidate], dict[int, ReasonCode]]:
    """Best first, no repeated SKU, at most max_offers and what the shown-offer budget allows."""
    room = min(s.policy.max_offers, max(s.policy.budget - s.shown_recently, 0))
    chosen: list[Candidate] = []
    skus: set[str] = set()
    dropped: dict[int, ReasonCode] = {}
    for c in _ranked(passing, s.moment):
        if c.sku in skus:
            dropped[id(c)] = ReasonCode.DUPLICATE
        elif len(chosen) >= s.policy.max_offers:
            dropped[id(c)] = ReasonCode.OVER_OFFER_LIMIT
        elif len(chosen) >= room:
            dropped[id(c)] = ReasonCode.BUDGET_EXHAUSTED
        else:
            chosen.append(c)
            skus.add(c.sku)
    return chosen, dropped


_trace_entry = builder(TraceEntry)
_decision = builder(Decision)
_KEPT = (ReasonCode.KEPT,)
_ONLY = {code: (code,) for code in ReasonCode}


def _entry(c: Candidate, reasons: tuple[ReasonCode, ...], memo: SharedMemo) -> TraceEntry:
    known = memo.entries.get((id(c), reasons))
    if known is not None and known[0] is c:
        return known[1]
    ev = c.evidence
    entry = _trace_entry(
        sku=c.sku,
        kind=c.kind,
        for_sku=c.for_sku,
        kept=reasons == _KEPT,
        reasons=reasons,
        relevance=c.relevance,
        count=ev.count if ev is not None else 0,
        confidence=ev.confidence if ev is not None else 0.0,
        lift=ev.lift if ev is not None else 0.0,
        price_increase=c.increase.amount,
    )
    memo.keep_entry(c, reasons, entry)
    return entry


def decide(
    customer: Customer, moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> Decision:
    """Decide which offers, if any, to show to `customer` at `moment`, and explain why."""
    s, warnings = situate(Moment(moment), cart, context)
    policy = context.policy
    held = assign(customer.customer_id, policy.holdout_salt, policy.holdout_share)
    blanket = _blanket(customer, s, held)
    pool = candidates(s, context.affinity, context.declined_upsell)
    judged = [(c, blanket + reasons) for c, reasons in zip(pool, g.judge_all(pool, s), strict=True)]
    chosen, dropped = _select([c for c, reasons in judged if not reasons], s)
    memo = context.catalog.memo
    trace = tuple(
        _entry(c, reasons or _ONLY[dropped.get(id(c), ReasonCode.KEPT)], memo)
        for c, reasons in judged
    )
    offers = tuple(frame(c, s, context.decision_id, context.expires_at) for c in chosen)
    return _decision(
        decision_id=context.decision_id,
        customer_id=customer.customer_id,
        moment=s.moment,
        at=context.now,
        held_out=held,
        offers=offers,
        trace=trace,
        warnings=tuple(warnings),
    )
