"""The dashboard's report pages; each needs a signed-in session (else: to the sign-in form)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import Response

from tactful.domain.measurement.segments import DIMENSIONS, Segment, parse_segment
from tactful.domain.measurement.simulation_records import is_simulated
from tactful.domain.offers import trace_words
from tactful.services.email_report import OPENS_NOTE
from tactful.services.reports import OFFER_DIMENSIONS
from tactful.web.admin import offer_views, views
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


def _segment(segment: str) -> Segment | None:
    """The segment asked for (None: every customer); 422 naming `segment` when unknown."""
    if not segment.strip():
        return None
    try:
        return parse_segment(segment)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/offers")
def offers(request: Request, days: Days = "all", segment: SegmentQuery = "") -> Response:
    """Each offer's outcomes, of every customer or of one value of the overview's segments."""
    session = _session(request)
    if session is None:
        return _to_login(request)
    service = _dashboard(request)
    key = _key(days)
    period = service.period(PERIODS[key])
    chosen = _segment(segment)
    shown = str(chosen) if chosen is not None and chosen.value is not None else None
    report = service.offer_outcomes(period, shown)
    lines = offer_views.offer_lines(report)
    dimension = chosen.dimension if chosen is not None else None
    pickable = [d for d in DIMENSIONS if d != "variant"]
    values: list[tuple[str, int]] = []
    if dimension is not None and dimension in pickable:
        values = service.segment_values(period, dimension)
    return _page(
        request,
        session,
        "offers.html",
        title="Offers",
        active="offers",
        days=key,
        periods=PERIODS,
        lines=lines,
        chart=offer_views.offers_chart(report),
        count=len(lines),
        attribution_days=report.attribution_days,
        segment=shown or dimension or "",
        dimension=dimension,
        value=chosen.value if chosen is not None else None,
        values=values,
        value_customers=dict(values).get(chosen.value or "") if chosen else None,
        dimensions=pickable,
        by_offer=dimension in OFFER_DIMENSIONS,
        measured=report.outcomes is not None,
    )


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


@router.get("/sequences")
def sequences(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    return _page(
        request,
        session,
        "sequences.html",
        title="Email sequences",
        active="sequences",
        figures=request.app.state.tactful.email_report.figures(),
        opens_note=OPENS_NOTE,
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
        simulated=is_simulated(decision_id),
        grounds=trace_words.grounds,
        added=trace_words.added,
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
        chosen = _segment(segment)
        shown = str(chosen) if chosen is not None and chosen.value is not None else None
        tables = {"offers": offer_views.offers_table(service.offer_outcomes(period, shown))}
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
