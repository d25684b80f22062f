"""Checkout page definitions: what a merchant sells on one hosted page, validated."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from tactful.domain.catalog import Sku
from tactful.domain.checkout.pricing import TaxConfig, TaxMode
from tactful.domain.money import check_currency

MAX_BUMPS = 2
DEFAULT_OFFER_EXPIRY_MINUTES = 15
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_E = TypeVar("_E", bound=StrEnum)


class PageError(ValueError):
    """A page definition is invalid; `field` names the offending path, e.g. 'bumps[2].sku'."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StepMode(StrEnum):
    """One page, or details -> payment -> offers -> thank you as separate steps."""

    SINGLE = "single"
    MULTI = "multi"


@dataclass(frozen=True, slots=True)
class PageItem:
    """A main product of the page."""

    sku: Sku
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Bump:
    """An order bump: an explicit SKU, or one slot filled by the offer engine."""

    sku: Sku | None
    headline: str | None = None
    reason: str | None = None

    @property
    def from_engine(self) -> bool:
        """Whether the offer engine picks the product for this slot."""
        return self.sku is None


@dataclass(frozen=True, slots=True)
class OfferSpec:
    """A one-click post-purchase offer (upsell or its downsell)."""

    sku: Sku
    headline: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class UpsellStep:
    """One post-purchase offer with the cheaper alternative shown if it is declined."""

    offer: OfferSpec
    downsell: OfferSpec | None = None


@dataclass(frozen=True, slots=True)
class Branding:
    """How the page looks: the merchant's name, logo and primary colour."""

    name: str
    logo_url: str | None = None
    primary_color: str = "#1f4bd8"


@dataclass(frozen=True, slots=True)
class CheckoutPage:
    """A hosted checkout page a merchant defined."""

    slug: str
    title: str
    currency: str
    items: tuple[PageItem, ...]
    branding: Branding
    bumps: tuple[Bump, ...] = ()
    upsells: tuple[UpsellStep, ...] = ()
    steps: StepMode = StepMode.SINGLE
    tax: TaxConfig = field(default_factory=TaxConfig)
    max_quantity: int = 1
    offer_expiry_minutes: int = DEFAULT_OFFER_EXPIRY_MINUTES

    @property
    def explicit_bump_skus(self) -> tuple[Sku, ...]:
        """SKUs of the bumps the merchant named (engine slots excluded)."""
        return tuple(b.sku for b in self.bumps if b.sku is not None)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping that `parse_page` reads back to an equal page."""
        return {
            "slug": self.slug,
            "title": self.title,
            "currency": self.currency,
            "items": [{"sku": i.sku, "quantity": i.quantity} for i in self.items],
            "branding": {
                "name": self.branding.name,
                "logo_url": self.branding.logo_url,
                "primary_color": self.branding.primary_color,
            },
            "bumps": [_bump_dict(b) for b in self.bumps],
            "upsells": [_step_dict(s) for s in self.upsells],
            "steps": self.steps.value,
            "tax": {
                "mode": self.tax.mode.value,
                "rate_bps": self.tax.rate_bps,
                "label": self.tax.label,
            },
            "max_quantity": self.max_quantity,
            "offer_expiry_minutes": self.offer_expiry_minutes,
        }


def _bump_dict(bump: Bump) -> dict[str, Any]:
    if bump.sku is None:
        return {"from_engine": True}
    return {"sku": bump.sku, "headline": bump.headline, "reason": bump.reason}


def _offer_dict(offer: OfferSpec) -> dict[str, Any]:
    return {"sku": offer.sku, "headline": offer.headline, "reason": offer.reason}


def _step_dict(step: UpsellStep) -> dict[str, Any]:
    out = _offer_dict(step.offer)
    if step.downsell is not None:
        out["downsell"] = _offer_dict(step.downsell)
    return out


def parse_page(data: Mapping[str, Any]) -> CheckoutPage:
    """Validate a page definition (from JSON or YAML); errors name the field."""
    if not isinstance(data, Mapping):
        raise PageError("page", "must be a mapping of fields")
    slug = _text(data, "slug", "slug")
    if not _SLUG.match(slug):
        raise PageError("slug", "use 1-63 lower-case letters, digits and dashes")
    currency = _currency(data)
    items = _items(data.get("items"))
    title = _opt_text(data, "title", "title") or slug
    return CheckoutPage(
        slug=slug,
        title=title,
        currency=currency,
        items=items,
        branding=_branding(data.get("branding"), title),
        bumps=_bumps(data.get("bumps")),
        upsells=_upsells(data.get("upsells")),
        steps=_enum(StepMode, data.get("steps", "single"), "steps"),
        tax=_tax(data.get("tax")),
        max_quantity=_int(data.get("max_quantity", 1), "max_quantity", 1, 100),
        offer_expiry_minutes=_int(
            data.get("offer_expiry_minutes", DEFAULT_OFFER_EXPIRY_MINUTES),
            "offer_expiry_minutes",
            1,
            24 * 60,
        ),
    )


def _currency(data: Mapping[str, Any]) -> str:
    try:
        return check_currency(_text(data, "currency", "currency"))
    except ValueError as exc:
        raise PageError("currency", str(exc)) from None


def _text(data: Mapping[str, Any], key: str, field: str) -> str:
    value = _opt_text(data, key, field)
    if value is None:
        raise PageError(field, "is required")
    return value


def _opt_text(data: Mapping[str, Any], key: str, field: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise PageError(field, "must be non-empty text")
    return str(value).strip()


def _int(value: Any, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PageError(field, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise PageError(field, f"must be between {low} and {high}, got {value}")
    return value


def _enum(kind: type[_E], value: Any, field: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise PageError(field, f"must be one of {allowed}, got {value!r}") from None


def _list(value: Any, field: str) -> Sequence[Any]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise PageError(field, "must be a list")
    return value


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PageError(field, "must be a mapping")
    return value


def _items(value: Any) -> tuple[PageItem, ...]:
    entries = _list(value, "items")
    if not entries:
        raise PageError("items", "needs at least one main product")
    items = []
    for n, entry in enumerate(entries):
        field = f"items[{n}]"
        item = _mapping(entry, field)
        sku = Sku(_text(item, "sku", f"{field}.sku"))
        quantity = _int(item.get("quantity", 1), f"{field}.quantity", 1, 100)
        items.append(PageItem(sku, quantity))
    return tuple(items)


def _bumps(value: Any) -> tuple[Bump, ...]:
    entries = _list(value, "bumps")
    if len(entries) > MAX_BUMPS:
        raise PageError("bumps", f"at most {MAX_BUMPS} order bumps, got {len(entries)}")
    bumps = []
    for n, entry in enumerate(entries):
        field = f"bumps[{n}]"
        bump = _mapping(entry, field)
        if bump.get("from_engine") is True:
            bumps.append(Bump(None))
            continue
        spec = _offer(bump, field)
        bumps.append(Bump(spec.sku, spec.headline, spec.reason))
    return tuple(bumps)


def _offer(data: Mapping[str, Any], field: str) -> OfferSpec:
    return OfferSpec(
        sku=Sku(_text(data, "sku", f"{field}.sku")),
        headline=_opt_text(data, "headline", f"{field}.headline"),
        reason=_opt_text(data, "reason", f"{field}.reason"),
    )


def _upsells(value: Any) -> tuple[UpsellStep, ...]:
    steps = []
    for n, entry in enumerate(_list(value, "upsells")):
        field = f"upsells[{n}]"
        data = _mapping(entry, field)
        downsell = data.get("downsell")
        steps.append(
            UpsellStep(
                offer=_offer(data, field),
                downsell=None
                if downsell is None
                else _offer(_mapping(downsell, f"{field}.downsell"), f"{field}.downsell"),
            )
        )
    if len(steps) > 5:
        raise PageError("upsells", "at most 5 post-purchase offers")
    return tuple(steps)


def _branding(value: Any, title: str) -> Branding:
    if value is None:
        return Branding(name=title)
    data = _mapping(value, "branding")
    colour = _opt_text(data, "primary_color", "branding.primary_color") or "#1f4bd8"
    if not _COLOUR.match(colour):
        raise PageError("branding.primary_color", f"must look like #1f4bd8, got {colour!r}")
    logo = _opt_text(data, "logo_url", "branding.logo_url")
    if logo is not None and not logo.startswith(("https://", "http://", "/")):
        raise PageError("branding.logo_url", "must be an http(s) URL or a path")
    return Branding(
        name=_opt_text(data, "name", "branding.name") or title,
        logo_url=logo,
        primary_color=colour,
    )


def _tax(value: Any) -> TaxConfig:
    if value is None:
        return TaxConfig()
    data = _mapping(value, "tax")
    mode = _enum(TaxMode, data.get("mode", "inclusive"), "tax.mode")
    rate = _int(data.get("rate_bps", 0), "tax.rate_bps", 0, 10_000)
    label = _opt_text(data, "label", "tax.label") or "VAT"
    return TaxConfig(mode=mode, rate_bps=rate, label=label)
