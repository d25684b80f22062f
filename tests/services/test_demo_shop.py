"""The demo shop's cart text and storefront, on every database implementation."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Product, Sku
from tactful.domain.experiments import assign
from tactful.domain.money import Money
from tactful.domain.offers import OfferPolicy
from tactful.services import demo_shop
from tactful.services.ports.storage import Database

skus = st.text(alphabet="ABCXYZ0123456789_-", min_size=1, max_size=8)


@given(st.dictionaries(skus, st.integers(1, 99), max_size=10))
def test_cart_text_round_trips(lines: dict[str, int]) -> None:
    assert demo_shop.read_cart(demo_shop.write_cart(lines)) == lines


def test_adding_sums_quantities_and_caps_them() -> None:
    text = demo_shop.add_to_cart("A:2", "A", 3)
    assert demo_shop.read_cart(text) == {"A": 5}
    assert demo_shop.read_cart(demo_shop.add_to_cart(text, "A", 500)) == {"A": 99}
    assert demo_shop.read_cart("B, :3,C:x,,D:0") == {"B": 1, "C": 1}


def test_the_front_shows_products_to_a_customer_outside_the_holdout(database: Database) -> None:
    products = [Product(Sku(f"P{n}"), f"Product {n}", Money(100 + n, "GBP")) for n in range(12)]
    with database.transaction() as tx:
        tx.catalog.upsert_products(products, at=datetime(2026, 1, 1, tzinfo=UTC))
    front = demo_shop.shop_front(database, holdout_share=0.5)
    policy = OfferPolicy(holdout_share=0.5)
    assert not assign(front.customer_id, policy.holdout_salt, 0.5)
    assert len(front.featured) == demo_shop.FEATURED
    lines = demo_shop.cart_lines(database, "P1:2,NOPE,P3")
    assert [(line.product.sku, line.quantity) for line in lines] == [("P1", 2), ("P3", 1)]
    assert demo_shop.cart_total(lines) == Money(2 * 101 + 103, "GBP")
    assert demo_shop.cart_total([]) is None
