"""decide(): candidates -> guardrails -> ranking -> at most two framed offers, with a trace."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from tactful.domain.customers import Customer
from tactful.domain.experiments import assign
from tactful.domain.offers.candidates import Candidate, candidates
from tactful.domain.offers.decision import Decision, TraceEntry
from tactful.domain.offers.framing import frame
from tactful.domain.offers.guardrails import Reasons, blanket_reasons, judge
from tactful.domain.offers.inputs import CartLine, DecisionContext
from tactful.domain.offers.moments import Moment, OfferKind, uses_buy_again
from tactful.domain.offers.reasons import ReasonCode
from tactful.domain.offers.repurchases import buy_again
from tactful.domain.offers.situation import Situation, situate
from tactful.domain.offers.thompson import ArmCounts, thompson_order

_UPGRADE_FIRST = {OfferKind.UPSELL: 0, OfferKind.DOWNSELL: 1}
_KIND_PRIORITY: dict[Moment, dict[OfferKind, int]] = {
    Moment.USAGE_LIMIT: _UPGRADE_FIRST,
    Moment.RENEWAL: _UPGRADE_FIRST,
    Moment.IN_APP: _UPGRADE_FIRST,
    Moment.POST_PURCHASE: {OfferKind.DOWNSELL: 0},
}
_OTHER_KINDS = 2  # the rank of kinds a moment does not prefer


def _rank_key(candidate: Candidate, moment: Moment) -> tuple[int, float, float, int, int, str]:
    """The moment's preferred kind first, then higher relevance, confidence and co-purchases,
    then the smaller ask, then SKU."""
    evidence = candidate.evidence
    confidence, count = (evidence.confidence, evidence.count) if evidence is not None else (0.0, 0)
    preferred = _KIND_PRIORITY.get(moment, {}).get(candidate.kind, _OTHER_KINDS)
    return (
        preferred,
        -candidate.relevance,
        -confidence,
        -count,
        candidate.increase.amount,
        candidate.sku,
    )


def _thompson(
    pool: list[Candidate], ranked: list[int], counts: Mapping[str, ArmCounts], seed: str
) -> list[int]:
    """`ranked` with the candidates of one anchor and kind in Thompson order, each group in
    the places the ranking gave it; a draw is weighed by what taking the offer adds (1 where
    it adds nothing, a downsell: acceptance alone). Seeded by the decision id: replayable."""
    rng = random.Random(seed)

    def group(index: int) -> tuple[str | None, str]:
        return pool[index].for_sku, pool[index].kind

    members: dict[tuple[str | None, str], list[int]] = {}
    for index in ranked:
        members.setdefault(group(index), []).append(index)
    reordered = {}
    for key, found in members.items():
        keys = [pool[index].key for index in found]
        adds = [float(max(pool[index].increase.amount, 1)) for index in found]
        reordered[key] = iter([found[at] for at in thompson_order(keys, counts, rng, values=adds)])
    return [next(reordered[group(index)]) for index in ranked]


def _choose(
    pool: list[Candidate], passing: list[int], situation: Situation, context: DecisionContext
) -> list[int]:
    """Best first, no repeated SKU, at most max_offers; an offer not already shown today
    needs room in the shown-offer budget (one shown today again spends nothing). With the
    `thompson` allocation only the order of one anchor's passing candidates changes."""
    policy = situation.policy
    room = max(policy.budget - situation.shown_recently, 0)
    free = situation.shown_today
    chosen: list[int] = []
    skus: set[str] = set()
    ranked = sorted(passing, key=lambda passed: _rank_key(pool[passed], situation.moment))
    if policy.allocation == "thompson":
        ranked = _thompson(pool, ranked, context.arm_counts, context.decision_id)
    for index in ranked:
        if len(chosen) == policy.max_offers:
            break
        candidate = pool[index]
        if candidate.sku in skus:
            continue
        if candidate.key not in free:
            if room == 0:
                continue
            room -= 1
        chosen.append(index)
        skus.add(candidate.sku)
    return chosen


_KEPT = (ReasonCode.KEPT,)


def _settled(
    pool: list[Candidate], failed: list[Reasons], chosen: list[int], situation: Situation
) -> list[Reasons]:
    """Each candidate's reasons: the guardrails it failed, else why it was or was not chosen.

    A candidate that passed every guardrail and was not chosen repeats a chosen SKU, or came
    after the offers filled up (to max_offers, else to the shown-offer budget).
    """
    taken = {pool[index].sku for index in chosen}
    if len(chosen) >= situation.policy.max_offers:
        limited = (ReasonCode.OVER_OFFER_LIMIT,)
    else:
        limited = (ReasonCode.BUDGET_EXHAUSTED,)
    settled = []
    for index, (candidate, reasons) in enumerate(zip(pool, failed, strict=True)):
        if reasons:
            settled.append(reasons)
        elif index in chosen:
            settled.append(_KEPT)
        else:
            settled.append((ReasonCode.DUPLICATE,) if candidate.sku in taken else limited)
    return settled


def decide(
    customer: Customer, moment: Moment, cart: Sequence[CartLine], context: DecisionContext
) -> Decision:
    """Decide which offers, if any, to show to `customer` at `moment`, and explain why."""
    situation, warnings = situate(Moment(moment), cart, context)
    policy = context.policy
    is_held_out = assign(customer.customer_id, policy.holdout_salt, policy.holdout_share)
    blanket = blanket_reasons(customer, situation, is_held_out)
    pool = candidates(situation, context.affinity, context.declined_upsell)
    if uses_buy_again(situation.moment):
        pool = [*buy_again(situation, context.affinity, context.orders), *pool]
    failed = [blanket + judge(candidate, situation) for candidate in pool]
    passing = [index for index, reasons in enumerate(failed) if not reasons]
    chosen = _choose(pool, passing, situation, context)
    settled = _settled(pool, failed, chosen, situation)
    return Decision(
        decision_id=context.decision_id,
        customer_id=customer.customer_id,
        moment=situation.moment,
        at=context.now,
        held_out=is_held_out,
        offers=tuple(
            frame(
                pool[index], situation, context.decision_id, context.expires_at, context.time_zone
            )
            for index in chosen
        ),
        trace=tuple(map(TraceEntry, pool, settled)),
        warnings=tuple(warnings),
    )


_OVER_BUDGET = (ReasonCode.BUDGET_EXHAUSTED,)


def over_budget(decision: Decision, refused: Collection[str]) -> Decision:
    """`decision` without the offers whose keys the budget refused (a concurrent decision
    spent the room first); their trace entries then say budget_exhausted."""
    if not refused:
        return decision
    offers = tuple(offer for offer in decision.offers if offer.key not in refused)
    trace = tuple(
        TraceEntry(entry.candidate, _OVER_BUDGET)
        if entry.kept and entry.candidate.key in refused
        else entry
        for entry in decision.trace
    )
    return replace(decision, offers=offers, trace=trace)
