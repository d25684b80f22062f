"""Checkout page definitions: what a merchant sells on one hosted page, validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tactful.domain.catalog import Sku
from tactful.domain.checkout.pricing import TaxConfig

MAX_BUMPS = 2
MAX_UPSELLS = 5
DEFAULT_OFFER_EXPIRY_MINUTES = 15


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
        """A plain mapping that `parse_page` (page_reader) reads back to an equal page."""
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
