"""Thompson sampling between the eligible offer candidates of one anchor.

The guardrails and the respect policy decide WHICH candidates may be shown; this module only
orders the eligible ones. Each candidate (keyed per anchor: kind, offered SKU, what it is for)
has a Beta posterior on its acceptance rate from the stored impressions and acceptances plus a
prior; every choice draws one sample per candidate, weighs it by what an acceptance adds to the
order (so it samples revenue per impression) and shows the highest first.

Adaptive allocation is a cost paid in honesty: arms that look worse are shown less, so their
naive acceptance estimates stay noisy and (after early bad luck) biased low. Per-arm lifts from
an allocated run are therefore not read as experiments; the incremental revenue report compares
against the global holdout, which no allocation touches.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "EXPLORATION_FLOOR",
    "ArmCounts",
    "ThompsonSettings",
    "thompson_order",
    "thompson_pick",
]

EXPLORATION_FLOOR = 0.05
"""The share of choices made uniformly at random among the eligible candidates, whatever the
posteriors say: every eligible arm keeps at least EXPLORATION_FLOOR / n chance to lead, so a
candidate written off early by bad luck is still seen and can recover."""


@dataclass(frozen=True, slots=True)
class ArmCounts:
    """What one candidate of one anchor has gathered: offers shown and offers accepted."""

    impressions: int = 0
    acceptances: int = 0

    def __post_init__(self) -> None:
        if self.impressions < 0 or not 0 <= self.acceptances <= self.impressions:
            raise ValueError("counts: need 0 <= acceptances <= impressions")


NO_COUNTS = ArmCounts()


@dataclass(frozen=True, slots=True)
class ThompsonSettings:
    """The prior Beta(accepts, declines) every arm starts from, and the exploration floor."""

    prior_accepts: float = 1.0
    prior_declines: float = 1.0
    exploration: float = EXPLORATION_FLOOR

    def __post_init__(self) -> None:
        if self.prior_accepts <= 0 or self.prior_declines <= 0:
            raise ValueError("prior: both Beta parameters must be positive")
        if not 0.0 <= self.exploration <= 1.0:
            raise ValueError(f"exploration must be between 0 and 1, got {self.exploration}")


DEFAULT_SETTINGS = ThompsonSettings()


def _draw(counts: ArmCounts, settings: ThompsonSettings, rng: random.Random) -> float:
    """One sample of the arm's acceptance rate from its Beta posterior."""
    accepts = settings.prior_accepts + counts.acceptances
    declines = settings.prior_declines + counts.impressions - counts.acceptances
    return rng.betavariate(accepts, declines)


def thompson_order(
    keys: Sequence[str],
    counts: Mapping[str, ArmCounts],
    rng: random.Random,
    settings: ThompsonSettings = DEFAULT_SETTINGS,
    values: Sequence[float] | None = None,
) -> list[int]:
    """Indexes of `keys` (the eligible candidates), best sampled acceptance times value first.

    `values` is what an acceptance earns per candidate (None: 1 each, acceptance alone), so a
    draw is a sample of the revenue one impression brings. With probability
    `settings.exploration` the order is a uniform shuffle instead (the floor). Ties between
    equal scores keep the given order, so the caller's ranking breaks them.
    """
    indexes = list(range(len(keys)))
    if len(indexes) < 2:
        return indexes
    if rng.random() < settings.exploration:
        rng.shuffle(indexes)
        return indexes
    worth = [1.0] * len(keys) if values is None else values
    draws = [
        _draw(counts.get(key, NO_COUNTS), settings, rng) * worth[i] for i, key in enumerate(keys)
    ]
    return sorted(indexes, key=lambda index: -draws[index])


def thompson_pick(
    keys: Sequence[str],
    eligible: Sequence[bool],
    counts: Mapping[str, ArmCounts],
    max_offers: int,
    rng: random.Random,
    settings: ThompsonSettings = DEFAULT_SETTINGS,
    values: Sequence[float] | None = None,
) -> list[str]:
    """At most `max_offers` of the eligible `keys`, in Thompson order; never an ineligible one."""
    if len(keys) != len(eligible) or (values is not None and len(values) != len(keys)):
        raise ValueError("keys, eligible and values must be the same length")
    allowed = [index for index, ok in enumerate(eligible) if ok]
    worth = None if values is None else [values[index] for index in allowed]
    order = thompson_order([keys[index] for index in allowed], counts, rng, settings, worth)
    return [keys[allowed[at]] for at in order[: max(max_offers, 0)]]
