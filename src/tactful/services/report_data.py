"""Reports as plain data: the field names outside checks rely on, money in minor units."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tactful.domain.measurement import Lift, OfferOutcome, Overview

__all__ = [
    "NOT_ENOUGH_DATA",
    "lift_data",
    "offers_data",
    "overview_data",
    "segments_data",
    "sequential_data",
]

NOT_ENOUGH_DATA = "not enough data yet"


def _num(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def _finite(value: float) -> float | None:
    """A bound, or None where it is unbounded (no spread yet: JSON has no infinity)."""
    return _num(value) if math.isfinite(value) else None


def _lift(lift: Lift | None, places: int = 2) -> dict[str, Any]:
    """A lift's estimate and interval, absolute and relative (all None without data)."""
    if lift is None:
        keys = ("treated", "held_out", "estimate", "ci_low", "ci_high", "p_value")
        return dict.fromkeys((*keys, "relative", "relative_ci_low", "relative_ci_high"))
    return {
        "treated": _num(lift.treated, places),
        "held_out": _num(lift.control, places),
        "estimate": _num(lift.estimate, places),
        "ci_low": _num(lift.ci_low, places),
        "ci_high": _num(lift.ci_high, places),
        "p_value": _num(lift.p_value, 6),
        "relative": _num(lift.relative, 4),
        "relative_ci_low": _num(lift.relative_ci_low, 4),
        "relative_ci_high": _num(lift.relative_ci_high, 4),
    }


lift_data = _lift
"""A lift as plain data (estimate, interval, p-value, relative), None throughout without one."""


def sequential_data(found: Overview) -> dict[str, Any] | None:
    """The always-valid (mSPRT) test on revenue per customer, None without data."""
    return _sequential(found)


def overview_data(
    found: Overview,
    offers: Sequence[OfferOutcome],
    head: dict[str, Any],
    satisfaction: Lift | None = None,
) -> dict[str, Any]:
    """The overview: incremental revenue, per-customer lifts, the split's health, the funnel."""
    revenue = _lift(found.revenue)
    incremental = found.incremental or (None, None, None)
    return {
        **head,
        "status": "ok" if found.enough_data else "not_enough_data",
        "message": None if found.enough_data else _shortfall(found),
        "incremental_revenue": {
            "estimate": None if incremental[0] is None else round(incremental[0]),
            "ci_low": None if incremental[1] is None else round(incremental[1]),
            "ci_high": None if incremental[2] is None else round(incremental[2]),
            "currency": found.currency,
            "method": "cuped",
        },
        "revenue_per_customer": {
            "treated": revenue["treated"],
            "held_out": revenue["held_out"],
            "lift": revenue["estimate"],
            "ci_low": revenue["ci_low"],
            "ci_high": revenue["ci_high"],
            "relative_lift": revenue["relative"],
            "p_value": revenue["p_value"],
        },
        "acceptance_rate": _funnel(offers)["acceptance_rate"],
        "aov_lift": _lift(found.aov),
        "srm_p_value": _num(found.srm_p_value, 6),
        "srm_warning": found.srm_warning,
        "customers": {"treated": found.treated, "held_out": found.held_out, "mixed": found.mixed},
        "cuped": _cuped(found),
        "sequential": _sequential(found),
        "bayesian": _bayesian(found),
        "metrics": {
            "conversion": _lift(found.conversion, 4),
            "units_per_order": _lift(found.units_per_order, 4),
            "refund_rate": _lift(found.refund_rate, 4),
            "satisfaction": _lift(satisfaction, 4),
        },
        "funnel": _funnel(offers),
        "sample_needed": found.sample_needed,
    }


def offers_data(offers: Sequence[OfferOutcome], head: dict[str, Any]) -> dict[str, Any]:
    """Each offer (kind, SKU, moment) with every outcome kept apart."""
    return {
        **head,
        "offers": [
            {
                "kind": o.kind,
                "sku": o.sku,
                "moment": o.moment,
                "impressions": o.impressions,
                "accepted": o.accepted,
                "declined": o.declined,
                "dismissed": o.dismissed,
                "converted": o.converted,
                "ignored": o.ignored,
                "net_revenue": o.net_revenue,
                "acceptance_rate": _num(o.acceptance_rate, 4),
                "conversion_rate": _num(o.conversion_rate, 4),
                "decline_rate": _num(o.decline_rate, 4),
            }
            for o in offers
        ],
        "totals": _funnel(offers),
    }


def _funnel(offers: Sequence[OfferOutcome]) -> dict[str, Any]:
    keys = ("impressions", "accepted", "declined", "dismissed", "converted", "ignored")
    totals: dict[str, Any] = {key: sum(getattr(o, key) for o in offers) for key in keys}
    totals["net_revenue"] = sum(o.net_revenue for o in offers)
    shown = totals["impressions"]
    totals["acceptance_rate"] = round(totals["accepted"] / shown, 4) if shown else None
    totals["conversion_rate"] = round(totals["converted"] / shown, 4) if shown else None
    return totals


def _shortfall(found: Overview) -> str:
    groups = f"{found.treated} treated and {found.held_out} held-out customers"
    if found.sample_needed is None:
        return f"{NOT_ENOUGH_DATA}: {groups}; no spend to size a test from yet"
    return (
        f"{NOT_ENOUGH_DATA}: {groups}; about {found.sample_needed:,} customers in all would "
        "show a 5% lift in revenue per customer (80% power, 95% confidence)"
    )


def _cuped(found: Overview) -> dict[str, Any] | None:
    if found.cuped is None:
        return None
    return {
        "theta": _num(found.cuped.theta, 6),
        "variance_reduction": _num(found.cuped.variance_reduction, 4),
        "lift": _num(found.cuped.lift.estimate),
        "ci_low": _num(found.cuped.lift.ci_low),
        "ci_high": _num(found.cuped.lift.ci_high),
    }


def _sequential(found: Overview) -> dict[str, Any] | None:
    if found.sequential is None:
        return None
    return {
        "method": "mSPRT (always valid: safe to look every day)",
        "p_value": _num(found.sequential.p_value, 6),
        "ci_low": _finite(found.sequential.ci_low),
        "ci_high": _finite(found.sequential.ci_high),
        "significant": found.sequential.significant,
    }


def _bayesian(found: Overview) -> dict[str, Any] | None:
    view = found.bayesian
    if view is None:
        return None
    return {
        "chance_to_beat_control": _num(view.chance_to_beat_control, 4),
        "expected_uplift": _num(view.expected_uplift, 4),
        "ci_low": _num(view.ci_low, 4),
        "ci_high": _num(view.ci_high, 4),
        "expected_loss_treated": _num(view.risk_treated),
        "expected_loss_held_out": _num(view.risk_control),
    }


def segments_data(segments: dict[str, Overview]) -> dict[str, Any]:
    """Per segment: its customers and the lift in revenue per customer, with its interval."""
    return {
        name: {
            "customers": {"treated": found.treated, "held_out": found.held_out},
            "revenue_per_customer": _lift(found.revenue),
        }
        for name, found in segments.items()
    }
