"""What the checkout page template is given: totals for the ticked bumps, a quote per choice."""

from __future__ import annotations

import json
from typing import Any

from tactful.domain.checkout.display import quote_dict
from tactful.domain.money import Money
from tactful.services.checkout import CheckoutView
from tactful.services.checkout_pay import PayForm
from tactful.services.checkout_quote import choice_totals


def quotes_by_choice(view: CheckoutView) -> dict[str, dict[str, object]]:
    """Totals for each set of ticked bumps, keyed '', '1', '2', '1,2' (the page's first paint)."""
    table = {}
    for mask in range(1 << len(view.bumps)):
        picked = [n for n in range(len(view.bumps)) if mask >> n & 1]
        _, sums = choice_totals(view, [view.bumps[n].sku for n in picked])
        table[",".join(str(n + 1) for n in picked)] = quote_dict(view.cart.page.tax, sums)
    return table


def checkout_context(view: CheckoutView, form: PayForm, stripe: object) -> dict[str, Any]:
    """The template fields that depend on the cart and the customer's choice of bumps."""
    page = view.cart.page
    offered = {b.sku for b in view.bumps}
    ticked = tuple(sku for sku in form.bumps if sku in offered)
    _, sums = choice_totals(view, ticked)
    charges = {
        b.sku: Money(page.tax.charge_for(b.block.price.amount), page.currency) for b in view.bumps
    }
    return {
        "page": page,
        "cart": view.cart,
        "bumps": view.bumps,
        "totals": view.totals,
        "sums": sums,
        "form": form,
        "quotes": json.dumps(quotes_by_choice(view), separators=(",", ":")),
        "bump_charges": charges,
    }


def is_test_mode(stripe: object) -> bool:
    """Whether the page takes test payments: the test gateway, or Stripe with a test key."""
    if not stripe:
        return True
    key = str(stripe.get("publishable_key", "")) if isinstance(stripe, dict) else ""
    return key.startswith("pk_test_")
