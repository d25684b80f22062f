"""decide(): candidates -> guardrails -> ranking -> at most two framed offers, with a trace."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import not_
from typing import Any

from tactful.domain.customers import Customer
from tactful.domain.experiments import assign
from tactful.domain.frozen import builder
from tactful.domain.offers import guardrails as g
from tactful.domain.offers.candidates import Candidate, shared_candidates
from tactful.domain.offers.decision import Decision, TraceEntry
from tactful.domain.offers.framing import frame
from tactful.domain.offers.inputs import CartLine, DecisionContext
from tactful.domain.offers.memo import Reasons, Reused
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


def _blanket(customer: Customer, s: Situation, held: bool) -> Reasons:
    """Reasons that apply to every candidate of this decision."""
    reasons = (g.payment_in_progress(s), g.consent(customer, s), g.held_out(held))
    return tuple(filter(None, reasons))  # codes are non-empty strings


def _rank_key(c: Candidate) -> tuple[float, float, int, int, str]:
    """Higher relevance, confidence and co-purchases first, then the smaller ask, then SKU."""
    ev = c.evidence
    if ev is None:
        return (-c.relevance, -0.0, 0, c.increase.amount, str(c.sku))
    return (-c.relevance, -ev.confidence, -ev.count, c.increase.amount, str(c.sku))


def _ranked(passing: list[int], pool: list[Candidate], reused: Reused, moment: Moment) -> list[int]:
    """Moment's preferred kind first, then _rank_key; ties keep the pool's order (stable sort)."""
    if len(passing) < 2:
        return passing
    shared = reused.shared
    order: list[Any] = []
    for i in passing:
        known = shared[i]
        if known is None:
            order.append(_rank_key(pool[i]))
            continue
        rank = known.rank
        if rank is None:
            rank = known.rank = _rank_key(pool[i])
        order.append(rank)
    priority = _KIND_PRIORITY.get(moment)
    if priority:
        order = [
            (priority.get(pool[i].kind, 2), rank) for i, rank in zip(passing, order, strict=True)
        ]
    return list(map(passing.__getitem__, sorted(range(len(order)), key=order.__getitem__)))


def _select(pool: list[Candidate], reused: Reused, passing: list[int], s: Situation) -> list[int]:
    """Best first, no repeated SKU, at most max_offers and what the shown-offer budget allows."""
    room = min(s.policy.max_offers, max(s.policy.budget - s.shown_recently, 0))
    if room == 0:
        return []
    chosen: list[int] = []
    skus: set[str] = set()
    for i in _ranked(passing, pool, reused, s.moment):
        sku = pool[i].sku
        if sku not in skus:
            chosen.append(i)
            skus.add(sku)
            if len(chosen) == room:
                break
    return chosen


def _settled(
    pool: list[Candidate],
    verdicts: list[Reasons],
    passing: list[int],
    chosen: list[int],
    s: Situation,
) -> list[Reasons]:
    """Each candidate's reasons, once the offers are chosen from those passing.

    Only the chosen needed ranking: any other passing candidate repeats a chosen SKU, or came
    after the offers filled up (to max_offers, else to the shown-offer budget).
    """
    taken = {pool[i].sku for i in chosen}
    limited = _OVER_OFFER_LIMIT if len(chosen) >= s.policy.max_offers else _BUDGET_EXHAUSTED
    settled = list(verdicts)
    for i in passing:
        settled[i] = _KEPT if i in chosen else _DUPLICATE if pool[i].sku in taken else limited
    return settled


_trace_entry = builder(TraceEntry)
_decision = builder(Decision)
_KEPT = (ReasonCode.KEPT,)
_DUPLICATE = (ReasonCode.DUPLICATE,)
_OVER_OFFER_LIMIT = (ReasonCode.OVER_OFFER_LIMIT,)
_BUDGET_EXHAUSTED = (ReasonCode.BUDGET_EXHAUSTED,)


def _entry(c: Candidate, reasons: Reasons) -> TraceEntry:
    ev = c.evidence
    return _trace_entry(
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


def _trace(pool: list[Candidate], reused: Reused, reasons: list[Reasons]) -> tuple[TraceEntry, ...]:
    """Each candidate's trace entry; a shared candidate's is reused for the same reasons."""
    trace = []
    for c, known, why in zip(pool, reused.shared, reasons, strict=True):
        if known is None:
            trace.append(_entry(c, why))
            continue
        entry = known.entries.get(why)
        if entry is None:
            entry = known.entries[why] = _entry(c, why)
        trace.append(entry)
    return tuple(trace)


def decide(
    customer: Customer, moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> Decision:
    """Decide which offers, if any, to show to `customer` at `moment`, and explain why."""
    s, warnings = situate(moment if type(moment) is Moment else Moment(moment), cart, context)
    policy = context.policy
    held = assign(customer.customer_id, policy.holdout_salt, policy.holdout_share)
    blanket = _blanket(customer, s, held)
    pool, reused = shared_candidates(s, context.affinity, context.declined_upsell)
    verdicts = g.judge_all(pool, s, reused)
    if blanket:
        chosen: list[int] = []
        reasons = [blanket + v for v in verdicts]
    else:
        passing = list(compress(range(len(verdicts)), map(not_, verdicts)))  # no reasons
        chosen = _select(pool, reused, passing, s)
        reasons = _settled(pool, verdicts, passing, chosen, s)
    decision_id, expires_at = context.decision_id, context.expires_at
    shared = reused.shared
    return _decision(
        decision_id=decision_id,
        customer_id=customer.customer_id,
        moment=s.moment,
        at=context.now,
        held_out=held,
        offers=tuple(frame(pool[i], s, decision_id, expires_at, shared[i]) for i in chosen),
        trace=_trace(pool, reused, reasons),
        warnings=tuple(warnings),
    )
