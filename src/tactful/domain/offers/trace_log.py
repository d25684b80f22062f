"""A decision's trace as the decision log keeps it: each candidate and why it was kept or
dropped, without the figures the API answer adds (evidence, prices).

Stored as compact JSON text, one array per candidate in the order the engine judged them:
`[sku, kind, for_sku, relevance, [reason codes]]`. Built once per logged decision on the
API's hot path, so it is a single orjson call over tuples (enums serialize as their values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from tactful.domain.offers.decision import TraceEntry
from tactful.domain.offers.reasons import ReasonCode, reason_text


@dataclass(frozen=True, slots=True)
class LoggedCandidate:
    """One candidate of a logged decision's trace."""

    sku: str
    kind: str
    for_sku: str | None
    relevance: float
    reasons: tuple[str, ...]

    @property
    def kept(self) -> bool:
        """The candidate became an offer."""
        return self.reasons == (ReasonCode.KEPT,)

    @property
    def why(self) -> tuple[str, ...]:
        """Its reasons in a merchant's words."""
        return tuple(reason_text(code) for code in self.reasons)


def trace_text(trace: Sequence[TraceEntry]) -> str:
    """The stored form of a decision's trace."""
    return orjson.dumps(
        [
            (
                e.candidate.sku,
                e.candidate.kind,
                e.candidate.for_sku,
                e.candidate.relevance,
                e.reasons,
            )
            for e in trace
        ]
    ).decode()


def read_trace(text: str | None) -> tuple[LoggedCandidate, ...] | None:
    """The trace kept as `text`; None when none was kept (decisions logged before)."""
    if text is None:
        return None
    return tuple(
        LoggedCandidate(str(sku), str(kind), for_sku, float(relevance), tuple(reasons))
        for sku, kind, for_sku, relevance, reasons in orjson.loads(text)
    )
