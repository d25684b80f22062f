"""The parameters of one mining run, validated once so every engine can trust them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_LEN_LIMIT = 6

# Our counting never enumerates the subsets of a basket (the cause of mlxtend #909's blow-up):
# pair counting costs size**2 per basket and itemset counting uses per-item bitsets, so a large
# basket only costs memory in the all-pairs co-occurrence matrix. 2,000 distinct items bounds
# one basket to 2M pair increments (~16 MB) and sits above the largest real basket we have
# (Online Retail: 1,109 items; 49 baskets above 500, 626 above 100), so real results are unchanged.
DEFAULT_MAX_BASKET_SIZE = 2_000

# The offer engine shows at most a few cross-sells per item and only those whose lift clears
# its floor (OfferPolicy.min_lift, 1.0: better than chance), so rules past these add nothing
# but memory (min_support 0.005 on Online Retail derived 3,015,961 of them).
DEFAULT_TOP_K = 20
DEFAULT_MIN_LIFT = 1.0


class Level(StrEnum):
    """What one 'basket' is: one order, or what one customer bought within a window."""

    BASKET = "basket"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class MiningConfig:
    """Thresholds and options of a mining run.

    Itemsets hold `min_len`..`max_len` items; rules have a single-item consequent, so the
    default `max_len` 3 gives antecedents of one or two items. `half_life_days` weights each
    basket by 0.5 ** (age / half_life) relative to the newest basket. Baskets with more than
    `max_basket_size` distinct items keep only their `max_basket_size` most popular items.
    Only rules the offer engine can use are kept: lift above `min_lift`, and per antecedent the
    `top_k` best consequents (highest confidence first; None keeps them all).
    """

    min_support: float = 0.01
    min_confidence: float = 0.1
    max_len: int = 3
    min_len: int = 2
    level: Level = Level.BASKET
    window_days: float = 90.0
    half_life_days: float | None = None
    min_cooccurrence: float = 2.0
    top_neighbours: int = 50
    max_basket_size: int = DEFAULT_MAX_BASKET_SIZE
    top_k: int | None = DEFAULT_TOP_K
    min_lift: float = DEFAULT_MIN_LIFT

    def __post_init__(self) -> None:
        for name in ("min_support", "min_confidence"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value!r}")
        if not 2 <= self.max_len <= MAX_LEN_LIMIT:
            raise ValueError(f"max_len must be between 2 and {MAX_LEN_LIMIT}, got {self.max_len}")
        if not 2 <= self.min_len <= self.max_len:
            raise ValueError(f"min_len must be between 2 and max_len, got {self.min_len}")
        try:
            object.__setattr__(self, "level", Level(self.level))
        except ValueError:
            raise ValueError(f"level must be 'basket' or 'customer', got {self.level!r}") from None
        _positive("window_days", self.window_days)
        if self.half_life_days is not None:
            _positive("half_life_days", self.half_life_days)
        _positive("min_cooccurrence", self.min_cooccurrence)
        if self.top_neighbours < 1:
            raise ValueError(f"top_neighbours must be at least 1, got {self.top_neighbours}")
        if self.max_basket_size < 2:
            raise ValueError(f"max_basket_size must be at least 2, got {self.max_basket_size}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {self.top_k}")
        if not self.min_lift >= 0:
            raise ValueError(f"min_lift must be 0 or more, got {self.min_lift!r}")

    @property
    def weighted(self) -> bool:
        """Whether counts are recency-weighted floats rather than integers."""
        return self.half_life_days is not None


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
