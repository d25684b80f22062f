"""What the pages say about prices and how the merchant's colour is made readable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.checkout import PricedLine, TaxConfig, TaxMode, totals
from tactful.domain.checkout.display import (
    AA_TEXT,
    AA_UI,
    WHITE,
    contrast,
    footer_note,
    palette,
    price_suffix,
    quote_dict,
    rate_text,
    tax_line,
)
from tactful.domain.money import Money

INCLUSIVE = TaxConfig(TaxMode.INCLUSIVE, 2000, "VAT")
EXCLUSIVE = TaxConfig(TaxMode.EXCLUSIVE, 2000, "VAT")


@pytest.mark.parametrize(
    ("bps", "text"), [(2000, "20%"), (2197, "21.97%"), (550, "5.5%"), (0, "0%"), (1, "0.01%")]
)
def test_rate_text_keeps_every_digit(bps: int, text: str) -> None:
    assert rate_text(bps) == text


def test_exclusive_prices_say_plus_tax_and_inclusive_ones_do_not() -> None:
    assert price_suffix(EXCLUSIVE) == "+ VAT"
    assert price_suffix(TaxConfig(TaxMode.EXCLUSIVE, 2000, "GST")) == "+ GST"
    assert price_suffix(INCLUSIVE) == ""
    assert price_suffix(TaxConfig(TaxMode.EXCLUSIVE, 0)) == ""


def test_footer_never_claims_prices_include_tax_that_is_added() -> None:
    assert "shown before VAT" in footer_note(EXCLUSIVE)
    assert "include" not in footer_note(EXCLUSIVE).split(";")[0]
    assert footer_note(INCLUSIVE).startswith("Prices include VAT (20%)")
    assert "everything you pay" in footer_note(TaxConfig())


def test_quote_after_a_bump_recomputes_the_inclusive_tax() -> None:
    """The issue's case: £95 + £19 bump, 20% inclusive: the tax is £19.00, not £16.50."""
    lines = [
        PricedLine("A", "A", 1, Money(9500, "GBP")),
        PricedLine("B", "B", 1, Money(1900, "GBP")),
    ]
    sums = totals(lines, INCLUSIVE, "GBP")
    quote = quote_dict(INCLUSIVE, sums)
    assert quote["total_text"] == "£114.00"
    assert quote["tax_text"] == "£19.00"
    assert quote["tax_label"] == "Includes VAT (20%)"
    assert tax_line(EXCLUSIVE, totals(lines, EXCLUSIVE, "GBP")) == "VAT (20%)"


def test_exclusive_quote_adds_the_tax_to_the_total() -> None:
    lines = [
        PricedLine("A", "A", 1, Money(89900, "GBP")),
        PricedLine("B", "B", 1, Money(1900, "GBP")),
    ]
    quote = quote_dict(EXCLUSIVE, totals(lines, EXCLUSIVE, "GBP"))
    assert (quote["subtotal"], quote["tax"], quote["total"]) == (91800, 18360, 110160)


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_palette_always_passes_aa(color: str) -> None:
    chosen = palette(color)
    assert chosen.ratio >= AA_TEXT
    assert contrast(chosen.accent, WHITE) >= AA_UI


def test_palette_keeps_a_colour_that_already_passes_and_darkens_one_that_does_not() -> None:
    assert palette("#0b5394") == palette("#0B5394")
    assert not palette("#0b5394").adjusted
    assert palette("#0b5394").on_brand == WHITE
    light = palette("#ffd400")  # yellow: dark text on it, never white
    assert light.on_brand != WHITE
    assert not light.adjusted
    mid = palette("#3b82f6")  # a mid blue fails white text (3.7:1): darkened just enough
    assert mid.adjusted
    assert mid.on_brand == WHITE
    assert contrast(mid.brand, WHITE) >= AA_TEXT
    assert palette("not a colour").ratio >= AA_TEXT
    assert palette("#abc").brand == "#aabbcc" or palette("#abc").adjusted
