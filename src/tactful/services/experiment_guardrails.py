"""Guardrails of an experiment's variants: decline, refund and unsubscribe rates, satisfaction.

Each arm's customers are those the results count (a decision while the experiment ran); what
they did is read from their first decision to the end of the experiment: offers shown and
declined, orders gross and refunded, marketing email withdrawn, ratings given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from tactful.domain.experiments import Variant
from tactful.domain.measurement import Exposure, OrderTotal, customer_outcomes
from tactful.domain.measurement.guardrails import (
    ArmGuardrailData,
    GuardrailResult,
    GuardrailThresholds,
    check_guardrails,
    harmed,
)
from tactful.services.ports.feedback import FeedbackStore
from tactful.services.ports.guardrails import GuardrailReads

__all__ = ["ExperimentGuardrails", "guardrail_data"]


class ExperimentGuardrails:
    """Reads what the guardrails need and compares each variant with the control."""

    def __init__(
        self,
        reads: GuardrailReads,
        feedback: FeedbackStore | None = None,
        thresholds: GuardrailThresholds | None = None,
    ) -> None:
        self.reads = reads
        self.feedback = feedback
        self.thresholds = thresholds or GuardrailThresholds()

    def compare(
        self,
        variants: Sequence[Variant],
        arms: Mapping[str, Sequence[Exposure]],
        orders: Sequence[OrderTotal],
        *,
        since: datetime,
        until: datetime,
    ) -> list[dict[str, Any]]:
        """Per variant after the first (the control): each guardrail and what it harms."""
        answers = {a.customer_id: a for a in self.reads.offer_answers(since=since, until=until)}
        opted = {o.customer_id: o.at for o in self.reads.opt_outs(since=since, until=until)}
        ratings: dict[str, list[tuple[datetime, int]]] = {}
        if self.feedback is not None:
            for given in self.feedback.ratings(since=since, until=until):
                if given.customer_id is not None:
                    ratings.setdefault(given.customer_id, []).append(
                        (given.created_at, given.rating)
                    )
        data = {
            name: _arm(exposures, orders, until, answers, opted, ratings)
            for name, exposures in arms.items()
        }
        control = data[variants[0].name]
        return [
            guardrail_data(v.name, check_guardrails(data[v.name], control, self.thresholds))
            for v in variants[1:]
        ]


def _arm(
    exposures: Sequence[Exposure],
    orders: Sequence[OrderTotal],
    until: datetime,
    answers: Mapping[str, Any],
    opted: Mapping[str, datetime],
    ratings: Mapping[str, list[tuple[datetime, int]]],
) -> ArmGuardrailData:
    kept = [Exposure(e.customer_id, e.first_at, False) for e in exposures]
    outcomes = customer_outcomes(kept, orders, until=until, pre_period=timedelta(0))
    shown = [answers.get(e.customer_id) for e in kept]
    rated = []
    for e in kept:
        given = [rating for at, rating in ratings.get(e.customer_id, ()) if at >= e.first_at]
        if given:
            rated.append(sum(given) / len(given))
    return ArmGuardrailData.of(
        impressions=[a.impressions if a else 0 for a in shown],
        declines=[a.declines if a else 0 for a in shown],
        gross=outcomes.gross,
        refunded=outcomes.refunded,
        unsubscribed=[e.customer_id in opted and e.first_at <= opted[e.customer_id] for e in kept],
        ratings=np.array(rated, dtype=float),
    )


def guardrail_data(variant: str, results: Sequence[GuardrailResult]) -> dict[str, Any]:
    """One variant's guardrails as plain data, with the flag a merchant reads."""
    harms = harmed(results)
    return {
        "variant": variant,
        "harms": [r.name for r in results if r.harms],
        "flag": f"harms {' and '.join(harms)}" if harms else None,
        "metrics": {r.name: _metric(r) for r in results},
    }


def _metric(result: GuardrailResult) -> dict[str, Any]:
    lift = result.lift
    rounding = 2 if result.name == "satisfaction" else 4
    numbers: dict[str, Any] = dict.fromkeys(
        ("variant", "control", "estimate", "ci_low", "ci_high", "p_value")
    )
    if lift is not None:
        numbers = {
            "variant": round(lift.treated, rounding + 2),
            "control": round(lift.control, rounding + 2),
            "estimate": round(lift.estimate, rounding + 2),
            "ci_low": round(lift.ci_low, rounding + 2),
            "ci_high": round(lift.ci_high, rounding + 2),
            "p_value": round(lift.p_value, 6),
        }
    return {
        "label": result.label,
        "status": result.status,
        "harms": result.harms,
        "threshold": result.threshold,
        "worse_when": "higher" if result.higher_is_worse else "lower",
        **numbers,
        "reason": _reason(result),
    }


def _reason(result: GuardrailResult) -> str:
    """What a merchant reads beside the flag."""
    lift = result.lift
    if lift is None:
        return f"{result.label}: not enough data yet"
    if result.name == "satisfaction":
        unit, scale, digits = " points", 1.0, 2
    else:
        unit, scale, digits = " pp", 100.0, 1

    def show(value: float) -> str:
        return f"{value * scale:+.{digits}f}"

    change = (
        f"{result.label} {show(lift.estimate)}{unit} against the control "
        f"(95% CI {show(lift.ci_low)} to {show(lift.ci_high)}{unit})"
    )
    limit = f"{result.threshold * scale:.{digits}f}{unit}"
    if result.harms:
        return f"harms {result.label}: {change}, worse beyond the {limit} threshold"
    return f"{change}; flagged only when surely worse by more than {limit}"
