"""Port of the per-sequence email report: what each sequence version enrolled, sent and got back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VersionCounts:
    """One sequence version's counts, as stored: enrolments, mails sent, and of those the
    mails clicked at least once and the mails whose open pixel loaded at least once."""

    sequence_id: str
    version: int
    enrolled: int
    held_out: int
    sent: int
    clicked: int
    opened: int


class SequenceReportReads(Protocol):
    """Counts per sequence version, for the report."""

    def version_counts(self) -> list[VersionCounts]:
        """Every version with an enrolment, by sequence and version."""
        ...
