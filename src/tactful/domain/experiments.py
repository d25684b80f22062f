"""Deterministic assignment of units (customers, sessions) to holdouts and variants.

A unit's bucket is a hash of (salt, unit id), so the same customer always lands in the same
group without storing anything, and a new salt gives an independent split.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

_SCALE = float(2**64)
_sha256 = hashlib.sha256
_first_u64 = struct.Struct(">Q").unpack_from  # the digest's first 8 bytes, big-endian


def bucket(unit_id: str, salt: str) -> float:
    """A number in [0, 1) fixed for (salt, unit_id) and spread uniformly over units."""
    digest = _sha256(f"{salt}\x1f{unit_id}".encode()).digest()
    first: int = _first_u64(digest)[0]
    return first / _SCALE


def assign(unit_id: str, salt: str, share: float) -> bool:
    """Whether the unit falls in the first `share` of buckets (e.g. the 5% holdout)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    return bucket(unit_id, salt) < share


def variant(unit_id: str, salt: str, weights: Mapping[str, float]) -> str:
    """The variant whose cumulative weight range holds the unit's bucket."""
    if not weights:
        raise ValueError("weights must name at least one variant")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must not all be zero")
    point = bucket(unit_id, salt) * total
    running = 0.0
    name = ""
    for name, weight in weights.items():
        running += weight
        if point < running:
            return name
    return name


# --- Stored experiments: variants with weights and the policy each applies -------------------

EXPERIMENT_STATUSES = ("running", "stopped")
MAX_OFFERS = 2
"""The most offers one decision shows (the offer policy's own limit)."""
DEFAULT_LAYER = "default"
"""The layer an experiment joins unless it names one: experiments in one layer that share a
moment never overlap for a customer."""
HEADLINES = ("outcome", "plain")
"""Headline variants: the product's outcome line (the engine's own) or its plain name."""
FORMATS = ("card", "compact")
"""Presentation variants the widget and checkout render (carried in the decision answer)."""
STOP_DECISIONS = ("ship", "keep_control", "inconclusive")
"""What was decided when an experiment stopped; `ship` names the variant shipped."""
ALLOCATIONS = ("ranked", "thompson")
"""How an arm orders one anchor's eligible candidates (tactful.domain.offers.policy)."""
MAX_DISCOUNT = 50
"""The largest discount (percent) a variant may give: a real price cut, never a fake 'was'."""


class ExperimentError(ValueError):
    """An experiment definition that cannot be stored; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class LayerConflictError(ExperimentError):
    """The experiment would overlap a running one in its layer (a conflict, not a typo)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One arm: its share of customers (whole percent) and the policy it applies."""

    name: str
    weight: int
    max_offers: int | None = None
    """Offers a decision shows at most in this arm; None: the configured policy's."""
    headline: str | None = None
    """One of HEADLINES; None: the engine's own (the outcome line)."""
    discount_percent: int = 0
    """A real cut of each offer's price, shown and logged as the offer's price."""
    format: str | None = None
    """One of FORMATS for the widget/checkout to render; None: their default."""
    wait_multiplier: float | None = None
    """Email sequences wait this many times as long between steps; None: as defined."""
    allocation: str | None = None
    """One of ALLOCATIONS (`thompson`: Thompson sampling between one anchor's eligible
    candidates); None: the configured policy's (the ranking)."""

    def parameters(self) -> dict[str, object]:
        """The arm's settings as plain data (None where it keeps the configured policy)."""
        return {
            "max_offers": self.max_offers,
            "headline": self.headline,
            "discount_percent": self.discount_percent,
            "format": self.format,
            "wait_multiplier": self.wait_multiplier,
            "allocation": self.allocation,
        }


@dataclass(frozen=True, slots=True)
class StopRecord:
    """The decision taken when an experiment stopped: who, when, what and why."""

    decision: str
    reason: str
    by: str
    at: datetime
    variant: str | None = None
    """The variant shipped (decision `ship`)."""


@dataclass(frozen=True, slots=True)
class Experiment:
    """An A/B(/n) test; the first variant is the control the others are compared with.

    It takes `traffic` percent of its layer's customers, from `traffic_start`, at the
    `moments` it names (none: every moment); within those, the variants split by weight.
    """

    experiment_id: str
    name: str
    variants: tuple[Variant, ...]
    status: str
    started_at: datetime
    stopped_at: datetime | None = None
    layer: str = DEFAULT_LAYER
    moments: tuple[str, ...] = ()
    traffic: int = 100
    traffic_start: int = 0
    stop_record: StopRecord | None = None

    @property
    def weights(self) -> dict[str, float]:
        return {v.name: float(v.weight) for v in self.variants}

    def includes(self, customer_id: str) -> bool:
        """Whether the customer falls in this experiment's slice of its layer (sticky)."""
        if self.traffic >= 100:
            return True
        point = bucket(customer_id, f"layer:{self.layer}") * 100
        return self.traffic_start <= point < self.traffic_start + self.traffic

    def applies_at(self, moment: str) -> bool:
        """Whether decisions at `moment` (or `email` for sequences) follow this experiment."""
        return not self.moments or moment in self.moments

    def overlaps(self, other: Experiment) -> bool:
        """Whether both could apply to one decision: same layer, a shared moment, and
        intersecting slices of the layer."""
        if self.layer != other.layer:
            return False
        if self.moments and other.moments and not set(self.moments) & set(other.moments):
            return False
        end, other_end = self.traffic_start + self.traffic, other.traffic_start + other.traffic
        return self.traffic_start < other_end and other.traffic_start < end

    def variant_of(self, customer_id: str) -> Variant:
        """The customer's arm: sticky, salted by the experiment's id, weight-respecting."""
        chosen = variant(customer_id, self.experiment_id, self.weights)
        return next(v for v in self.variants if v.name == chosen)


def check_variants(variants: Sequence[Variant]) -> tuple[Variant, ...]:
    """The variants if they can be stored: two or more, unique names, weights summing to 100,
    each setting within its range."""
    if len(variants) < 2:
        raise ExperimentError("variants", "at least two (a control and a treatment)")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ExperimentError("variants", "names must be unique")
    for index, item in enumerate(variants):
        _check_variant(item, f"variants[{index}]")
    if sum(v.weight for v in variants) != 100:
        raise ExperimentError("variants", "weights must sum to 100")
    return tuple(variants)


def _check_variant(item: Variant, at: str) -> None:
    if not item.name.strip():
        raise ExperimentError(f"{at}.name", "must not be empty")
    if not 0 < item.weight <= 100:
        raise ExperimentError(f"{at}.weight", "must be between 1 and 100")
    if item.max_offers is not None and not 0 <= item.max_offers <= MAX_OFFERS:
        raise ExperimentError(f"{at}.max_offers", "must be between 0 and 2")
    if item.headline is not None and item.headline not in HEADLINES:
        raise ExperimentError(f"{at}.headline", f"must be one of {', '.join(HEADLINES)}")
    if not 0 <= item.discount_percent <= MAX_DISCOUNT:
        raise ExperimentError(f"{at}.discount_percent", f"must be between 0 and {MAX_DISCOUNT}")
    if item.format is not None and item.format not in FORMATS:
        raise ExperimentError(f"{at}.format", f"must be one of {', '.join(FORMATS)}")
    if item.wait_multiplier is not None and not 0.1 <= item.wait_multiplier <= 10:
        raise ExperimentError(f"{at}.wait_multiplier", "must be between 0.1 and 10")
    if item.allocation is not None and item.allocation not in ALLOCATIONS:
        raise ExperimentError(f"{at}.allocation", f"must be one of {', '.join(ALLOCATIONS)}")
