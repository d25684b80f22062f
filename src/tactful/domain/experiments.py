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


class ExperimentError(ValueError):
    """An experiment definition that cannot be stored; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Variant:
    """One arm: its share of customers (whole percent) and the policy it applies."""

    name: str
    weight: int
    max_offers: int | None = None
    """Offers a decision shows at most in this arm; None: the configured policy's."""


@dataclass(frozen=True, slots=True)
class Experiment:
    """An A/B(/n) test; the first variant is the control the others are compared with."""

    experiment_id: str
    name: str
    variants: tuple[Variant, ...]
    status: str
    started_at: datetime
    stopped_at: datetime | None = None

    @property
    def weights(self) -> dict[str, float]:
        return {v.name: float(v.weight) for v in self.variants}

    def variant_of(self, customer_id: str) -> Variant:
        """The customer's arm: sticky, salted by the experiment's id, weight-respecting."""
        chosen = variant(customer_id, self.experiment_id, self.weights)
        return next(v for v in self.variants if v.name == chosen)


def check_variants(variants: Sequence[Variant]) -> tuple[Variant, ...]:
    """The variants if they can be stored: two or more, unique names, weights summing to 100."""
    if len(variants) < 2:
        raise ExperimentError("variants", "at least two (a control and a treatment)")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ExperimentError("variants", "names must be unique")
    for index, item in enumerate(variants):
        if not item.name.strip():
            raise ExperimentError(f"variants[{index}].name", "must not be empty")
        if not 0 < item.weight <= 100:
            raise ExperimentError(f"variants[{index}].weight", "must be between 1 and 100")
        if item.max_offers is not None and not 0 <= item.max_offers <= MAX_OFFERS:
            raise ExperimentError(f"variants[{index}].max_offers", "must be between 0 and 2")
    if sum(v.weight for v in variants) != 100:
        raise ExperimentError("variants", "weights must sum to 100")
    return tuple(variants)
