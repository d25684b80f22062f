"""/v1/experiments: create, list, read (with results) and stop A/B(/n) tests (secret key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tactful.domain.experiments import MAX_OFFERS, ExperimentError, Variant
from tactful.services.experiments import UnknownExperimentError, experiment_data
from tactful.web.deps import SecretKey, StateDep
from tactful.web.errors import validation_body

router = APIRouter(prefix="/v1/experiments", tags=["experiments"])


class VariantIn(BaseModel):
    """One arm: its name, share of customers (whole percent) and the policy it applies."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    weight: int = Field(ge=1, le=100)
    max_offers: int | None = Field(None, ge=0, le=MAX_OFFERS)


class ExperimentIn(BaseModel):
    """A new experiment; the first variant is the control. Weights must sum to 100."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    variants: list[VariantIn] = Field(min_length=2, max_length=10)


def _unprocessable(error: ExperimentError) -> JSONResponse:
    message = str(error).removeprefix(f"{error.field}: ")
    raw = [{"loc": ["body", *error.field.split(".")], "msg": message, "type": "value_error"}]
    return JSONResponse(validation_body(raw), status_code=422)


@router.post("", status_code=201, response_model=None)
def create(body: ExperimentIn, state: StateDep, _scope: SecretKey) -> Any:
    """Start an experiment now: customers outside the holdout split by the weights."""
    variants = [Variant(v.name, v.weight, v.max_offers) for v in body.variants]
    try:
        created = state.experiments.create(body.name, variants)
    except ExperimentError as error:
        return _unprocessable(error)
    return experiment_data(created)


@router.get("")
def list_all(state: StateDep, _scope: SecretKey) -> dict[str, Any]:
    """Every experiment, the newest first."""
    return {"experiments": [experiment_data(e) for e in state.experiments.all()]}


@router.get("/{experiment_id}")
def read(experiment_id: str, state: StateDep, _scope: SecretKey) -> dict[str, Any]:
    """The experiment and each variant against the control: revenue per customer with its
    95% interval, conversion, and the split's SRM check."""
    try:
        return state.experiments.results(experiment_id)
    except UnknownExperimentError as exc:
        raise HTTPException(404, f"unknown experiment {experiment_id}") from exc


@router.post("/{experiment_id}/stop")
def stop(experiment_id: str, state: StateDep, _scope: SecretKey) -> dict[str, Any]:
    """Stop the experiment (again: no change); its results stay readable."""
    try:
        return experiment_data(state.experiments.stop(experiment_id))
    except UnknownExperimentError as exc:
        raise HTTPException(404, f"unknown experiment {experiment_id}") from exc
