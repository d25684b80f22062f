"""GET /v1/reports/overview and /v1/reports/offers: what offers did, as JSON (secret key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from tactful.services.experiments import UnknownExperimentError
from tactful.web.deps import SecretKey, StateDep

router = APIRouter(prefix="/v1/reports", tags=["reports"])

SpanStart = Annotated[
    datetime | None,
    Query(alias="from", description="Start (date or ISO time, UTC); default: 28 days before to"),
]
SpanEnd = Annotated[
    datetime | None, Query(alias="to", description="End, excluded (date or ISO time); default: now")
]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


Segment = Annotated[
    str | None,
    Query(
        description="new, returning, or DIMENSION[:VALUE] with DIMENSION one of customer, rfm, "
        "country, kind, channel, moment, variant (variant:EXPERIMENT_ID[/VARIANT]); a whole "
        "dimension adds each value's lift to `segments`. Offers split by moment and kind "
        "as shown, and by the other dimensions as the customer shown them."
    ),
]


@router.get("/overview")
def overview(
    state: StateDep,
    _scope: SecretKey,
    since: SpanStart = None,
    until: SpanEnd = None,
    segment: Segment = None,
) -> dict[str, Any]:
    """Incremental revenue against the holdout with its 95% interval (CUPED), revenue per
    customer, AOV lift, acceptance, the split's SRM check, the always-valid mSPRT and the
    Bayesian view; "not_enough_data" with the sample needed while groups are too small."""
    try:
        return state.reports.overview(since=_utc(since), until=_utc(until), segment=segment)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/offers")
def offers(
    state: StateDep,
    _scope: SecretKey,
    since: SpanStart = None,
    until: SpanEnd = None,
    segment: Segment = None,
) -> dict[str, Any]:
    """Each offer (kind, SKU, moment): impressions, accepted, declined, dismissed, converted
    within the attribution window, ignored, and net revenue credited."""
    try:
        return state.reports.offers(since=_utc(since), until=_utc(until), segment=segment)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/experiments/{experiment_id}")
def experiment(experiment_id: str, state: StateDep, _scope: SecretKey) -> dict[str, Any]:
    """The experiment's results, as `GET /v1/experiments/{id}` gives them: each variant
    against the control (revenue per customer with its 95% interval, conversion) and the
    split's SRM check."""
    try:
        return state.experiments.results(experiment_id)
    except UnknownExperimentError as exc:
        raise HTTPException(404, f"unknown experiment {experiment_id}") from exc
