"""The checkout use cases on the in-memory ports: pay once, accept an upsell once, a receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tactful.adapters.memory import MemoryDatabase
from tactful.adapters.payments import MemoryGateway
from tactful.domain.catalog import Product, Sku
from tactful.domain.checkout import LinkTerms
from tactful.domain.clock import FixedClock
from tactful.domain.money import Money
from tactful.services.checkout import CheckoutDeps, create_link, find_page, save_page
from tactful.services.checkout_offers import OfferView, Receipt, accept, decline, funnel_view
from tactful.services.checkout_pay import PayForm, pay

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAGE = {
    "slug": "course",
    "title": "The course",
    "currency": "GBP",
    "items": [{"sku": "COURSE"}],
    "upsells": [{"sku": "WORKBOOK", "downsell": {"sku": "CHEATSHEET"}}],
}


@pytest.fixture
def deps() -> CheckoutDeps:
    clock = FixedClock(NOW)
    deps = CheckoutDeps(MemoryDatabase(), MemoryGateway(clock), clock, b"link-secret")
    products = [
        Product(Sku("COURSE"), "Course", Money(2900, "GBP")),
        Product(Sku("WORKBOOK"), "Workbook", Money(900, "GBP")),
        Product(Sku("CHEATSHEET"), "Cheat sheet", Money(400, "GBP")),
    ]
    with deps.database.transaction() as tx:
        tx.catalog.upsert_products(products, at=NOW - timedelta(days=60))
    save_page(deps, PAGE)
    return deps


def paid_order(deps: CheckoutDeps) -> str:
    link = create_link(deps, "https://shop.test", "course", LinkTerms(), timedelta(days=1))
    form = PayForm(
        link=urlsplit(link).query,
        email="Ann@Example.com",
        name="Ann",
        card_number="4242 4242 4242 4242",
        card_exp="12/30",
        card_cvc="123",
    )
    outcome = pay(deps, "course", form, "pay-key")
    assert (outcome.status, outcome.data) == ("paid", {"total": 2900, "currency": "GBP"})
    assert pay(deps, "course", form, "pay-key") == outcome  # a repeat is answered, not charged
    assert outcome.order_id is not None
    return outcome.order_id


def test_a_page_is_stored_and_found(deps: CheckoutDeps) -> None:
    page = find_page(deps, "course")
    assert page is not None
    assert page.title == "The course"
    assert find_page(deps, "missing") is None


def test_an_upsell_is_charged_once_whatever_the_key(deps: CheckoutDeps) -> None:
    order_id = paid_order(deps)
    view = funnel_view(deps, "course", order_id)
    assert isinstance(view, OfferView)
    assert (view.product.sku, view.card_label) == ("WORKBOOK", "Visa •4242")
    first = accept(deps, "course", order_id, view.offer_id, "accept-1")
    assert (first.status, first.data["total"]) == ("accepted", 3800)
    again = accept(deps, "course", order_id, view.offer_id, "accept-2")
    assert (again.status, again.charge_id) == ("already_accepted", first.charge_id)
    receipt = funnel_view(deps, "course", order_id)
    assert isinstance(receipt, Receipt)
    assert sorted(c.amount for c in receipt.charges) == [900, 2900]  # one clock tick
    assert receipt.funnel.totals.total == Money(3800, "GBP")
    assert isinstance(deps.gateway, MemoryGateway)
    assert len(deps.gateway.charges) == 2


def test_declining_moves_on_to_the_downsell(deps: CheckoutDeps) -> None:
    order_id = paid_order(deps)
    assert decline(deps, "course", order_id, f"{order_id}-u1").status == "declined"
    view = funnel_view(deps, "course", order_id)
    assert isinstance(view, OfferView)
    assert (view.offer_id, view.product.sku) == (f"{order_id}-d1", "CHEATSHEET")
