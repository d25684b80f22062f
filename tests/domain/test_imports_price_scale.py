"""The price-unit warning: a file 100x off from the catalogue is noticed, a real change is not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.imports import price_scale_warning
from tactful.domain.money import Money


def gbp(amount: int) -> Money:
    return Money(amount, "GBP")


@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=20))
def test_prices_times_100_warn_and_divided_by_100_warn_the_other_way(prices: list[int]) -> None:
    catalogue = [gbp(p) for p in prices]
    higher = price_scale_warning((gbp(p * 100), c) for p, c in zip(prices, catalogue, strict=True))
    lower = price_scale_warning((c, gbp(p * 100)) for p, c in zip(prices, catalogue, strict=True))
    assert higher is not None
    assert "100x higher" in higher
    assert "--price-unit minor" in higher
    assert lower is not None
    assert "100x lower" in lower
    assert "--price-unit decimal" in lower


@given(st.lists(st.tuples(st.integers(1, 10**7), st.integers(1, 49)), min_size=1, max_size=20))
def test_changes_short_of_50x_do_not_warn(pairs: list[tuple[int, int]]) -> None:
    assert price_scale_warning((gbp(p * f), gbp(p)) for p, f in pairs) is None
    assert price_scale_warning((gbp(p), gbp(p * f)) for p, f in pairs) is None


def test_the_median_decides_and_free_or_foreign_prices_are_left_out() -> None:
    one_odd = [(gbp(100_00), gbp(100)), (gbp(120), gbp(100)), (gbp(90), gbp(100))]
    assert price_scale_warning(one_odd) is None
    assert price_scale_warning([(gbp(0), gbp(100)), (Money(100_00, "EUR"), gbp(100))]) is None
    assert price_scale_warning([]) is None
