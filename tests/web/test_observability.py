"""Request ids, one access-log line per request, and Prometheus metrics at /metrics."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tactful.web.observability import JsonLogFormatter
from tests.conftest import LiveServer

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}
CART = {"customer_id": "c1", "moment": "cart", "cart": [{"sku": "A", "quantity": 1}]}


def _samples(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{server.url}/metrics", headers=SECRET).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_every_answer_carries_a_request_id(live_server: LiveServer) -> None:
    made = httpx.get(f"{live_server.url}/healthz").headers["x-request-id"]
    assert len(made) == 32
    int(made, 16)
    kept = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "shop-42.abc"})
    assert kept.headers["x-request-id"] == "shop-42.abc"
    hostile = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "a b<script>"})
    assert hostile.headers["x-request-id"] != "a b<script>"
    fast = httpx.post(f"{live_server.url}/v1/decisions", json=CART, headers=PUBLISHABLE)
    assert fast.status_code == 200
    assert len(fast.headers["x-request-id"]) == 32


def test_one_json_log_line_per_request_without_keys(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tactful.access"):
        answer = httpx.post(f"{live_server.url}/v1/decisions", json=CART, headers=PUBLISHABLE)
        refused = httpx.get(f"{live_server.url}/v1/rules?sku=A", headers={"Authorization": "x"})
    lines = [json.loads(JsonLogFormatter().format(r)) for r in caplog.records]
    by_id = {line["request_id"]: line for line in lines}
    decided = by_id[answer.headers["x-request-id"]]
    assert (decided["method"], decided["route"], decided["status"]) == (
        "POST",
        "/v1/decisions",
        200,
    )
    assert decided["duration_ms"] > 0
    assert by_id[refused.headers["x-request-id"]]["status"] == 401
    logged = caplog.text + "".join(json.dumps(line) for line in lines)
    assert "sk_test_secret" not in logged
    assert "pk_test_publishable" not in logged


def test_metrics_need_the_secret_key(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/metrics").status_code == 401
    assert httpx.get(f"{live_server.url}/metrics", headers=PUBLISHABLE).status_code == 403
    assert httpx.get(f"{live_server.url}/metrics", headers=SECRET).status_code == 200


def test_metrics_count_requests_and_decisions_by_route_and_moment(
    live_server: LiveServer,
) -> None:
    for _ in range(3):
        assert httpx.post(f"{live_server.url}/v1/decisions", json=CART, headers=PUBLISHABLE)
    httpx.get(f"{live_server.url}/v1/no-such-thing/123")
    samples = _samples(live_server)
    decided = (("method", "POST"), ("route", "/v1/decisions"), ("status", "200"))
    assert samples["tactful_http_requests_total", decided] == 3
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert samples["tactful_http_requests_total", unmatched] == 1  # no raw paths as labels
    held = (("held_out", "false"), ("moment", "cart"))
    held_out = (("held_out", "true"), ("moment", "cart"))
    assert (
        samples.get(("tactful_decisions_total", held), 0)
        + samples.get(("tactful_decisions_total", held_out), 0)
        == 3
    )
    latency = (("method", "POST"), ("route", "/v1/decisions"))
    assert samples["tactful_http_request_duration_seconds_count", latency] == 3
    assert samples["tactful_holdout_share", ()] == pytest.approx(0.05)
