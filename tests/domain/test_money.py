"""Money: integer minor units, exact parsing, no mixing of currencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.money import Money, parse_minor


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("2.55", "GBP", 255),
        ("0.005", "EUR", 1),
        ("12", "USD", 1200),
        ("1500", "JPY", 1500),
        ("1.2345", "KWD", 1235),
        (" 3.10 ", "gbp", 310),
        ("-1.50", "EUR", -150),
    ],
)
def test_parse_minor(text: str, currency: str, minor: int) -> None:
    assert parse_minor(text, currency) == minor


@pytest.mark.parametrize("text", ["", "abc", "2,55", "NaN", "inf"])
def test_parse_minor_refuses_non_amounts(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_minor(text, "EUR")


def test_arithmetic_and_currency_mismatch() -> None:
    a, b = Money(250, "eur"), Money(100, "EUR")
    assert a.currency == "EUR"
    assert a + b == Money(350, "EUR")
    assert a - b == Money(150, "EUR")
    assert b.times(3) == Money(300, "EUR")
    with pytest.raises(ValueError, match="cannot combine EUR with GBP"):
        _ = a + Money(1, "GBP")


def test_money_refuses_floats_and_bad_codes() -> None:
    with pytest.raises(TypeError):
        Money(2.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="three-letter"):
        Money(1, "EURO")


def test_format() -> None:
    assert Money(123456, "GBP").format() == "£1,234.56"
    assert Money(1200, "CHF").format() == "12.00 CHF"
    assert Money(500, "JPY").format() == "¥500"


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_addition_is_exact(x: int, y: int) -> None:
    assert (Money(x, "EUR") + Money(y, "EUR")).amount == x + y
    assert parse_minor(str(Money(x, "EUR").decimal()), "EUR") == x
