"""The sample storefront at /demo/shop: a few real products, a real customer and a cart.

It shows the widget at work on the demo data: the products are the best seller and what
the chosen customer bought before, the customer is a frequent one outside the holdout, and
the cart is a plain `SKU:QTY,SKU:QTY` text the page keeps in a cookie.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import count

from tactful.domain.catalog import Product
from tactful.domain.experiments import assign
from tactful.domain.money import Money
from tactful.domain.offers import OfferPolicy
from tactful.services.ports.storage import Database

FEATURED = 8
MAX_LINES = 50
MAX_QUANTITY = 99


@dataclass(frozen=True)
class CartLine:
    """A line of the demo cart, with what the page shows of its product."""

    product: Product
    quantity: int

    @property
    def total(self) -> Money:
        return Money(self.product.price.amount * self.quantity, self.product.price.currency)


@dataclass(frozen=True)
class ShopFront:
    """What every page of the demo shop needs: its customer and its products."""

    customer_id: str
    featured: tuple[Product, ...]


def read_cart(text: str) -> dict[str, int]:
    """`SKU:QTY,SKU` as {sku: quantity}; anything unreadable is left out."""
    lines: dict[str, int] = {}
    for item in text.split(",")[:MAX_LINES]:
        sku, _, quantity = item.strip().partition(":")
        amount = (
            int(quantity) if quantity.isascii() and quantity.isdigit() and len(quantity) < 9 else 1
        )
        if sku and amount > 0:
            lines[sku] = min(MAX_QUANTITY, lines.get(sku, 0) + amount)
    return lines


def write_cart(lines: dict[str, int]) -> str:
    """The cart as `SKU:QTY,...` text (the widget's `cart` attribute reads the same)."""
    return ",".join(f"{sku}:{quantity}" for sku, quantity in lines.items())


def add_to_cart(text: str, sku: str, quantity: int) -> str:
    """The cart text with `quantity` more of `sku` (at most 99 of one item)."""
    lines = read_cart(text)
    lines[sku] = min(MAX_QUANTITY, lines.get(sku, 0) + max(1, quantity))
    return write_cart(lines)


def shop_front(database: Database, holdout_share: float) -> ShopFront:
    """The demo customer (a frequent one not held out) and up to 8 products to show."""
    policy = OfferPolicy(holdout_share=holdout_share)

    def shown(customer: str) -> bool:
        return not assign(customer, policy.holdout_salt, policy.holdout_share)

    with database.transaction() as tx:
        frequent = [c for c in tx.orders.frequent_customers(50) if shown(c)]
        customer = (
            frequent[0]
            if frequent
            else next(f"shopper-{n}" for n in count() if shown(f"shopper-{n}"))
        )
        bought = Counter(line.sku for o in tx.orders.orders_of(customer) for line in o.lines)
        best = tx.orders.best_selling_sku()
        skus = ([best] if best else []) + [sku for sku, _ in bought.most_common(FEATURED * 2)]
        found = tx.catalog.get_products(skus)
        products = [found[sku] for sku in dict.fromkeys(skus) if sku in found]
        if not products:
            products = tx.catalog.all_products()
    return ShopFront(customer, tuple(p for p in products if p.active)[:FEATURED])


def product(database: Database, sku: str) -> Product | None:
    """One product, or None when the catalogue has no such SKU."""
    with database.transaction() as tx:
        return tx.catalog.get_products([sku]).get(sku)


def cart_lines(database: Database, text: str) -> list[CartLine]:
    """The cart's lines with their products; SKUs the catalogue lacks are left out."""
    wanted = read_cart(text)
    with database.transaction() as tx:
        found = tx.catalog.get_products(wanted)
    return [CartLine(found[sku], qty) for sku, qty in wanted.items() if sku in found]


def cart_total(lines: list[CartLine]) -> Money | None:
    """The sum of the lines (in the first line's currency), None for an empty cart."""
    if not lines:
        return None
    currency = lines[0].product.price.currency
    return Money(
        sum(line.total.amount for line in lines if line.total.currency == currency), currency
    )
