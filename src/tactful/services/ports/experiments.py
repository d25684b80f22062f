"""Where experiments are kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tactful.domain.experiments import Experiment, StopRecord


class ExperimentStore(Protocol):
    """Experiments by id; a stop is stored once, with its decision record."""

    def add(self, experiment: Experiment) -> None:
        """Store a new experiment (its id is new)."""
        ...

    def add_placed(self, place: Callable[[list[Experiment]], list[Experiment]]) -> list[Experiment]:
        """Store what `place` makes of the running experiments, all or none, in one step no
        other placement interleaves with (so two racing creates never share a slice)."""
        ...

    def get(self, experiment_id: str) -> Experiment | None:
        """The experiment, or None."""
        ...

    def all(self) -> list[Experiment]:
        """Every experiment, the newest first."""
        ...

    def stop(self, experiment_id: str, record: StopRecord) -> None:
        """Mark a running experiment stopped at `record.at`, keeping the record."""
        ...

    def variants_shown(
        self, experiment_id: str, *, since: datetime, until: datetime
    ) -> dict[str, str]:
        """Customer id -> the variant their first decision in the window followed."""
        ...
