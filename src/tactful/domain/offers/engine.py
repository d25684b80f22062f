"""decide(): candidates -> guardrails -> ranking -> at most two framed offers, with a trace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tactful.domain.customers import Customer
from tactful.domain.experiments import assign
from tactful.domain.frozen import builder
from tactful.domain.offers import guardrails as g
from tactful.domain.offers.candidates import Candidate, shared_candidates
from tactful.domain.offers.decision import Decision, TraceEntry
from tactful.domain.offers.framing import frame
from tactful.domain.offers.inputs import CartLine, DecisionContext
from tactful.domain.offers.memo import Judged, Reasons, Reused, Shared
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
    if reasons == _NO_REASONS:  # the usual case
        return ()
    return tuple(filter(None, reasons))  # codes are non-empty strings


_NO_REASONS = (None, None, None)


def _rank_key(c: Candidate, moment: Moment) -> tuple[Any, ...]:
    """The moment's preferred kind first, then higher relevance, confidence and co-purchases,
    then the smaller ask, then SKU."""
    ev = c.evidence
    if ev is None:
        key = (-c.relevance, -0.0, 0, c.increase.amount, str(c.sku))
    else:
        key = (-c.relevance, -ev.confidence, -ev.count, c.increase.amount, str(c.sku))
    priority = _KIND_PRIORITY.get(moment)
    return key if priority is None else (priority.get(c.kind, 2), key)


def _ranked(passing: list[int], keys: list[Any]) -> list[int]:
    """The passing candidates best first by their keys; ties keep the pool's order."""
    if len(passing) < 2:
        return passing
    return list(map(passing.__getitem__, sorted(range(len(keys)), key=keys.__getitem__)))


def _choose(
    pool: list[Candidate], passing: list[int], keys: list[Any], s: Situation
) -> tuple[list[int], set[str]]:
    """Best first, no repeated SKU, at most max_offers and what the shown-offer budget allows;
    with the chosen SKUs."""
    chosen: list[int] = []
    skus: set[str] = set()
    room = min(s.policy.max_offers, max(s.policy.budget - s.shown_recently, 0))
    if room == 0:
        return chosen, skus
    for i in _ranked(passing, keys):
        sku = pool[i].sku
        if sku not in skus:
            chosen.append(i)
            skus.add(sku)
            if len(chosen) == room:
                break
    return chosen, skus


_trace_entry = builder(TraceEntry)
_decision = builder(Decision)
_KEPT = (ReasonCode.KEPT,)
_DUPLICATE = (ReasonCode.DUPLICATE,)
_OVER_OFFER_LIMIT = (ReasonCode.OVER_OFFER_LIMIT,)
_BUDGET_EXHAUSTED = (ReasonCode.BUDGET_EXHAUSTED,)


def _entry(c: Candidate, reasons: Reasons) -> TraceEntry:
    ev = c.evidence
    count, confidence, lift = (
        (ev.count, ev.confidence, ev.lift) if ev is not None else (0, 0.0, 0.0)
    )
    # Positional, in TraceEntry's field order: keywords cost a builder call several times over.
    kept = reasons == _KEPT
    return _trace_entry(
        c.sku,
        c.kind,
        c.for_sku,
        kept,
        reasons,
        c.relevance,
        count,
        confidence,
        lift,
        c.increase.amount,  # price_increase
    )


def _shared_entry(known: Shared, reasons: Reasons) -> TraceEntry:
    """A shared candidate's trace entry for `reasons`: one object for every decision."""
    entry = known.entries.get(reasons)
    if entry is None:
        entry = known.entries.setdefault(reasons, _entry(known.candidate, reasons))
    return entry


def _trace(pool: list[Candidate], reused: Reused, reasons: list[Reasons]) -> tuple[TraceEntry, ...]:
    """Each candidate's trace entry; a shared candidate's is reused for the same reasons."""
    trace = []
    for c, known, why in zip(pool, reused.shared, reasons, strict=True):
        trace.append(_entry(c, why) if known is None else _shared_entry(known, why))
    return tuple(trace)


def _judged_alike(known: Shared, s: Situation) -> Judged:
    """What every decision under this policy at this moment gets for a shared candidate
    its customer's guardrails pass: see memo.Judged."""
    c = known.candidate
    v = g.static_verdict(c, s)
    plain = _shared_entry(known, v[3]) if v[3] else None
    return v, plain, _shared_entry(known, v[4]), _rank_key(c, s.moment)


def _judge(
    pool: list[Candidate], reused: Reused, s: Situation
) -> tuple[list[TraceEntry | None], list[int], list[Any]]:
    """g.judge_all() with the trace built alongside, in one pass over the pool.

    Gives each candidate's trace entry, or None when it passes every guardrail (its entry
    waits for the choice), then the passing candidates' positions and rank keys. A shared
    candidate's static verdict, its entries for that verdict and its rank key are kept per
    policy and moment (memo.Judged), so when the customer's guardrails pass it (the usual
    case) it costs one lookup. tests/domain/offers/test_judge.py holds this equal to
    judge_all().
    """
    policy, moment, total = s.policy, s.moment, s.cart_total
    limit = total.amount * policy.in_progress_max_increase if total is not None else 0.0
    slot = reused.generation.slot(policy, moment)
    trace: list[TraceEntry | None] = []
    passing: list[int] = []
    keys: list[Any] = []
    for c, known in zip(pool, reused.shared, strict=True):
        if known is None:
            why = g.judge(c, s)
            entry = _entry(c, why) if why else None
            key = None if why else _rank_key(c, moment)
        else:
            judged = known.judged.get(slot)
            if judged is None:
                judged = known.judged[slot] = _judged_alike(known, s)
            v, entry, busy, key = judged
            case = g.customer_case(c, s, v, limit)
            if case is g.CUSTOMER:
                why = g.with_customer(c, s, v)
                entry = _shared_entry(known, why) if why else None
            elif case is g.BUSY:
                entry = busy  # fits_moment, inline
        if entry is None:
            passing.append(len(trace))
            keys.append(key)
        trace.append(entry)
    return trace, passing, keys


def _settle(
    pool: list[Candidate],
    reused: Reused,
    trace: list[TraceEntry | None],
    passing: list[int],
    chosen: list[int],
    taken: set[str],
    s: Situation,
) -> tuple[TraceEntry, ...]:
    """The trace, once the offers are chosen from those passing.

    Only the chosen needed ranking: any other passing candidate repeats a chosen SKU, or came
    after the offers filled up (to max_offers, else to the shown-offer budget).
    """
    limited = _OVER_OFFER_LIMIT if len(chosen) >= s.policy.max_offers else _BUDGET_EXHAUSTED
    shared = reused.shared
    for i in passing:
        c = pool[i]
        why = _KEPT if i in chosen else _DUPLICATE if c.sku in taken else limited
        known = shared[i]
        if known is None:
            trace[i] = _entry(c, why)
        else:
            trace[i] = _shared_entry(known, why)
    return tuple(trace)  # type: ignore[arg-type]  # every None was filled


def decide(
    customer: Customer, moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> Decision:
    """Decide which offers, if any, to show to `customer` at `moment`, and explain why."""
    s, found = situate(moment if type(moment) is Moment else Moment(moment), cart, context)
    warnings = tuple(found)
    policy = context.policy
    held = assign(customer.customer_id, policy.holdout_salt, policy.holdout_share)
    blanket = _blanket(customer, s, held)
    pool, reused = shared_candidates(s, context.affinity, context.declined_upsell)
    chosen: list[int] = []
    if blanket:
        trace = _trace(pool, reused, [blanket + v for v in g.judge_all(pool, s, reused)])
    else:
        judged, passing, keys = _judge(pool, reused, s)
        chosen, taken = _choose(pool, passing, keys, s)
        trace = _settle(pool, reused, judged, passing, chosen, taken, s)
    decision_id, expires_at = context.decision_id, context.expires_at
    shared = reused.shared
    offers = tuple([frame(pool[i], s, decision_id, expires_at, shared[i]) for i in chosen])
    # Positional, in Decision's field order: keywords cost a builder call several times over.
    return _decision(
        decision_id, customer.customer_id, s.moment, context.now, held, offers, trace, warnings
    )
