"""The totals of a checkout for a choice of bumps and quantity, computed by the server.

The checkout page's script asks for a quote on every change (a ticked bump, a new quantity),
so the tax line, the total and the pay button always show what would be charged; the same
arithmetic prices the payment itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tactful.domain.checkout import PricedLine, Totals, totals
from tactful.domain.checkout.display import price_suffix, quote_dict
from tactful.services.checkout import CheckoutDeps, CheckoutView, view_checkout

__all__ = ["Quote", "choice_totals", "quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """The priced lines and totals for one choice, and what in the request was left out."""

    view: CheckoutView
    lines: tuple[PricedLine, ...]
    totals: Totals
    ignored_bumps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON answer of GET /c/{slug}/quote."""
        page = self.view.cart.page
        suffix = price_suffix(page.tax)
        return {
            "quantity": self.view.cart.quantity,
            "quantity_problem": self.view.prefill.quantity_problem or None,
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price.amount,
                    "amount": line.amount.amount,
                    "unit_text": line.unit_price.format(),
                    "amount_text": line.amount.format(),
                }
                for line in self.lines
            ],
            "price_suffix": suffix,
            "ignored_bumps": list(self.ignored_bumps),
            **quote_dict(page.tax, self.totals),
        }


def choice_totals(view: CheckoutView, skus: Sequence[str]) -> tuple[list[PricedLine], Totals]:
    """The lines and totals of `view`'s cart with the offered bumps named in `skus`."""
    page = view.cart.page
    wanted = set(skus)
    lines = view.cart.priced + [
        PricedLine(b.sku, b.name, 1, b.block.price) for b in view.bumps if b.sku in wanted
    ]
    return lines, totals(lines, page.tax, page.currency)


def quote(deps: CheckoutDeps, slug: str, query: Mapping[str, str], bumps: Sequence[str]) -> Quote:
    """A quote for a link (its query, with an optional unsigned `quantity`) and ticked bumps.

    Raises what `view_checkout` raises: CheckoutNotFoundError, InvalidLink.
    """
    view = view_checkout(deps, slug, query)
    offered = {b.sku for b in view.bumps}
    lines, sums = choice_totals(view, bumps)
    ignored = tuple(dict.fromkeys(sku for sku in bumps if sku not in offered))
    return Quote(view, tuple(lines), sums, ignored)
