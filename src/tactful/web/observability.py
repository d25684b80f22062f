"""What an operator sees: a request id on every answer, one log line per request, metrics.

`RequestObserver` wraps the whole app (the ASGI fast path included). It takes the caller's
`X-Request-ID` when it is a plausible id, or makes one, returns it in the answer's header and
writes it in the request's log line, so a merchant's bug report can be found in the log.
`Metrics` holds the Prometheus series, served at `/metrics` (secret key). With `serve
--workers N` every process writes its series to PROMETHEUS_MULTIPROC_DIR and a scrape of any
one of them adds all of them up.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
ROUTE_KEY = "tactful.route"
"""Scope key where a fast path names its route (FastAPI sets scope["route"] itself)."""
_PLAUSIBLE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
access_log = logging.getLogger("tactful.access")


class Metrics:
    """The app's Prometheus series, in a registry of its own (tests build many apps)."""

    def __init__(self, gauges: Callable[[], dict[str, float]] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "tactful_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tactful_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "tactful_decisions",
            "Decisions answered, by moment and whether the customer is held out",
            ["moment", "held_out"],
            registry=self.registry,
        )
        self.offers_shown = Counter(
            "tactful_offers_shown",
            "Offers shown in decisions, by moment and kind",
            ["moment", "kind"],
            registry=self.registry,
        )
        self._gauges = _StateGauges(gauges or dict)
        self._children: dict[tuple[MetricWrapperBase, tuple[str, ...]], Any] = {}

    def series(self, metric: MetricWrapperBase, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once per label values: `labels()` checks its
        arguments and takes a lock on every call, which every request paid several times."""
        key = (metric, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request answered with `status` after `seconds`."""
        self.series(self.requests, method, route, str(status)).inc()
        self.series(self.latency, method, route).observe(seconds)

    def count_decision(self, moment: str, held_out: bool, offer_kinds: Iterable[str]) -> None:
        """One decision answered, and the kinds of the offers it showed."""
        self.series(self.decisions, moment, "true" if held_out else "false").inc()
        for kind in offer_kinds:
            self.series(self.offers_shown, moment, kind).inc()

    def exposition(self) -> bytes:
        """The text format of every series: this process's, or all processes' when forked."""
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry) + generate_latest(self._gauges.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(combined) + generate_latest(self._gauges.registry)


class _StateGauges(Collector):
    """Gauges read at scrape time from the app's state (model age, holdout share, outbox)."""

    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self._read = read
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def collect(self) -> Iterator[Metric]:
        for name, value in self._read().items():
            yield GaugeMetricFamily(f"tactful_{name}", name.replace("_", " "), value=value)


def _route(scope: Scope) -> str:
    """The route template, never the raw path (ids in paths would explode the series)."""
    named = scope.get(ROUTE_KEY)
    if named is not None:
        return str(named)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path is not None else "unmatched"


def _request_id(scope: Scope) -> bytes:
    for key, value in scope["headers"]:
        if key == REQUEST_ID_HEADER and _PLAUSIBLE_ID.fullmatch(value):
            return bytes(value)
    return uuid.uuid4().hex.encode()


class RequestObserver:
    """ASGI middleware: request id header, one access-log line and the HTTP series."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, log_requests: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = [500]  # what the client gets if the app fails before answering

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id)]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, status[0], time.perf_counter() - started, request_id)

    def _observe(self, scope: Scope, status: int, seconds: float, request_id: bytes) -> None:
        method, route = scope["method"], _route(scope)
        self.metrics.observe_request(method, route, status, seconds)
        if self.log_requests:
            path = _without_keys(scope["path"])
            access_log.info(
                "%s %s %d %.1f ms",
                method,
                path,
                status,
                seconds * 1000,
                extra={
                    "request_id": request_id.decode(),
                    "method": method,
                    "path": path,  # never the query string: it may carry tokens
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )


_KEY_LIKE = re.compile(r"(?:sk|pk|rk|whsec)_[A-Za-z0-9_\-]+")
"""An API or webhook key, which a client may put in a path by mistake (GET /sk_live_...)."""


def _without_keys(path: str) -> str:
    """The path as logged: anything shaped like a key is replaced."""
    return _KEY_LIKE.sub("[redacted]", path)


_EXTRA_FIELDS = ("request_id", "method", "path", "route", "status", "duration_ms")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: MutableMapping[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Send tactful's logs to stderr as JSON lines (production) or readable text."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("tactful")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
