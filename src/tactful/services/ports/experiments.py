"""Where experiments are kept."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tactful.domain.experiments import Experiment


class ExperimentStore(Protocol):
    """Experiments by id; a stop is stored once."""

    def add(self, experiment: Experiment) -> None:
        """Store a new experiment (its id is new)."""
        ...

    def get(self, experiment_id: str) -> Experiment | None:
        """The experiment, or None."""
        ...

    def all(self) -> list[Experiment]:
        """Every experiment, the newest first."""
        ...

    def stop(self, experiment_id: str, at: datetime) -> None:
        """Mark a running experiment stopped at `at`."""
        ...
