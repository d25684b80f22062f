"""Bad thresholds and bad baskets are refused with a message naming the field."""

from __future__ import annotations

import numpy as np
import pytest

from tactful.domain.affinity import Baskets, MiningConfig, count_itemsets, mine


@pytest.mark.parametrize("field", ["min_support", "min_confidence"])
@pytest.mark.parametrize("value", [0.0, -0.1, 1.5, float("nan")])
def test_thresholds_outside_zero_one_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        MiningConfig(**{field: value})


def test_threshold_of_exactly_one_is_allowed() -> None:
    assert MiningConfig(min_support=1.0, min_confidence=1.0).min_support == 1.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_len": 1}, "max_len"),
        ({"max_len": 3, "min_len": 4}, "min_len"),
        ({"level": "household"}, "level"),
        ({"window_days": 0}, "window_days"),
        ({"half_life_days": -3}, "half_life_days"),
        ({"max_basket_size": 1}, "max_basket_size"),
    ],
)
def test_other_bad_options_name_their_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        MiningConfig(**kwargs)  # type: ignore[arg-type]


def test_empty_basket_is_refused_with_its_number() -> None:
    with pytest.raises(ValueError, match="basket 2 is empty"):
        Baskets.from_lists([["a"], [], ["b"]])


def test_no_baskets_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="no baskets"):
        count_itemsets(Baskets.from_lists([]), MiningConfig())
    with pytest.raises(ValueError, match="no baskets"):
        mine(Baskets.from_lists([]), MiningConfig())


def test_customer_level_without_customers_or_times_is_refused() -> None:
    baskets = Baskets.from_lists([["a", "b"]])
    with pytest.raises(ValueError, match="customers"):
        mine(baskets, MiningConfig(level="customer"))  # type: ignore[arg-type]
    with_customers = Baskets(
        items=baskets.items,
        indptr=baskets.indptr,
        indices=baskets.indices,
        customers=np.array([1]),
    )
    with pytest.raises(ValueError, match="times"):
        mine(with_customers, MiningConfig(level="customer"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        mine(baskets, MiningConfig(half_life_days=30))
