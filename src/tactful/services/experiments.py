"""Experiments: create, list and stop A/B(/n) tests of the offer policy, and their results.

Customers are assigned by hash (`tactful.domain.experiments`), under the global holdout: a
held-out customer is in no experiment. Results compare each variant with the control on
the customers who had a decision while the experiment ran, with the overview's statistics
(revenue per customer with its Welch interval, CUPED, conversion, the SRM check).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tactful.domain.clock import Clock
from tactful.domain.experiment_rules import check_layer, check_moments, check_traffic, place
from tactful.domain.experiments import (
    DEFAULT_LAYER,
    STOP_DECISIONS,
    Experiment,
    ExperimentError,
    LayerConflictError,
    StopRecord,
    Variant,
    check_variants,
)
from tactful.domain.measurement import Exposure, OverviewSettings, customer_outcomes, overview
from tactful.domain.measurement.checks import SRM_THRESHOLD, srm_p_value
from tactful.services.experiment_guardrails import ExperimentGuardrails
from tactful.services.ports.experiments import ExperimentStore
from tactful.services.ports.measurement import MeasurementReads
from tactful.services.report_data import lift_data, sequential_data
from tactful.services.reports import PRE_PERIOD

__all__ = ["ExperimentService", "StopRequest", "UnknownExperimentError", "experiment_data"]


class UnknownExperimentError(LookupError):
    """No experiment has that id."""


@dataclass(frozen=True, slots=True)
class StopRequest:
    """What was decided when stopping: `ship` (with the variant), `keep_control` or
    `inconclusive`, why, and who decided."""

    decision: str
    reason: str
    by: str
    variant: str | None = None


def experiment_data(experiment: Experiment) -> dict[str, Any]:
    """The experiment as plain data."""
    record = experiment.stop_record
    return {
        "id": experiment.experiment_id,
        "name": experiment.name,
        "status": experiment.status,
        "started_at": experiment.started_at.isoformat(),
        "stopped_at": experiment.stopped_at and experiment.stopped_at.isoformat(),
        "layer": experiment.layer,
        "moments": list(experiment.moments),
        "traffic": experiment.traffic,
        "variants": [
            {"name": v.name, "weight": v.weight, **v.parameters()} for v in experiment.variants
        ],
        "stop_decision": None
        if record is None
        else {
            "decision": record.decision,
            "variant": record.variant,
            "reason": record.reason,
            "by": record.by,
            "at": record.at.isoformat(),
        },
    }


def check_stop(experiment: Experiment, request: StopRequest) -> None:
    """Refuse a stop record that does not say what was decided (naming the field)."""
    if request.decision not in STOP_DECISIONS:
        raise ExperimentError("decision", f"must be one of {', '.join(STOP_DECISIONS)}")
    names = [v.name for v in experiment.variants]
    if request.decision == "ship":
        if request.variant not in names[1:]:
            treatments = ", ".join(names[1:])
            raise ExperimentError("variant", f"ship names the variant shipped: {treatments}")
    elif request.variant is not None:
        raise ExperimentError("variant", "only a ship decision names a variant")
    if not request.reason.strip() or len(request.reason) > 2000:
        raise ExperimentError("reason", "say why, in 1-2000 characters")
    if not request.by.strip() or len(request.by) > 200:
        raise ExperimentError("by", "name who decided, in 1-200 characters")


class ExperimentService:
    """Experiments kept in an `ExperimentStore`, measured through `MeasurementReads`."""

    def __init__(
        self,
        store: ExperimentStore,
        reads: MeasurementReads,
        clock: Clock,
        *,
        changed: Callable[[], None] = lambda: None,
        guardrails: ExperimentGuardrails | None = None,
    ) -> None:
        self.store = store
        self.reads = reads
        self.clock = clock
        self.changed = changed
        """Called after a create or stop (decisions read the running experiments again)."""
        self.guardrails = guardrails
        """Decline, refund, unsubscribe and satisfaction checks; None leaves them out."""

    def create(
        self,
        name: str,
        variants: Sequence[Variant],
        *,
        layer: str = DEFAULT_LAYER,
        moments: Sequence[str] = (),
        traffic: int = 100,
    ) -> Experiment:
        """Start a new experiment now in a free slice of its layer (raises `ExperimentError`
        naming the bad field: `layer` when it would overlap a running experiment)."""
        experiment = self.draft(name, variants, layer=layer, moments=moments, traffic=traffic)
        (placed,) = self.store.add_placed(
            lambda running: [replace(experiment, traffic_start=place(experiment, running))]
        )
        self.changed()
        return placed

    def draft(
        self,
        name: str,
        variants: Sequence[Variant],
        *,
        layer: str = DEFAULT_LAYER,
        moments: Sequence[str] = (),
        traffic: int = 100,
    ) -> Experiment:
        """The experiment `create` would start, checked but not placed nor stored."""
        if not name.strip() or len(name) > 200:
            raise ExperimentError("name", "must be 1-200 characters")
        return Experiment(
            f"exp_{secrets.token_hex(8)}",
            name,
            check_variants(variants),
            "running",
            self.now(),
            layer=check_layer(layer),
            moments=check_moments(moments),
            traffic=check_traffic(traffic),
        )

    def create_all(self, drafts: Sequence[Experiment]) -> list[Experiment]:
        """Start every draft or none: all are placed (against the running ones and each
        other) before the first is stored."""
        placed = self.store.add_placed(lambda running: _place_all(drafts, running))
        if placed:
            self.changed()
        return placed

    def now(self) -> datetime:
        return self.clock.now()

    def all(self) -> list[Experiment]:
        return self.store.all()

    def running(self) -> list[Experiment]:
        return [e for e in self.store.all() if e.status == "running"]

    def get(self, experiment_id: str) -> Experiment:
        found = self.store.get(experiment_id)
        if found is None:
            raise UnknownExperimentError(experiment_id)
        return found

    def stop(self, experiment_id: str, request: StopRequest) -> Experiment:
        """Stop a running experiment with the decision taken (raises `ExperimentError`
        naming the field of a bad record); stopping a stopped one changes nothing."""
        found = self.get(experiment_id)
        if found.status == "running":
            check_stop(found, request)
            record = StopRecord(
                request.decision,
                request.reason.strip(),
                request.by.strip(),
                self.now(),
                request.variant,
            )
            self.store.stop(experiment_id, record)
            self.changed()
        return self.get(experiment_id)

    def results(self, experiment_id: str) -> dict[str, Any]:
        """The experiment with each variant against the control, and the split's SRM check."""
        experiment = self.get(experiment_id)
        until = experiment.stopped_at or self.now()
        exposures = self.reads.exposures(since=experiment.started_at, until=until)
        orders = self.reads.order_totals(since=experiment.started_at - PRE_PERIOD, until=until)
        shown = self.store.variants_shown(experiment_id, since=experiment.started_at, until=until)
        arms: dict[str, list[Exposure]] = {v.name: [] for v in experiment.variants}
        for exposure in exposures:
            if exposure.held_out is False:
                arm = _arm_of(experiment, exposure.customer_id, shown)
                if arm is not None:
                    arms[arm].append(exposure)
        counts = [len(arms[v.name]) for v in experiment.variants]
        srm = srm_p_value(counts, [v.weight / 100 for v in experiment.variants])
        control = experiment.variants[0]
        compared = [
            _compare(control, other, arms, orders, until) for other in experiment.variants[1:]
        ]
        found = {
            **experiment_data(experiment),
            "control": control.name,
            "customers": dict(zip(arms, counts, strict=True)),
            "srm_p_value": round(srm, 6),
            "srm_warning": srm < SRM_THRESHOLD,
            "results": compared,
        }
        if self.guardrails is not None:
            found["guardrails"] = self.guardrails.compare(
                experiment.variants, arms, orders, since=experiment.started_at, until=until
            )
        return found


def _place_all(drafts: Sequence[Experiment], running: list[Experiment]) -> list[Experiment]:
    """Each draft in a free slice of its layer, against the running ones and each other."""
    placed: list[Experiment] = []
    for index, draft in enumerate(drafts):
        try:
            start = place(draft, running + placed)
        except LayerConflictError as error:
            raise LayerConflictError(
                f"experiments[{index}].{error.field}", _message(error)
            ) from error
        placed.append(replace(draft, traffic_start=start))
    return placed


def _message(error: ExperimentError) -> str:
    return str(error).removeprefix(f"{error.field}: ")


def _arm_of(experiment: Experiment, customer_id: str, shown: dict[str, str]) -> str | None:
    """The variant the customer's decisions logged; for decisions logged before variants were
    stored, the one their hash names, when they fall in the experiment's slice."""
    logged = shown.get(customer_id)
    if logged is not None:
        return logged if logged in experiment.weights else None
    if experiment.moments or not experiment.includes(customer_id):
        return None
    return experiment.variant_of(customer_id).name


def _compare(
    control: Variant,
    other: Variant,
    arms: dict[str, list[Exposure]],
    orders: Sequence[Any],
    until: datetime,
) -> dict[str, Any]:
    """One variant against the control: the control plays the overview's held-out group."""
    pair = [Exposure(e.customer_id, e.first_at, False) for e in arms[other.name]]
    pair += [Exposure(e.customer_id, e.first_at, True) for e in arms[control.name]]
    outcomes = customer_outcomes(pair, orders, until=until, pre_period=PRE_PERIOD)
    share = control.weight / (control.weight + other.weight)
    found = overview(outcomes, OverviewSettings(holdout_share=share))
    return {
        "variant": other.name,
        "status": "ok" if found.enough_data else "not_enough_data",
        "customers": {"variant": found.treated, "control": found.held_out},
        "currency": found.currency,
        "revenue_per_customer": _renamed(lift_data(found.revenue)),
        "conversion": _renamed(lift_data(found.conversion, 4)),
        "sequential": sequential_data(found),
        "sample_needed": found.sample_needed,
    }


def _renamed(lift: dict[str, Any]) -> dict[str, Any]:
    """A lift with its groups named for an experiment (variant against control)."""
    lift["variant"], lift["control"] = lift.pop("treated"), lift.pop("held_out")
    return lift


def variant_lookup(experiments: ExperimentService) -> Callable[[str], Callable[[str], str]]:
    """Segments by experiment arm: an experiment id to each customer's variant as their
    decisions logged it (the sticky hash for customers with none logged); ValueError naming
    `segment` for an unknown experiment."""

    def lookup(experiment_id: str) -> Callable[[str], str]:
        try:
            experiment = experiments.get(experiment_id)
        except UnknownExperimentError as exc:
            raise ValueError(f"segment: variant: unknown experiment {experiment_id!r}") from exc
        until = experiment.stopped_at or experiments.now()
        shown = experiments.store.variants_shown(
            experiment_id, since=experiment.started_at, until=until
        )
        return lambda customer_id: shown.get(customer_id) or experiment.variant_of(customer_id).name

    return lookup
