"""Hosted checkout use cases: define pages, show a page for a (signed) link, price a cart."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tactful.domain.catalog import Product, Sku
from tactful.domain.checkout import (
    CheckoutPage,
    LinkTerms,
    PageError,
    PaymentGateway,
    Prefill,
    PriceBlock,
    PricedLine,
    Totals,
    catalogue_problems,
    parse_page,
    prefill,
    price_block,
    read_page,
    sign_link,
    totals,
    verify_link,
)
from tactful.domain.checkout.page_payments import PagePaymentGateway
from tactful.domain.clock import Clock
from tactful.domain.money import Money
from tactful.services.ports.storage import Database, Transaction

_log = logging.getLogger(__name__)


class CheckoutNotFoundError(LookupError):
    """No such page, order or product on sale."""


@dataclass(frozen=True, slots=True)
class EngineBump:
    """An order bump the offer engine chose for a cart."""

    sku: str
    headline: str | None = None
    reason: str | None = None
    offer_id: str | None = None
    price: Money | None = None
    """The engine's price when an experiment arm cut it (a discount variant), else None."""


BumpSource = Callable[[CheckoutPage, Sequence[str], str | None], Sequence[EngineBump]]
"""Picks order bumps for a page's cart (its SKUs) and customer."""


@dataclass
class CheckoutDeps:
    """What checkout use cases need; entry points wire it once."""

    database: Database
    gateway: PaymentGateway
    clock: Clock
    link_secret: bytes
    bump_source: BumpSource | None = None
    page_gateway: PagePaymentGateway | None = None  # set when cards are taken in the page


@dataclass(frozen=True, slots=True)
class LineView:
    """A line of the cart as shown."""

    line: PricedLine
    block: PriceBlock
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class BumpView:
    """An order bump as shown: outcome headline, reason, price and the total it would make."""

    sku: str
    name: str
    headline: str
    reason: str | None
    block: PriceBlock
    total_with: Money
    offer_id: str | None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class Cart:
    """The main lines a link buys, priced by the server."""

    page: CheckoutPage
    lines: tuple[LineView, ...]
    quantity: int
    quantity_editable: bool

    @property
    def priced(self) -> list[PricedLine]:
        """The lines without their display blocks."""
        return [view.line for view in self.lines]


@dataclass(frozen=True, slots=True)
class CheckoutView:
    """Everything the checkout page shows."""

    cart: Cart
    bumps: tuple[BumpView, ...]
    totals: Totals
    prefill: Prefill

    def totals_by_choice(self) -> dict[str, Money]:
        """The total for each set of ticked bumps, keyed '', '1', '2', '1,2'."""
        page = self.cart.page
        choices: dict[str, Money] = {}
        for mask in range(1 << len(self.bumps)):
            picked = [n for n in range(len(self.bumps)) if mask >> n & 1]
            lines = self.cart.priced + [
                PricedLine(self.bumps[n].sku, self.bumps[n].name, 1, self.bumps[n].block.price)
                for n in picked
            ]
            key = ",".join(str(n + 1) for n in picked)
            choices[key] = totals(lines, page.tax, page.currency).total
        return choices


def create_link(
    deps: CheckoutDeps,
    base_url: str,
    slug: str,
    terms: LinkTerms,
    ttl: timedelta,
) -> str:
    """A signed URL for a stored page (CheckoutNotFoundError if it does not exist)."""
    with deps.database.transaction() as tx:
        page = load_page(tx, slug)
        build_cart(tx, page, terms, None, deps.clock.now())
    query = sign_link(deps.link_secret, slug, terms, now=deps.clock.now(), ttl=ttl)
    return f"{base_url.rstrip('/')}/c/{slug}?{urlencode(query)}"


def save_page(deps: CheckoutDeps, definition: Mapping[str, Any]) -> tuple[CheckoutPage, bool]:
    """Validate and store a page; returns it and whether it was new (PageError if invalid)."""
    try:
        return save_pages(deps, [definition])[0]
    except PagesError as exc:
        raise exc.errors[0] from None


class PagesError(ValueError):
    """Some definitions of a batch are invalid: their PageErrors by position; none was saved."""

    def __init__(self, errors: Mapping[int, PageError]) -> None:
        super().__init__("; ".join(f"page {n + 1}: {e}" for n, e in errors.items()))
        self.errors = dict(errors)


def save_pages(
    deps: CheckoutDeps, definitions: Sequence[Mapping[str, Any]]
) -> list[tuple[CheckoutPage, bool]]:
    """Store every page or none: each is checked, SKUs against the catalogue, before any save."""
    with deps.database.transaction() as tx:
        pages: dict[int, CheckoutPage] = {}
        errors: dict[int, PageError] = {}
        for n, definition in enumerate(definitions):
            try:
                pages[n] = checked_page(tx, definition)
            except PageError as exc:
                errors[n] = exc
        errors.update(_repeated_slugs(pages))
        if errors:
            raise PagesError(dict(sorted(errors.items())))
        now = deps.clock.now()
        return [(p, tx.checkout.save_page(p.slug, p.to_dict(), at=now)) for p in pages.values()]


def checked_page(tx: Transaction, definition: Mapping[str, Any]) -> CheckoutPage:
    """A valid page whose SKUs are all in the catalogue, or a PageError with every problem."""
    draft = read_page(definition)
    products = tx.catalog.get_products(list(dict.fromkeys(ref.sku for ref in draft.skus)))
    problems = [*draft.problems, *catalogue_problems(draft.skus, products, draft.currency)]
    if problems or draft.page is None:
        raise PageError.of(problems)
    return draft.page


def _repeated_slugs(pages: Mapping[int, CheckoutPage]) -> dict[int, PageError]:
    """A batch that defines one slug twice would keep only the last definition: refuse it."""
    seen: set[str] = set()
    repeated = {}
    for n, page in pages.items():
        if page.slug in seen:
            repeated[n] = PageError("slug", f"{page.slug!r} is defined twice in this batch")
        seen.add(page.slug)
    return repeated


def get_page(deps: CheckoutDeps, slug: str) -> CheckoutPage:
    """A stored page, or CheckoutNotFoundError."""
    with deps.database.transaction() as tx:
        return load_page(tx, slug)


def find_page(deps: CheckoutDeps, slug: str) -> CheckoutPage | None:
    """A stored page, or None (for pages that show an error in the page's own branding)."""
    try:
        return get_page(deps, slug)
    except CheckoutNotFoundError:
        return None


def load_page(tx: Transaction, slug: str) -> CheckoutPage:
    """A stored page read in `tx`, or CheckoutNotFoundError."""
    definition = tx.checkout.load_page(slug)
    if definition is None:
        raise CheckoutNotFoundError(f"no checkout page {slug!r}")
    return parse_page(definition)


def build_cart(
    tx: Transaction, page: CheckoutPage, terms: LinkTerms, quantity: int | None, now: datetime
) -> Cart:
    """The main lines: the page's items, with what a signed link sets; prices from the server."""
    items = [(Sku(terms.sku), 1)] if terms.sku else [(i.sku, i.quantity) for i in page.items]
    editable = terms.quantity is None and page.max_quantity > 1
    first_quantity = terms.quantity or (quantity if editable and quantity else items[0][1])
    items[0] = (items[0][0], first_quantity)
    products = _on_sale(tx, page, [sku for sku, _ in items])
    history = tx.catalog.price_history(list(products))
    lines = []
    for n, (sku, count) in enumerate(items):
        product = products[sku]
        link_price = (
            Money(terms.price, page.currency) if n == 0 and terms.price is not None else None
        )
        block = price_block(product, history.get(sku, []), now, link_price)
        line = PricedLine(sku, product.name, count, block.price)
        lines.append(LineView(line, block, product.image_url))
    return Cart(page, tuple(lines), first_quantity, editable)


def _on_sale(tx: Transaction, page: CheckoutPage, skus: Sequence[str]) -> dict[str, Product]:
    products = tx.catalog.get_products(skus)
    for sku in skus:
        product = products.get(sku)
        if product is None or not product.active:
            raise CheckoutNotFoundError(f"product {sku!r} is not on sale")
        if product.price.currency != page.currency:
            raise CheckoutNotFoundError(f"product {sku!r} is not priced in {page.currency}")
    return products


def offered_bumps(
    deps: CheckoutDeps, tx: Transaction, cart: Cart, customer_id: str | None, now: datetime
) -> tuple[BumpView, ...]:
    """Up to two bumps: the page's explicit ones, then engine-chosen ones for its engine slots."""
    in_cart = {line.sku for line in cart.priced}
    wanted: list[EngineBump] = [
        EngineBump(b.sku, b.headline, b.reason) for b in cart.page.bumps if b.sku is not None
    ]
    slots = sum(1 for b in cart.page.bumps if b.from_engine)
    if slots and deps.bump_source is not None:
        wanted.extend(_engine_picks(deps.bump_source, cart, customer_id)[:slots])
    wanted = [b for b in wanted if b.sku not in in_cart][:2]
    products = tx.catalog.get_products([b.sku for b in wanted])
    history = tx.catalog.price_history(list(products))
    base = cart.priced
    views = []
    for bump in wanted:
        product = products.get(bump.sku)
        if product is None or not product.active or product.price.currency != cart.page.currency:
            continue
        block = price_block(product, history.get(bump.sku, []), now, engine_price(bump, product))
        line = PricedLine(product.sku, product.name, 1, block.price)
        total_with = totals([*base, line], cart.page.tax, cart.page.currency).total
        headline = bump.headline or product.outcome or f"Add {product.name}"
        views.append(
            BumpView(
                product.sku,
                product.name,
                headline,
                bump.reason,
                block,
                total_with,
                bump.offer_id,
                product.image_url,
            )
        )
    return tuple(views)


def engine_price(bump: EngineBump, product: Product) -> Money | None:
    """The engine's discounted price, charged as shown (with no 'was' price); only ever a
    cut below the catalogue price."""
    price = bump.price
    if price is None or price.currency != product.price.currency:
        return None
    return price if price.amount < product.price.amount else None


def _engine_picks(source: BumpSource, cart: Cart, customer_id: str | None) -> list[EngineBump]:
    """The engine's picks; a failing engine leaves its slots empty rather than the page broken."""
    try:
        return list(source(cart.page, sorted(line.sku for line in cart.priced), customer_id))
    except Exception:
        _log.exception(
            "offer engine failed for checkout page %s; engine bumps left out", cart.page.slug
        )
        return []


def view_checkout(deps: CheckoutDeps, slug: str, query: Mapping[str, str]) -> CheckoutView:
    """The checkout page for a link; InvalidLink for tampered, unsigned or expired terms."""
    now = deps.clock.now()
    with deps.database.transaction() as tx:
        page = load_page(tx, slug)
        terms = verify_link(deps.link_secret, slug, query, now=now)
        fill = prefill(
            query, max_quantity=page.max_quantity, quantity_signed=terms.quantity is not None
        )
        cart = build_cart(tx, page, terms, fill.quantity, now)
        bumps = offered_bumps(deps, tx, cart, terms.customer, now)
    return CheckoutView(
        cart=cart,
        bumps=bumps,
        totals=totals(cart.priced, page.tax, page.currency),
        prefill=fill,
    )
