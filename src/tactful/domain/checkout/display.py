"""What the checkout pages say about prices and colours: pure wording and arithmetic.

Every price a customer sees must say what they will pay. On a page whose tax is added on top
(exclusive), each price carries a "+ VAT" label and the totals show the tax line; on an
inclusive page the total says how much tax it includes. The merchant's colour is adjusted
until its text passes WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tactful.domain.checkout.pricing import TaxConfig, TaxMode, Totals

AA_TEXT = 4.5
"""WCAG 2 AA minimum contrast for normal text."""
AA_UI = 3.0
"""WCAG 2 AA minimum contrast for interface components such as focus rings."""
WHITE = "#ffffff"
INK = "#1a1a1a"
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def rate_text(rate_bps: int) -> str:
    """A tax rate in basis points as people write it: 2000 -> '20%', 2197 -> '21.97%'."""
    percent = (Decimal(rate_bps) / 100).normalize()
    return f"{percent:f}%"


def price_suffix(tax: TaxConfig) -> str:
    """What follows every price on the page: '+ VAT' when tax is added on top, else ''."""
    if tax.mode is TaxMode.EXCLUSIVE and tax.rate_bps:
        return f"+ {tax.label}"
    return ""


def tax_line(tax: TaxConfig, sums: Totals) -> str:
    """The tax row's label: 'Includes VAT' (inclusive) or 'VAT (20%)' (added on top)."""
    if sums.mode is TaxMode.INCLUSIVE:
        return f"Includes {tax.label} ({rate_text(tax.rate_bps)})"
    return f"{tax.label} ({rate_text(tax.rate_bps)})"


def footer_note(tax: TaxConfig) -> str:
    """The page-wide sentence about what prices include, true for this page's tax."""
    if not tax.rate_bps:
        return "Prices include everything you pay: no fees are added at the end."
    if tax.mode is TaxMode.INCLUSIVE:
        return (
            f"Prices include {tax.label} ({rate_text(tax.rate_bps)}): no fees are added at the end."
        )
    return (
        f"Prices are shown before {tax.label}; {tax.label} ({rate_text(tax.rate_bps)}) is added "
        "in the total, which is everything you pay."
    )


def quote_dict(tax: TaxConfig, sums: Totals) -> dict[str, object]:
    """Totals as the page's script and the quote endpoint give them: minor units and text."""
    return {
        "currency": sums.total.currency,
        "subtotal": sums.subtotal.amount,
        "tax": sums.tax.amount,
        "total": sums.total.amount,
        "subtotal_text": sums.subtotal.format(),
        "tax_text": sums.tax.format(),
        "total_text": sums.total.format(),
        "tax_label": tax_line(tax, sums) if tax.rate_bps else "",
        "tax_mode": sums.mode.value,
    }


# --- colour -------------------------------------------------------------------------------


def _rgb(color: str) -> tuple[int, int, int]:
    match = _HEX.match(color.strip())
    if match is None:
        raise ValueError(f"not a hex colour: {color!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in rgb)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG relative luminance of a hex colour (0 black .. 1 white)."""
    r, g, b = (_channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two hex colours (1 .. 21)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@dataclass(frozen=True, slots=True)
class Palette:
    """The merchant's colour as used: `brand` for buttons and accents, `on_brand` for their text.

    `brand` is the merchant's colour, darkened only as far as needed for both white text on it
    and it as text on white to reach AA; `adjusted` says whether that was needed.
    """

    brand: str
    on_brand: str
    adjusted: bool

    @property
    def accent(self) -> str:
        """The colour for focus rings and borders on white: the brand's if it shows (3:1)."""
        return self.brand if contrast(self.brand, WHITE) >= AA_UI else INK

    @property
    def ratio(self) -> float:
        """Contrast of the button text on the brand colour."""
        return contrast(self.brand, self.on_brand)


def palette(color: str, *, minimum: float = AA_TEXT) -> Palette:
    """An accessible palette from the merchant's colour (invalid colours fall back to ink)."""
    try:
        rgb = _rgb(color)
    except ValueError:
        return Palette(INK, WHITE, True)
    original = _hex(rgb)
    if contrast(original, WHITE) >= minimum:
        return Palette(original, WHITE, False)
    if contrast(original, INK) >= minimum and luminance(original) > 0.5:
        # a light colour: dark text on it; as text on white it would fail, so it is only a fill
        return Palette(original, INK, False)
    for step in range(1, 21):  # darken in 5% steps until white text on it passes
        factor = 1 - step * 0.05
        darker = _hex((round(rgb[0] * factor), round(rgb[1] * factor), round(rgb[2] * factor)))
        if contrast(darker, WHITE) >= minimum:
            return Palette(darker, WHITE, True)
    return Palette(INK, WHITE, True)  # pragma: no cover - black always passes
