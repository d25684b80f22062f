"""What decisions on one catalogue version can share instead of rebuilding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from tactful.domain.offers.reasons import ReasonCode

if TYPE_CHECKING:
    from tactful.domain.offers.candidates import Candidate
    from tactful.domain.offers.decision import PriceBlock, SocialProof, TraceEntry
    from tactful.domain.offers.moments import Moment
    from tactful.domain.offers.policy import OfferPolicy

Reasons = tuple[ReasonCode, ...]
# A plain cross-sell's static guardrails split where the customer's slot in, then whole
# without and with too-big-for-moment, then its currency and whether it is rebuyable:
# see guardrails.static_verdict.
Verdict = tuple[Reasons, Reasons, Reasons, Reasons, Reasons, str, bool]
# Framing's per-candidate constants under a policy: see framing._fixed.
Framed = tuple["OfferPolicy", str, str, str, str, "SocialProof | None", "PriceBlock | None"]


class Generation:
    """Shared cross-sells and what follows from each alone, in tables keyed by id(candidate).

    A cross-sell proposed by a single anchor is the same candidate in every decision (its
    evidence fixes every field), so it is built once; its static verdict under a policy and
    moment, its trace entry for given reasons, its rank key and its copy are then the same
    too. They live in a few tables rather than in an object per candidate: a decision meets
    about ten candidates, and each extra object it touches is a likely cache miss.

    `candidates` is keyed by id(evidence), and each candidate holds its evidence; every other
    table is keyed by id() of a candidate in `candidates`. The generation keeps them all
    alive, so no key is reused while it lives. Entries are written whole with single dict
    stores, which the GIL makes safe between threads.
    """

    __slots__ = ("candidates", "entries", "framed", "ranks", "verdicts")

    def __init__(self) -> None:
        # Read inline by candidates.shared_cross_sells: a candidate counts for an evidence
        # only when its evidence is that very object.
        self.candidates: dict[int, Candidate] = {}
        self.verdicts: dict[tuple[int, Moment], tuple[OfferPolicy, dict[int, Verdict]]] = {}
        self.entries: dict[Reasons, dict[int, TraceEntry]] = {}
        self.ranks: dict[int, tuple[Any, ...]] = {}
        self.framed: dict[int, Framed] = {}

    def verdict_table(self, policy: OfferPolicy, moment: Moment) -> dict[int, Verdict]:
        """Static verdicts under `policy` at `moment`."""
        key = (id(policy), moment)
        found = self.verdicts.get(key)
        if found is None or found[0] is not policy:
            if len(self.verdicts) >= 256:  # policies built per call (tests) would pile up
                self.verdicts.clear()
            found = self.verdicts[key] = (policy, {})
        return found[1]

    def entry_table(self, reasons: Reasons) -> dict[int, TraceEntry]:
        """Trace entries for `reasons`."""
        table = self.entries.get(reasons)
        if table is None:
            table = self.entries.setdefault(reasons, {})
        return table


class Reused(NamedTuple):
    """A decision's view of the shared candidates: for each in pool order, its key or None."""

    generation: Generation
    keys: list[int | None]


class SharedMemo:
    """The current Generation of a catalogue version's shared candidates.

    When it holds too many (models come and go) a new generation starts instead of clearing
    the old one: a decision takes one generation for its whole course, so what it writes
    always lands beside the candidates it came from.
    """

    __slots__ = ("_current",)

    LIMIT = 200_000  # about one model's worth

    def __init__(self) -> None:
        self._current = Generation()

    def current(self) -> Generation:
        """The generation a decision should use throughout."""
        generation = self._current
        if len(generation.candidates) >= self.LIMIT:
            generation = self._current = Generation()
        return generation
