"""What decisions on one catalogue version can share instead of rebuilding."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, NamedTuple

from tactful.domain.offers.reasons import ReasonCode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tactful.domain.catalog import Sku
    from tactful.domain.offers.candidates import Candidate
    from tactful.domain.offers.decision import PriceBlock, SocialProof, TraceEntry
    from tactful.domain.offers.evidence import Evidence
    from tactful.domain.offers.moments import Moment
    from tactful.domain.offers.policy import OfferPolicy

Reasons = tuple[ReasonCode, ...]
# A plain cross-sell's static guardrails split where the customer's slot in, then whole
# without and with too-big-for-moment, then its currency and whether it is rebuyable:
# see guardrails.static_verdict.
Verdict = tuple[Reasons, Reasons, Reasons, Reasons, Reasons, str, bool]
# What decisions under one policy at one moment share for a shared candidate: its static
# verdict, its trace entries for that verdict without and with too-big-for-moment (the
# first None when it passes), and its rank key: see engine._judge.
Judged = tuple[Verdict, "TraceEntry | None", "TraceEntry", tuple[Any, ...]]
# Framing's per-candidate constants under a policy: see framing._fixed.
Framed = tuple["OfferPolicy", str, str, str, str, "SocialProof | None", "PriceBlock | None"]


class Shared:
    """A shared cross-sell and what follows from it alone, held together.

    A cross-sell proposed by a single anchor is the same candidate in every decision (its
    evidence fixes every field), so it is built once; its static verdict under a policy and
    moment, its trace entry for given reasons, its rank key and its copy are then the same
    too, and are kept here (`verdicts` for guardrails.judge_all, `judged` for the engine).
    A decision meets about ten candidates: one table lookup per candidate, then attributes
    of one object, touches less memory than a lookup in a table per kind of result.
    """

    __slots__ = ("candidate", "entries", "evidence", "framed", "judged", "verdicts")

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate
        self.evidence = candidate.evidence
        self.verdicts: dict[int, Verdict] = {}  # by Generation.slot(policy, moment)
        self.judged: dict[int, Judged] = {}  # by Generation.slot(policy, moment)
        self.entries: dict[Reasons, TraceEntry] = {}
        self.framed: Framed | None = None


# One evidence proposed by an anchor: minus its score, its consequent, and its Shared and
# candidate (None when the catalogue lacks the consequent).
Row = tuple[float, "Sku", "Shared | None", "Candidate | None"]


class Proposal(NamedTuple):
    """One anchor's evidence as rows, ranked when `ordered` (no NaN, no repeated SKU), and
    whether every consequent is in the catalogue (`complete`): see candidates._ranked_rows."""

    evidence: Sequence[Evidence]
    rows: tuple[Row, ...]
    consequents: frozenset[Sku]
    ordered: bool
    complete: bool


class Generation:
    """The shared cross-sells of one catalogue version, keyed by id() of their evidence.

    Each Shared holds its candidate, which holds its evidence, so no key is reused while the
    generation lives. Results are written whole with single stores, which the GIL makes safe
    between threads.
    """

    __slots__ = ("_count", "_slots", "candidates", "proposals")

    SLOTS = 256  # policies built per call (tests) would pile up: then a new generation starts

    def __init__(self) -> None:
        # Read by candidates._shared: an entry counts for an evidence only when its evidence
        # is that very object.
        self.candidates: dict[int, Shared] = {}
        # By id() of an affinity source's evidence for an anchor, read by
        # candidates._proposals: each Proposal holds its evidence, so no key is reused.
        self.proposals: dict[int, Proposal] = {}
        self._slots: dict[tuple[int, Moment], tuple[OfferPolicy, int]] = {}
        self._count = itertools.count()  # next() is atomic, so threads never share a slot

    def slot(self, policy: OfferPolicy, moment: Moment) -> int:
        """The key of what is kept under `policy` at `moment` in Shared.verdicts and .judged."""
        key = (id(policy), moment)
        found = self._slots.get(key)
        if found is None:
            # The entry holds `policy`, so its id is not reused while the generation lives.
            found = self._slots.setdefault(key, (policy, next(self._count)))
        return found[1]

    @property
    def full(self) -> bool:
        """Whether a new generation should start."""
        limit = SharedMemo.LIMIT
        return (
            len(self.candidates) >= limit
            or len(self.proposals) >= limit
            or len(self._slots) >= self.SLOTS
        )


class Reused(NamedTuple):
    """A decision's view of the shared candidates: for each in pool order, its Shared or None."""

    generation: Generation
    shared: list[Shared | None]


class SharedMemo:
    """The current Generation of a catalogue version's shared candidates.

    When it holds too many candidates (models come and go) or policies (built per call, as in
    tests), a new generation starts instead of clearing the old one: a decision takes one
    generation for its whole course, so what it writes always lands beside the candidates it
    came from.
    """

    __slots__ = ("_current",)

    LIMIT = 200_000  # about one model's worth

    def __init__(self) -> None:
        self._current = Generation()

    def current(self) -> Generation:
        """The generation a decision should use throughout."""
        generation = self._current
        if generation.full:
            generation = self._current = Generation()
        return generation
