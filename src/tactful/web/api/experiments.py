"""/v1/experiments: create, list, read (with results) and stop A/B(/n) tests (secret key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from tactful.domain.experiments import ExperimentError, LayerConflictError
from tactful.services.experiment_definitions import ExperimentIn, StopIn
from tactful.services.experiments import StopRequest, UnknownExperimentError, experiment_data
from tactful.web.deps import SecretKey, StateDep
from tactful.web.errors import validation_body

router = APIRouter(prefix="/v1/experiments", tags=["experiments"])


def refused(error: ExperimentError) -> JSONResponse:
    """422 naming the field (409 when the layer is taken), as FastAPI's own errors read."""
    message = str(error).removeprefix(f"{error.field}: ")
    raw = [{"loc": ["body", *error.field.split(".")], "msg": message, "type": "value_error"}]
    status = 409 if isinstance(error, LayerConflictError) else 422
    return JSONResponse(validation_body(raw), status_code=status)


@router.post("", status_code=201, response_model=None)
def create(body: ExperimentIn, state: StateDep, _scope: SecretKey) -> Any:
    """Start an experiment now: customers outside the holdout split by the weights."""
    variants = [v.variant() for v in body.variants]
    try:
        created = state.experiments.create(
            body.name, variants, layer=body.layer, moments=body.moments, traffic=body.traffic
        )
    except ExperimentError as error:
        return refused(error)
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


@router.post("/{experiment_id}/stop", response_model=None)
def stop(experiment_id: str, body: StopIn, state: StateDep, _scope: SecretKey) -> Any:
    """Stop the experiment with its decision record (again: no change); its results stay
    readable."""
    request = StopRequest(body.decision, body.reason, body.by, body.variant)
    try:
        return experiment_data(state.experiments.stop(experiment_id, request))
    except UnknownExperimentError as exc:
        raise HTTPException(404, f"unknown experiment {experiment_id}") from exc
    except ExperimentError as error:
        return refused(error)
