"""The dashboard's report pages; each needs a signed-in session (else: to the sign-in form)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from tactful.domain.experiments import ExperimentError
from tactful.domain.measurement.segments import DIMENSIONS, parse_segment
from tactful.services.experiments import ExperimentService, StopRequest, UnknownExperimentError
from tactful.web.admin import offer_views, views
from tactful.web.admin.auth import tokens_match
from tactful.web.admin.routes import (
    PERIODS,
    SECURITY_HEADERS,
    _dashboard,
    _page,
    _session,
    _to_login,
    router,
)

Days = Annotated[str, Query()]
SegmentQuery = Annotated[str, Query(max_length=200)]
PAGE_SIZE = 50


def _key(days: str) -> str:
    return days if days in PERIODS else "all"


def _dimension(segment: str) -> str:
    """The segment dimension the bars split by; 422 naming `segment` when unknown."""
    try:
        chosen = parse_segment(segment)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return str(chosen) if chosen.dimension == "variant" else chosen.dimension


@router.get("")
def overview(request: Request, days: Days = "all", segment: SegmentQuery = "customer") -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    service = _dashboard(request)
    key = _key(days)
    dimension = _dimension(segment)
    report = service.overview(service.period(PERIODS[key]), dimension)
    return _page(
        request,
        session,
        "overview.html",
        title="Overview",
        active="overview",
        days=key,
        periods=PERIODS,
        report=report,
        charts=views.overview_charts(report),
        tables=views.overview_tables(report),
        segment=dimension,
        dimensions=[d for d in DIMENSIONS if d != "variant"],
    )


@router.get("/offers")
def offers(request: Request, days: Days = "all") -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    service = _dashboard(request)
    key = _key(days)
    report = service.offer_outcomes(service.period(PERIODS[key]))
    table = offer_views.offers_table(report)
    return _page(
        request,
        session,
        "offers.html",
        title="Offers",
        active="offers",
        days=key,
        periods=PERIODS,
        table=table,
        chart=offer_views.offers_chart(report),
        count=len(table[1]),
        attribution_days=report.attribution_days,
    )


@router.get("/experiments")
def experiments(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    service = _dashboard(request)
    report = service.overview(service.period(None))
    tests: ExperimentService = request.app.state.tactful.experiments
    return _page(
        request,
        session,
        "experiments.html",
        title="Experiments",
        active="experiments",
        report=report,
        experiments=[tests.results(e.experiment_id) for e in tests.all()],
    )


@router.post("/experiments/{experiment_id}/stop")
def stop_experiment(
    request: Request,
    experiment_id: str,
    csrf: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    variant: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> Response:
    """Stop with the decision record the form gives (refused, naming the field, without)."""
    session = _session(request)
    if session is None:
        return _to_login(request)
    if not tokens_match(session.csrf, csrf):
        return Response("Invalid form token.", status_code=403, headers=SECURITY_HEADERS)
    tests: ExperimentService = request.app.state.tactful.experiments
    if decision.startswith("ship:"):  # the form's "Ship <variant>" options
        decision, variant = "ship", decision.removeprefix("ship:")
    record = StopRequest(decision, reason, by.strip() or "admin", variant or None)
    try:
        tests.stop(experiment_id, record)
    except UnknownExperimentError:
        return Response("no such experiment", status_code=404, headers=SECURITY_HEADERS)
    except ExperimentError as error:
        return Response(str(error), status_code=422, headers=SECURITY_HEADERS)
    return RedirectResponse("/admin/experiments", status_code=303, headers=SECURITY_HEADERS)


@router.get("/customers")
def customers(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    report = _dashboard(request).customers()
    return _page(
        request,
        session,
        "customers.html",
        title="Customers",
        active="customers",
        report=report,
        charts=views.customer_charts(report),
        tables=views.customer_tables(report),
    )


@router.get("/backtests")
def backtests(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    return _page(
        request,
        session,
        "backtests.html",
        title="Backtests",
        active="backtests",
        results=_dashboard(request).backtest_results(),
    )


@router.get("/decisions")
def decisions(request: Request, before: Annotated[str, Query()] = "") -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    try:
        cursor = datetime.fromisoformat(before) if before else None
    except ValueError:
        cursor = None
    if cursor is not None and cursor.tzinfo is None:
        cursor = cursor.replace(tzinfo=UTC)
    shown = _dashboard(request).decisions(PAGE_SIZE, before=cursor)
    return _page(
        request,
        session,
        "decisions.html",
        title="Recent decisions",
        active="decisions",
        decisions=shown,
        older=shown[-1].at.isoformat() if len(shown) == PAGE_SIZE else None,
        paged=cursor is not None,
    )


@router.get("/decisions/{decision_id}")
def decision(request: Request, decision_id: str) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    found = _dashboard(request).decision(decision_id)
    response = _page(
        request,
        session,
        "decision.html",
        title=f"Decision {decision_id}",
        active="decisions",
        decision=found,
        decision_id=decision_id,
    )
    if found is None:
        response.status_code = 404
    return response


@router.get("/csv/{page}/{name}.csv")
def csv_file(
    request: Request, page: str, name: str, days: Days = "all", segment: SegmentQuery = "customer"
) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    service = _dashboard(request)
    period = service.period(PERIODS[_key(days)])
    if page == "overview":
        tables = views.overview_tables(service.overview(period, _dimension(segment)))
    elif page == "offers":
        tables = {"offers": offer_views.offers_table(service.offer_outcomes(period))}
    elif page == "customers":
        tables = views.customer_tables(service.customers())
    else:
        tables = {}
    if name not in tables:
        return Response("no such table", status_code=404, headers=SECURITY_HEADERS)
    return Response(
        views.csv_text(tables[name]),
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="tactful-{page}-{name}.csv"',
        },
    )
