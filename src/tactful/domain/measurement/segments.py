"""Segments every report splits customers by: who they were before the offers reached them.

A segment is `dimension:value` (`country:FR`, `rfm:champions`) or a whole dimension
(`country`: each value apart). Countries are ISO codes, and a country's name finds its code
(`country:France` is `country:FR`). `new` and `returning` stay as short names of `customer:new`
and `customer:returning`. Every dimension is fixed before a customer's first decision in
the span (their pre-period spend, their country, the kind of product they bought before, the
moment and channel of that first decision, their experiment arm), so splitting by it does not
bias the treated-against-held-out comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tactful.domain.countries import country_code

__all__ = [
    "DIMENSIONS",
    "NONE",
    "RFM_BUCKETS",
    "CustomerTraits",
    "Segment",
    "parse_segment",
    "rfm_buckets",
    "segment_labels",
    "traits_of",
]

DIMENSIONS = ("customer", "rfm", "country", "kind", "channel", "moment", "variant")
"""What a report can be split by."""
NONE = "none"
"""The value of a customer without one (no country stored, nothing bought before)."""
RFM_BUCKETS = ("champions", "loyal", "big_spenders", "recent", "lapsing", NONE)
RECENT_DAYS = 30.0
FREQUENT_ORDERS = 3
_SHORT = {"new": ("customer", "new"), "returning": ("customer", "returning")}


@dataclass(frozen=True, slots=True)
class Segment:
    """One dimension, and one of its values (None: every value apart)."""

    dimension: str
    value: str | None = None

    def __str__(self) -> str:
        return self.dimension if self.value is None else f"{self.dimension}:{self.value}"


def parse_segment(text: str) -> Segment:
    """`new`, `returning`, `DIMENSION` or `DIMENSION:VALUE`; ValueError naming `segment`."""
    text = text.strip()
    if text in _SHORT:
        return Segment(*_SHORT[text])
    dimension, _, value = text.partition(":")
    if dimension not in DIMENSIONS:
        expected = ", ".join((*_SHORT, *DIMENSIONS))
        raise ValueError(f"segment: expected one of {expected} (or DIMENSION:VALUE), got {text!r}")
    if ":" in text and not value:
        raise ValueError(f"segment: {dimension}: needs a value after the colon")
    if dimension == "customer" and value and value not in ("new", "returning"):
        raise ValueError(f"segment: customer: expected new or returning, got {value!r}")
    if dimension == "rfm" and value and value not in RFM_BUCKETS:
        raise ValueError(f"segment: rfm: expected one of {', '.join(RFM_BUCKETS)}, got {value!r}")
    if dimension == "variant" and not value:
        raise ValueError(
            "segment: variant: name the experiment, as variant:EXPERIMENT_ID[/VARIANT]"
        )
    if dimension == "country" and value:
        value = country_code(value) or value  # stored as codes: `France` finds `FR`
    return Segment(dimension, value or None)


@dataclass(frozen=True, slots=True)
class CustomerTraits:
    """What the store knows of a customer outside the decision log."""

    country: str | None
    kind: str | None
    """The product kind they bought most of before the span."""


def rfm_buckets(
    pre_revenue: NDArray[np.float64],
    pre_orders: NDArray[np.float64],
    days_since: NDArray[np.float64],
) -> NDArray[np.str_]:
    """Recency (ordered within 30 days before exposure), frequency (3+ orders in the
    pre-period) and monetary value (pre-period spend in the top quarter of spenders) as
    one named bucket per customer; `none` without a pre-period order."""
    bought = pre_orders > 0
    top = float(np.quantile(pre_revenue[bought], 0.75)) if bought.any() else 0.0
    recent = bought & (days_since <= RECENT_DAYS)
    frequent = bought & (pre_orders >= FREQUENT_ORDERS)
    big = bought & (pre_revenue >= top) & (top > 0)
    return np.select(
        [~bought, recent & frequent, frequent, big, recent],
        ["none", "champions", "loyal", "big_spenders", "recent"],
        default="lapsing",
    )


def segment_labels(
    dimension: str,
    customers: Sequence[str],
    *,
    returning: NDArray[np.bool_],
    rfm: NDArray[np.str_],
    traits: Mapping[str, CustomerTraits],
    moments: Sequence[str | None],
    channels: Sequence[str | None],
    variant_of: Callable[[str], str] | None,
) -> NDArray[np.str_]:
    """Each customer's value of `dimension` (aligned with `customers`)."""
    if dimension == "customer":
        return np.where(returning, "returning", "new")
    if dimension == "rfm":
        return rfm
    if dimension in ("country", "kind"):
        found = [getattr(traits.get(c), dimension, None) for c in customers]
        return np.array([value or NONE for value in found], dtype=str)
    if dimension in ("moment", "channel"):
        values = moments if dimension == "moment" else channels
        return np.array([value or NONE for value in values], dtype=str)
    if variant_of is None:
        raise ValueError("segment: variant: needs an experiment, as variant:EXPERIMENT_ID")
    return np.array([variant_of(c) for c in customers], dtype=str)


def traits_of(
    countries: Mapping[str, str], kind_lines: Sequence[tuple[str, str, int]]
) -> dict[str, CustomerTraits]:
    """Each customer's country and the kind of product they bought most lines of (ties: the
    first kind by name), from (customer, kind, lines) counts."""
    best: dict[str, tuple[int, str | None]] = {}
    for customer, kind, lines in kind_lines:
        seen = best.get(customer)
        if seen is None or (-int(lines), str(kind)) < (-seen[0], str(seen[1])):
            best[customer] = (int(lines), str(kind))
    return {
        customer: CustomerTraits(
            countries.get(customer), best[customer][1] if customer in best else None
        )
        for customer in {*countries, *best}
    }
