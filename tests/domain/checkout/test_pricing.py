"""Totals add up to exactly what is charged; 'was' prices only when lawful."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import PricePoint, Product, Sku
from tactful.domain.checkout import PricedLine, TaxConfig, TaxMode, price_block, totals
from tactful.domain.money import Money

NOW = datetime(2026, 3, 1, tzinfo=UTC)
lines_st = st.lists(
    st.builds(
        PricedLine,
        st.just("S"),
        st.just("S"),
        st.integers(1, 5),
        st.integers(0, 10**6).map(lambda a: Money(a, "GBP")),
    ),
    min_size=1,
    max_size=6,
)
tax_st = st.builds(TaxConfig, st.sampled_from(list(TaxMode)), st.integers(0, 5000))


@given(lines_st, tax_st)
def test_total_is_the_sum_of_line_charges(lines: list[PricedLine], tax: TaxConfig) -> None:
    result = totals(lines, tax, "GBP")
    assert result.total.amount == sum(tax.charge_for(line.amount.amount) for line in lines)
    if tax.mode is TaxMode.INCLUSIVE:
        assert result.total == result.subtotal
        assert 0 <= result.tax.amount <= result.subtotal.amount
    else:
        assert result.total == result.subtotal + result.tax


def test_tax_examples() -> None:
    assert TaxConfig(TaxMode.INCLUSIVE, 2000).tax_of(1200) == 200
    assert TaxConfig(TaxMode.EXCLUSIVE, 2000).charge_for(1000) == 1200
    assert TaxConfig(TaxMode.EXCLUSIVE, 0).charge_for(999) == 999


def _course(compare_at: int | None) -> Product:
    return Product(
        Sku("C"),
        "Course",
        Money(2900, "GBP"),
        compare_at=Money(compare_at, "GBP") if compare_at else None,
    )


def test_was_price_shown_only_when_it_was_the_lowest_prior_price() -> None:
    history = [
        PricePoint(Sku("C"), Money(3900, "GBP"), NOW - timedelta(days=60)),
        PricePoint(Sku("C"), Money(2900, "GBP"), NOW - timedelta(days=5)),
    ]
    lawful = price_block(_course(3900), history, NOW)
    assert lawful.compare_at == Money(3900, "GBP")
    assert lawful.savings == Money(1000, "GBP")
    assert price_block(_course(4900), history, NOW).compare_at is None
    assert price_block(_course(3900), history[1:], NOW).compare_at is None


def test_link_price_never_shows_a_was_price() -> None:
    history = [
        PricePoint(Sku("C"), Money(3900, "GBP"), NOW - timedelta(days=60)),
        PricePoint(Sku("C"), Money(2900, "GBP"), NOW - timedelta(days=5)),
    ]
    block = price_block(_course(3900), history, NOW, Money(1900, "GBP"))
    assert block.price == Money(1900, "GBP")
    assert block.compare_at is None
