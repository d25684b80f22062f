"""The per-sequence email report: enrolled, held out, sent, clicked and, where the sequence
tracks them, opened.

Opens are counted only over the mails of versions with `track_opens: true` (the others carry
no pixel), and reported as such: a pixel load is not a read (Apple Mail Privacy Protection
loads every image on delivery, other clients block images), so nothing else reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tactful.services.ports.email import EmailStore
from tactful.services.ports.email_report import SequenceReportReads, VersionCounts
from tactful.services.sequences import parse_one

OPENS_NOTE = (
    "Opens count only mails of versions with open tracking on (track_opens: true); a pixel "
    "load is not a read: Apple Mail Privacy Protection loads every image, other clients "
    "block images."
)


@dataclass(frozen=True, slots=True)
class SequenceFigures:
    """One sequence, every version together."""

    sequence_id: str
    enrolled: int
    held_out: int
    sent: int
    clicked: int
    tracked: int | None
    """Mails sent by versions that track opens; None when no version does."""
    opened: int | None
    """Of the tracked mails, those whose pixel loaded at least once; None when not tracked."""

    @property
    def click_rate(self) -> float | None:
        """Mails clicked over mails sent."""
        return self.clicked / self.sent if self.sent else None

    @property
    def open_rate(self) -> float | None:
        """Tracked mails opened over tracked mails sent (None without tracking or mails)."""
        return self.opened / self.tracked if self.tracked and self.opened is not None else None

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON row; `opens` is null when the sequence does not track them."""
        opens = None
        if self.tracked is not None:
            opens = {"tracked_mails": self.tracked, "opened": self.opened}
        return {
            "sequence_id": self.sequence_id,
            "enrolled": self.enrolled,
            "held_out": self.held_out,
            "sent": self.sent,
            "clicked": self.clicked,
            "opens": opens,
        }


def sequence_figures(
    counts: Iterable[VersionCounts], tracks_opens: Callable[[str, int], bool]
) -> list[SequenceFigures]:
    """Versions summed per sequence; opens only from the versions that track them."""
    by_sequence: dict[str, list[VersionCounts]] = {}
    for row in counts:
        by_sequence.setdefault(row.sequence_id, []).append(row)
    found = []
    for sequence_id, rows in sorted(by_sequence.items()):
        tracking = [r for r in rows if tracks_opens(sequence_id, r.version)]
        found.append(
            SequenceFigures(
                sequence_id,
                sum(r.enrolled for r in rows),
                sum(r.held_out for r in rows),
                sum(r.sent for r in rows),
                sum(r.clicked for r in rows),
                sum(r.sent for r in tracking) if tracking else None,
                sum(r.opened for r in tracking) if tracking else None,
            )
        )
    return found


@dataclass
class SequenceReport:
    """The report over the stored counts and each version's own definition."""

    reads: SequenceReportReads
    store: EmailStore

    def figures(self) -> list[SequenceFigures]:
        """One row per sequence that enrolled anyone."""
        return sequence_figures(self.reads.version_counts(), self._tracks_opens)

    def _tracks_opens(self, sequence_id: str, version: int) -> bool:
        stored = self.store.sequence_version(sequence_id, version)
        return stored is not None and parse_one(stored.definition).track_opens
