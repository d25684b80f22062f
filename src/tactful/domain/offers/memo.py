"""What decisions on one catalogue version can share instead of rebuilding."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tactful.domain.offers.candidates import Candidate
    from tactful.domain.offers.decision import SocialProof, TraceEntry
    from tactful.domain.offers.evidence import Evidence
    from tactful.domain.offers.policy import OfferPolicy
    from tactful.domain.offers.reasons import ReasonCode

    Copy = tuple[str, str, SocialProof | None]


class SharedMemo:
    """Cross-sell candidates, their trace entries and their offer copy, built once.

    A cross-sell proposed by a single anchor is the same candidate in every decision (its
    evidence fixes every field), so it is built once; its trace entry for given reasons, and
    its copy (headline, reason, social proof) under a given policy, are then the same too.
    Keys are id()s, and every value holds the object whose id is its key, so no id is reused
    while its entry lives. Entries are written whole with single dict stores, which the GIL
    makes safe between threads.
    """

    __slots__ = ("_candidates", "_copy", "entries")

    LIMIT = 200_000  # models come and go: keep about one model's worth

    def __init__(self) -> None:
        self._candidates: dict[int, Candidate] = {}
        # Read inline by the engine: (id(candidate), reasons) -> (candidate, entry).
        self.entries: dict[tuple[int, tuple[ReasonCode, ...]], tuple[Candidate, TraceEntry]] = {}
        self._copy: dict[int, tuple[Candidate, OfferPolicy, Copy]] = {}

    def candidate(self, ev: Evidence) -> Candidate | None:
        """The cross-sell kept for `ev`, if any."""
        found = self._candidates.get(id(ev))
        return found if found is not None and found.evidence is ev else None

    def keep_candidate(self, c: Candidate, ev: Evidence) -> None:
        """Keep `c` (whose evidence is `ev`) for later decisions."""
        if len(self._candidates) >= self.LIMIT:
            self._candidates.clear()
            self.entries.clear()
            self._copy.clear()
        self._candidates[id(ev)] = c

    def _kept(self, c: Candidate) -> bool:
        ev = c.evidence
        return ev is not None and self._candidates.get(id(ev)) is c

    def keep_entry(self, c: Candidate, reasons: tuple[ReasonCode, ...], entry: TraceEntry) -> None:
        """Keep `entry` when `c` is a kept candidate (others are built once per decision)."""
        if self._kept(c):
            self.entries[(id(c), reasons)] = (c, entry)

    def copy(self, c: Candidate, policy: OfferPolicy) -> Copy | None:
        """The copy written earlier for `c` under `policy`."""
        found = self._copy.get(id(c))
        if found is None or found[0] is not c or found[1] is not policy:
            return None
        return found[2]

    def keep_copy(self, c: Candidate, policy: OfferPolicy, copy: Copy) -> None:
        """Keep `copy` when `c` is a kept candidate."""
        if self._kept(c):
            self._copy[id(c)] = (c, policy, copy)
