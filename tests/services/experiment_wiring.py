"""What the experiment service tests share: the wiring their fixture builds, a customer per arm."""

from __future__ import annotations

from itertools import count
from typing import NamedTuple

from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.domain.experiments import Experiment, assign
from tactful.domain.offers import OfferPolicy
from tactful.services.decisions import DecisionService
from tactful.services.experiments import ExperimentService


class ExperimentWiring(NamedTuple):
    """Experiments and the decisions that follow their arms, on one SQL database."""

    experiments: ExperimentService
    decisions: DecisionService
    store: SqlExperimentStore


def customer_in(experiment: Experiment, arm: str) -> str:
    """A customer outside the holdout whom `experiment` puts in `arm`."""
    policy = OfferPolicy()
    for n in count():
        candidate = f"exp-{n}"
        held = assign(candidate, policy.holdout_salt, policy.holdout_share)
        if not held and experiment.variant_of(candidate).name == arm:
            return candidate
    raise AssertionError("unreachable")
