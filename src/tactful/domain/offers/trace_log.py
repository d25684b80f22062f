"""A decision's trace as the decision log keeps it: each candidate, why it was kept or
dropped, and the figures behind it (its evidence, what it adds to the cart, its score).

Stored as compact JSON text, one flat array per candidate in the order the engine judged
them: `[sku, kind, for_sku, relevance, [reason codes], increase, currency, ...]`, where
`relevance` is the score the candidates passing every guardrail were ranked on and `increase`
what taking it adds to the cart, in minor units. What follows depends on the candidate, and the
array's length says which:
- a cross-sell's evidence: `count, antecedent_count, lift, unit` (its confidence is
  count / antecedent_count), then `[antecedent SKUs]` only when the rule had several (else
  the antecedent is `for_sku`);
- a repurchase's `orders, last ordered at`;
- `true` for an upsell to the same plan on a longer billing term;
- nothing else.
Traces logged before the figures were kept hold only the first five items; they still read.
Built once per logged decision on the API's hot path (bench/decide_latency.py times it), so
it is one orjson call over flat tuples (enums serialize as their values, datetimes as RFC 3339).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from tactful.domain.offers.decision import TraceEntry
from tactful.domain.offers.reasons import ReasonCode, reason_text


@dataclass(frozen=True, slots=True)
class LoggedEvidence:
    """The co-purchase counts behind a logged cross-sell."""

    count: int
    """Buyers (or orders, see `unit`) of the antecedent who also bought the candidate."""
    antecedent_count: int
    """Buyers (or orders) of the antecedent."""
    lift: float
    unit: str
    """"orders" or "customers": what was counted."""
    antecedent: tuple[str, ...]

    @property
    def confidence(self) -> float:
        """The share of the antecedent's buyers who also bought the candidate."""
        return self.count / self.antecedent_count if self.antecedent_count > 0 else 0.0


@dataclass(frozen=True, slots=True)
class LoggedCandidate:
    """One candidate of a logged decision's trace; the figures are None (and `term_switch`
    False) in traces logged before they were kept."""

    sku: str
    kind: str
    for_sku: str | None
    relevance: float
    reasons: tuple[str, ...]
    increase: int | None = None
    """What taking it adds to the cart, in minor units of `currency`."""
    currency: str | None = None
    evidence: LoggedEvidence | None = None
    repeat: tuple[int, datetime] | None = None
    """A repurchase's orders holding the item and the last one's time."""
    term_switch: bool = False
    """An upsell to the same plan on a longer billing term."""

    @property
    def kept(self) -> bool:
        """The candidate became an offer."""
        return self.reasons == (ReasonCode.KEPT,)

    @property
    def why(self) -> tuple[str, ...]:
        """Its reasons in a merchant's words."""
        return tuple(reason_text(code) for code in self.reasons)

    @property
    def has_figures(self) -> bool:
        """The log kept its figures (decisions logged since it does)."""
        return self.increase is not None


def trace_text(trace: Sequence[TraceEntry]) -> str:
    """The stored form of a decision's trace (one flat tuple per candidate: the branches
    spare the hot path a nested tuple and a null per candidate)."""
    rows: list[tuple[object, ...]] = []
    add = rows.append
    for e in trace:
        c = e.candidate
        i = c.increase
        if (v := c.evidence) is not None:
            if len(a := v.antecedent) == 1:
                add((c.sku, c.kind, c.for_sku, c.relevance, e.reasons, i.amount, i.currency,
                     v.count, v.antecedent_count, v.lift, v.unit))  # fmt: skip
            else:
                add((c.sku, c.kind, c.for_sku, c.relevance, e.reasons, i.amount, i.currency,
                     v.count, v.antecedent_count, v.lift, v.unit, a))  # fmt: skip
        elif (r := c.repeat) is not None:
            add((c.sku, c.kind, c.for_sku, c.relevance, e.reasons, i.amount, i.currency,
                 r.orders, r.last_at))  # fmt: skip
        elif c.term_switch:
            add((c.sku, c.kind, c.for_sku, c.relevance, e.reasons, i.amount, i.currency, True))
        else:
            add((c.sku, c.kind, c.for_sku, c.relevance, e.reasons, i.amount, i.currency))
    return orjson.dumps(rows).decode()


def read_trace(text: str | None) -> tuple[LoggedCandidate, ...] | None:
    """The trace kept as `text`; None when none was kept (decisions logged before)."""
    if text is None:
        return None
    return tuple(_candidate(row) for row in orjson.loads(text))


_PLAIN, _TERM_SWITCH, _REPEAT, _EVIDENCE, _EVIDENCE_OF_SEVERAL = 7, 8, 9, 11, 12
"""A stored candidate's length says which figures follow its first seven."""


def _candidate(row: list[Any]) -> LoggedCandidate:
    sku, kind, for_sku, relevance, reasons = row[:5]
    if len(row) < _PLAIN:  # logged before the figures were kept
        return LoggedCandidate(sku, kind, for_sku, float(relevance), tuple(reasons))
    increase, currency, *more = row[5:]
    evidence, repeat = None, None
    if len(row) >= _EVIDENCE:
        count, antecedent_count, lift, unit = more[:4]
        antecedent = tuple(more[4]) if len(row) == _EVIDENCE_OF_SEVERAL else (for_sku,)
        evidence = LoggedEvidence(int(count), int(antecedent_count), float(lift), unit, antecedent)
    elif len(row) == _REPEAT:
        repeat = (int(more[0]), datetime.fromisoformat(more[1]))
    return LoggedCandidate(
        sku,
        kind,
        for_sku,
        float(relevance),
        tuple(reasons),
        int(increase),
        currency,
        evidence,
        repeat,
        term_switch=len(row) == _TERM_SWITCH,
    )
