"""Money as integer minor units with an ISO 4217 currency: never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Currencies whose minor unit is not 1/100 (ISO 4217 exponents).
_EXPONENTS = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
    "TND": 3,
}


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    return _EXPONENTS.get(currency.upper(), 2)


def check_currency(currency: str) -> str:
    """Return the currency code upper-cased, or raise if it is not three letters."""
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"currency must be a three-letter ISO 4217 code, got {currency!r}")
    return code


def parse_minor(text: str, currency: str) -> int:
    """Parse a decimal amount such as '2.55' into minor units (255), rounding half up."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    scaled = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (pence, cents) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        object.__setattr__(self, "currency", check_currency(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        """The amount for `quantity` units."""
        return Money(self.amount * quantity, self.currency)

    def decimal(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def format(self) -> str:
        """Human text such as '£12.00' or '12.00 CHF'."""
        symbol = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥"}.get(self.currency)
        places = exponent(self.currency)
        number = f"{self.decimal():,.{places}f}"
        return f"{symbol}{number}" if symbol else f"{number} {self.currency}"
