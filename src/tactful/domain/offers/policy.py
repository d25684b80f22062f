"""The merchant's respect policy: every default of the offer engine in one frozen value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from tactful.domain.catalog import ProductKind
from tactful.domain.offers.moments import Moment, OfferKind

ALLOCATIONS = ("ranked", "thompson")
"""How one anchor's eligible candidates are ordered: by the ranking, or by Thompson sampling."""

TimingTable = Mapping[tuple[ProductKind, OfferKind], frozenset[Moment]]

_DEFAULT_TIMING: TimingTable = MappingProxyType(
    {
        (ProductKind.DIGITAL, OfferKind.CROSS_SELL): frozenset(
            {Moment.POST_PURCHASE, Moment.EMAIL}
        ),
        (ProductKind.SUBSCRIPTION, OfferKind.UPSELL): frozenset(
            {Moment.USAGE_LIMIT, Moment.RENEWAL, Moment.IN_APP}
        ),
        (ProductKind.EVENT, OfferKind.CROSS_SELL): frozenset(
            {Moment.CHECKOUT, Moment.POST_PURCHASE, Moment.EMAIL}
        ),
    }
)


def default_timing() -> TimingTable:
    """Moments allowed per (kind of the item the offer is for, offer kind); absent = any."""
    return _DEFAULT_TIMING


@dataclass(frozen=True)
class OfferPolicy:
    """Configurable guardrail thresholds; the defaults follow the respect policy."""

    max_offers: int = 2
    min_co_purchases: int = 5
    min_lift: float = 1.0
    price_ceiling: float = 1.25
    in_progress_max_increase: float = 0.25
    modal_confidence_floor: float = 0.5
    timing: TimingTable = field(default_factory=default_timing)
    cooldown: timedelta = timedelta(days=14)
    stronger_signal_margin: float = 0.5
    budget: int = 6
    budget_window: timedelta = timedelta(days=7)
    upgrade_quiet_period: timedelta = timedelta(days=30)
    social_proof_min_sample: int = 30
    holdout_share: float = 0.05
    holdout_salt: str = "holdout"
    annual_min_tenure: timedelta = timedelta(days=60)
    recent_purchase_window: timedelta = timedelta(days=30)
    cross_sells_per_item: int = 5
    max_candidates: int = 12
    upgrades_per_item: int = 2
    decline_label: str = "No thanks"
    headline_style: str = "outcome"
    """`outcome`: the product's outcome line (or one written from why it is offered);
    `plain`: just what is added (an experiment's headline variant)."""
    discount_percent: int = 0
    """A real cut of every offer's price (an experiment's discount variant); 0: none."""
    allocation: str = "ranked"
    """`ranked`: one anchor's eligible candidates in ranking order; `thompson`: in Thompson
    order from their acceptances (domain/offers/thompson.py; an experiment's opt-in)."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_offers <= 2:
            raise ValueError(f"max_offers must be between 0 and 2, got {self.max_offers}")
        for name in ("holdout_share", "in_progress_max_increase", "modal_confidence_floor"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for name in ("min_co_purchases", "budget", "social_proof_min_sample", "max_candidates"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.cross_sells_per_item < 0 or self.upgrades_per_item < 0:
            raise ValueError("per-item candidate limits must not be negative")
        if self.price_ceiling < 0 or self.stronger_signal_margin < 0:
            raise ValueError("price_ceiling and stronger_signal_margin must not be negative")
        if self.headline_style not in ("outcome", "plain"):
            raise ValueError(f"headline_style must be outcome or plain, got {self.headline_style}")
        if self.allocation not in ALLOCATIONS:
            raise ValueError(f"allocation must be ranked or thompson, got {self.allocation}")
        if not 0 <= self.discount_percent <= 90:
            raise ValueError(
                f"discount_percent must be between 0 and 90, got {self.discount_percent}"
            )
        if not self.decline_label.strip():
            raise ValueError("decline_label must not be empty")


DEFAULT_POLICY = OfferPolicy()
"""The respect policy's defaults, one shared (immutable) instance."""
