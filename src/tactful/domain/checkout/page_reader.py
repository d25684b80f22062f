"""Reading a page definition (JSON or YAML): every problem at once, and the SKUs it names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tactful.domain.catalog import Product, Sku
from tactful.domain.checkout.page_fields import (
    PageError,
    PageProblem,
    Problems,
    choice,
    entries,
    mapping,
    opt_text,
    text,
    whole,
)
from tactful.domain.checkout.pages import (
    DEFAULT_OFFER_EXPIRY_MINUTES,
    MAX_BUMPS,
    MAX_UPSELLS,
    Branding,
    Bump,
    CheckoutPage,
    OfferSpec,
    PageItem,
    StepMode,
    UpsellStep,
)
from tactful.domain.checkout.pricing import TaxConfig, TaxMode
from tactful.domain.money import check_currency

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PAGE_FIELDS = (
    "slug",
    "title",
    "currency",
    "items",
    "max_quantity",
    "steps",
    "bumps",
    "upsells",
    "branding",
    "tax",
    "offer_expiry_minutes",
)
ITEM_FIELDS = ("sku", "quantity")
OFFER_FIELDS = ("sku", "headline", "reason", "preselected")
BUMP_FIELDS = (*OFFER_FIELDS, "from_engine")
UPSELL_FIELDS = (*OFFER_FIELDS, "downsell")
BRANDING_FIELDS = ("name", "logo_url", "primary_color")
TAX_FIELDS = ("mode", "rate_bps", "label")


@dataclass(frozen=True, slots=True)
class SkuRef:
    """A SKU a page names, with the field that names it."""

    field: str
    sku: Sku


@dataclass(frozen=True, slots=True)
class PageDraft:
    """A definition read once: the page when it is valid, every problem, the SKUs it names."""

    page: CheckoutPage | None
    problems: tuple[PageProblem, ...]
    skus: tuple[SkuRef, ...]
    currency: str | None


def parse_page(data: Mapping[str, Any]) -> CheckoutPage:
    """Validate a page definition; the PageError lists every problem, its `field` the first."""
    draft = read_page(data)
    if draft.page is None:
        raise PageError.of(draft.problems)
    return draft.page


def read_page(data: Mapping[str, Any]) -> PageDraft:
    """Read a definition without stopping at the first problem."""
    if not isinstance(data, Mapping):
        return PageDraft(None, (PageProblem("page", "must be a mapping of fields"),), (), None)
    found, refs = Problems(), _Refs()
    found.unknown_keys(data, PAGE_FIELDS, "")
    slug = found.check(lambda: _slug(data), "")
    currency = found.check(lambda: _currency(data), None)
    title = found.check(lambda: opt_text(data, "title", "title"), None) or slug
    items = _items(found, refs, data.get("items"))
    steps = found.check(lambda: choice(StepMode, data.get("steps", "single"), "steps"), None)
    bumps = _bumps(found, refs, data.get("bumps"))
    upsells = _upsells(found, refs, data.get("upsells"))
    branding = found.check(lambda: _branding(found, data.get("branding"), title), None)
    tax = found.check(lambda: _tax(found, data.get("tax")), None)
    max_quantity = found.check(
        lambda: whole(data.get("max_quantity", 1), "max_quantity", 1, 100), 1
    )
    expiry = found.check(lambda: _expiry(data), DEFAULT_OFFER_EXPIRY_MINUTES)
    skus = tuple(refs.found)
    if found.found or currency is None or steps is None or branding is None or tax is None:
        return PageDraft(None, tuple(found.found), skus, currency)
    page = CheckoutPage(
        slug=slug,
        title=title,
        currency=currency,
        items=items,
        branding=branding,
        bumps=bumps,
        upsells=upsells,
        steps=steps,
        tax=tax,
        max_quantity=max_quantity,
        offer_expiry_minutes=expiry,
    )
    return PageDraft(page, (), skus, currency)


def catalogue_problems(
    refs: Sequence[SkuRef], products: Mapping[str, Product], currency: str | None
) -> list[PageProblem]:
    """SKUs a page names that the catalogue lacks, or prices in another currency than the page."""
    problems = []
    for ref in refs:
        product = products.get(ref.sku)
        if product is None:
            problems.append(PageProblem(ref.field, f"no product {ref.sku!r} in the catalogue"))
        elif currency is not None and product.price.currency != currency:
            message = f"{ref.sku!r} is priced in {product.price.currency}, the page in {currency}"
            problems.append(PageProblem(ref.field, message))
    return problems


class _Refs:
    """The SKUs met while reading, for the catalogue check."""

    def __init__(self) -> None:
        self.found: list[SkuRef] = []

    def sku(self, data: Mapping[str, Any], field: str) -> Sku:
        """A required SKU field, remembered with its path."""
        sku = Sku(text(data, "sku", field))
        self.found.append(SkuRef(field, sku))
        return sku


def _slug(data: Mapping[str, Any]) -> str:
    slug = text(data, "slug", "slug")
    if not _SLUG.match(slug):
        raise PageError("slug", "use 1-63 lower-case letters, digits and dashes")
    return slug


def _currency(data: Mapping[str, Any]) -> str:
    try:
        return check_currency(text(data, "currency", "currency"))
    except ValueError as exc:
        raise PageError("currency", str(exc)) from None


def _expiry(data: Mapping[str, Any]) -> int:
    value = data.get("offer_expiry_minutes", DEFAULT_OFFER_EXPIRY_MINUTES)
    return whole(value, "offer_expiry_minutes", 1, 24 * 60)


def _items(found: Problems, refs: _Refs, value: Any) -> tuple[PageItem, ...]:
    listed = found.check(lambda: entries(value, "items"), None)
    if listed is not None and not listed:
        found.add("items", "needs at least one main product")
    items = (_item(found, refs, entry, f"items[{n}]") for n, entry in enumerate(listed or ()))
    return tuple(item for item in items if item is not None)


def _item(found: Problems, refs: _Refs, entry: Any, field: str) -> PageItem | None:
    data = found.check(lambda: mapping(entry, field), None)
    if data is None:
        return None
    found.unknown_keys(data, ITEM_FIELDS, f"{field}.")
    sku = found.check(lambda: refs.sku(data, f"{field}.sku"), Sku(""))
    quantity = found.check(lambda: whole(data.get("quantity", 1), f"{field}.quantity", 1, 100), 1)
    return PageItem(sku, quantity)


def _bumps(found: Problems, refs: _Refs, value: Any) -> tuple[Bump, ...]:
    listed: Sequence[Any] = found.check(lambda: entries(value, "bumps"), ())
    if len(listed) > MAX_BUMPS:
        found.add("bumps", f"at most {MAX_BUMPS} order bumps, got {len(listed)}")
    bumps = (_bump(found, refs, entry, f"bumps[{n}]") for n, entry in enumerate(listed))
    return tuple(bump for bump in bumps if bump is not None)


def _bump(found: Problems, refs: _Refs, entry: Any, field: str) -> Bump | None:
    data = found.check(lambda: mapping(entry, field), None)
    if data is None:
        return None
    found.unknown_keys(data, BUMP_FIELDS, f"{field}.")
    _never_preselected(found, data, field, "order bumps are never pre-ticked")
    if data.get("from_engine") is True:
        return Bump(None)
    spec = _offer(found, refs, data, field)
    return Bump(spec.sku, spec.headline, spec.reason)


def _never_preselected(found: Problems, data: Mapping[str, Any], field: str, rule: str) -> None:
    """`preselected: true` is refused out loud rather than silently ignored."""
    value = data.get("preselected", False)
    if value is not False:
        found.add(f"{field}.preselected", f"{rule}; remove it or set it to false, got {value!r}")


def _offer(found: Problems, refs: _Refs, data: Mapping[str, Any], field: str) -> OfferSpec:
    return OfferSpec(
        sku=found.check(lambda: refs.sku(data, f"{field}.sku"), Sku("")),
        headline=found.check(lambda: opt_text(data, "headline", f"{field}.headline"), None),
        reason=found.check(lambda: opt_text(data, "reason", f"{field}.reason"), None),
    )


def _upsells(found: Problems, refs: _Refs, value: Any) -> tuple[UpsellStep, ...]:
    listed: Sequence[Any] = found.check(lambda: entries(value, "upsells"), ())
    if len(listed) > MAX_UPSELLS:
        found.add("upsells", f"at most {MAX_UPSELLS} post-purchase offers")
    steps = (_upsell(found, refs, entry, f"upsells[{n}]") for n, entry in enumerate(listed))
    return tuple(step for step in steps if step is not None)


def _upsell(found: Problems, refs: _Refs, entry: Any, field: str) -> UpsellStep | None:
    data = _offer_mapping(found, entry, field, UPSELL_FIELDS)
    if data is None:
        return None
    offer = _offer(found, refs, data, field)
    if data.get("downsell") is None:
        return UpsellStep(offer)
    downsell_field = f"{field}.downsell"
    downsell = _offer_mapping(found, data["downsell"], downsell_field, OFFER_FIELDS)
    if downsell is None:
        return UpsellStep(offer)
    return UpsellStep(offer, _offer(found, refs, downsell, downsell_field))


def _offer_mapping(
    found: Problems, entry: Any, field: str, known: Sequence[str]
) -> Mapping[str, Any] | None:
    data = found.check(lambda: mapping(entry, field), None)
    if data is not None:
        found.unknown_keys(data, known, f"{field}.")
        _never_preselected(found, data, field, "one-click offers are never pre-accepted")
    return data


def _branding(found: Problems, value: Any, title: str) -> Branding:
    if value is None:
        return Branding(name=title)
    data = mapping(value, "branding")
    found.unknown_keys(data, BRANDING_FIELDS, "branding.")
    colour = found.check(lambda: opt_text(data, "primary_color", "branding.primary_color"), None)
    if colour is not None and not _COLOUR.match(colour):
        found.add("branding.primary_color", f"must look like #1f4bd8, got {colour!r}")
    logo = found.check(lambda: opt_text(data, "logo_url", "branding.logo_url"), None)
    if logo is not None and not logo.startswith(("https://", "http://", "/")):
        found.add("branding.logo_url", "must be an http(s) URL or a path")
    name = found.check(lambda: opt_text(data, "name", "branding.name"), None)
    return Branding(name=name or title, logo_url=logo, primary_color=colour or "#1f4bd8")


def _tax(found: Problems, value: Any) -> TaxConfig:
    if value is None:
        return TaxConfig()
    data = mapping(value, "tax")
    found.unknown_keys(data, TAX_FIELDS, "tax.")
    mode = found.check(
        lambda: choice(TaxMode, data.get("mode", "inclusive"), "tax.mode"), TaxMode.INCLUSIVE
    )
    rate = found.check(lambda: whole(data.get("rate_bps", 0), "tax.rate_bps", 0, 10_000), 0)
    label = found.check(lambda: opt_text(data, "label", "tax.label"), None) or "VAT"
    return TaxConfig(mode=mode, rate_bps=rate, label=label)
