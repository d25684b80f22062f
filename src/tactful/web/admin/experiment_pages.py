"""The dashboard's experiments page, and its form that stops an experiment with a decision.

A stop the service refuses (no reason, a variant that is not one) gets the page again, 422,
with what was typed and the message next to the field, as the webhook forms do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from tactful.domain.experiments import ExperimentError
from tactful.services.experiments import ExperimentService, StopRequest, UnknownExperimentError
from tactful.web.admin.auth import Session, tokens_match
from tactful.web.admin.routes import (
    SECURITY_HEADERS,
    _dashboard,
    _page,
    _session,
    _to_login,
    router,
)

Text = Annotated[str, Form()]
FIELD_OF = {"decision": "decision", "variant": "decision", "reason": "reason", "by": "by"}
"""The form field that shows each refused field of the stop record."""
MESSAGES = {
    "decision": "Choose what was decided.",
    "variant": "Choose the variant to ship.",
    "reason": "Say why you are stopping it, in up to 2,000 characters.",
    "by": "Name who decided, in up to 200 characters.",
}


def _experiments_page(
    request: Request, session: Session, status_code: int = 200, **context: Any
) -> Response:
    service = _dashboard(request)
    tests: ExperimentService = request.app.state.tactful.experiments
    response = _page(
        request,
        session,
        "experiments.html",
        title="Experiments",
        active="experiments",
        report=service.overview(service.period(None)),
        experiments=[tests.results(e.experiment_id) for e in tests.all()],
        stop_forms=context.pop("stop_forms", {}),
        stop_errors=context.pop("stop_errors", {}),
        **context,
    )
    response.status_code = status_code
    return response


@router.get("/experiments")
def experiments(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    return _experiments_page(request, session)


@router.post("/experiments/{experiment_id}/stop")
def stop_experiment(
    request: Request,
    experiment_id: str,
    csrf: Text = "",
    decision: Text = "",
    variant: Text = "",
    reason: Text = "",
    by: Text = "",
) -> Response:
    """Stop with the decision record the form gives (the form again, naming the field, when
    the record is refused)."""
    session = _session(request)
    if session is None:
        return _to_login(request)
    if not tokens_match(session.csrf, csrf):
        return Response("Invalid form token.", status_code=403, headers=SECURITY_HEADERS)
    tests: ExperimentService = request.app.state.tactful.experiments
    typed = {"decision": decision, "reason": reason, "by": by}
    if decision.startswith("ship:"):  # the form's "Ship <variant>" options
        decision, variant = "ship", decision.removeprefix("ship:")
    record = StopRequest(decision, reason, by.strip() or "admin", variant or None)
    try:
        tests.stop(experiment_id, record)
    except UnknownExperimentError:
        return Response("no such experiment", status_code=404, headers=SECURITY_HEADERS)
    except ExperimentError as error:
        field = FIELD_OF.get(error.field, "decision")
        message = MESSAGES.get(error.field, str(error))
        return _experiments_page(
            request,
            session,
            422,
            stop_forms={experiment_id: typed},
            stop_errors={experiment_id: {field: message}},
        )
    return RedirectResponse("/admin/experiments", status_code=303, headers=SECURITY_HEADERS)
