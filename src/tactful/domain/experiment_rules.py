"""Where a new experiment fits in its layer, and which arms apply to one decision.

A layer is a hash space of customers (salted by the layer's name). Experiments in one layer
that share a moment take disjoint slices of it, so no decision follows two of them; in
different layers they overlap freely (their hashes are independent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tactful.domain.experiments import Experiment, ExperimentError, LayerConflictError, Variant
from tactful.domain.offers.moments import Moment

__all__ = ["Arm", "arms_for", "check_layer", "check_moments", "check_traffic", "place"]

_LAYER = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
Arm = tuple[Experiment, Variant]
"""An experiment and the variant a customer sees in it."""


def check_layer(layer: str) -> str:
    """The layer's name if it is one: lower-case letters, digits, '_', '.', ':' or '-'."""
    if not _LAYER.match(layer):
        raise ExperimentError("layer", "use 1-64 lower-case letters, digits, '_', '.', ':', '-'")
    return layer


def check_moments(moments: Iterable[str]) -> tuple[str, ...]:
    """Known moments, each once, sorted (empty: every moment)."""
    known = {m.value for m in Moment}
    found = tuple(sorted(set(moments)))
    for index, moment in enumerate(found):
        if moment not in known:
            raise ExperimentError(f"moments[{index}]", f"unknown moment {moment!r}")
    return found


def check_traffic(traffic: int) -> int:
    """A share of the layer's customers in whole percent, 1-100."""
    if not 1 <= traffic <= 100:
        raise ExperimentError("traffic", "must be between 1 and 100 (percent of the layer)")
    return traffic


def place(new: Experiment, running: Sequence[Experiment]) -> int:
    """The first slice start in `new`'s layer where it overlaps no running experiment.

    Raises `ExperimentError` naming `layer` (and the experiments in the way) when there is
    no free slice of `new.traffic` percent.
    """
    rivals = [e for e in running if e.layer == new.layer and _share_a_moment(e, new)]
    taken = sorted((e.traffic_start, e.traffic_start + e.traffic) for e in rivals)
    start = 0
    for low, high in taken:
        if low - start >= new.traffic:
            return start
        start = max(start, high)
    if 100 - start >= new.traffic:
        return start
    names = ", ".join(e.experiment_id for e in rivals)
    raise LayerConflictError(
        "layer",
        f"layer {new.layer!r} has no free {new.traffic}% at these moments "
        f"(taken by {names}); stop one, lower traffic, or use another layer",
    )


def _share_a_moment(first: Experiment, second: Experiment) -> bool:
    return not first.moments or not second.moments or bool(set(first.moments) & set(second.moments))


def arms_for(running: Iterable[Experiment], customer_id: str, moment: str) -> list[Arm]:
    """The running experiments that apply to this customer's decision at `moment`, each with
    the customer's variant (sticky: the same customer gets the same arms every time)."""
    return [
        (experiment, experiment.variant_of(customer_id))
        for experiment in running
        if experiment.status == "running"
        and experiment.applies_at(moment)
        and experiment.includes(customer_id)
    ]
