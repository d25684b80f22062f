"""GET /metrics: the Prometheus series of every server process (secret key)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from tactful.web.deps import SecretKey
from tactful.web.observability import Metrics

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request, _scope: SecretKey) -> Response:
    """Request counts and latency per route, decisions and offers by moment, model age,
    holdout share (Prometheus text format; scrape with the secret key as a bearer token)."""
    series: Metrics = request.app.state.metrics
    return Response(series.exposition(), media_type=CONTENT_TYPE_LATEST)
