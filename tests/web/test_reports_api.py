"""GET /v1/reports/overview and /v1/reports/offers over real HTTP, secret key only."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer

SECRET = {"Authorization": "Bearer sk_test_secret_key_0123456789"}
PUBLISHABLE = {"Authorization": "Bearer pk_test_publishable_0123456789"}


def test_reports_answer_with_the_secret_key_only(live_server: LiveServer) -> None:
    for path in ("/v1/reports/overview", "/v1/reports/offers"):
        url = live_server.url + path
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers=PUBLISHABLE).status_code == 403
        answer = httpx.get(url, headers=SECRET, params={"from": "2026-01-01", "to": "2026-02-01"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["from"].startswith("2026-01-01")


def test_an_empty_overview_says_what_is_missing(live_server: LiveServer) -> None:
    body = httpx.get(live_server.url + "/v1/reports/overview", headers=SECRET).json()
    assert body["status"] == "not_enough_data"
    assert body["incremental_revenue"]["estimate"] is None
    offers = httpx.get(live_server.url + "/v1/reports/offers", headers=SECRET).json()
    assert offers["offers"] == []
    assert offers["totals"]["impressions"] == 0


def test_a_backward_span_is_422(live_server: LiveServer) -> None:
    answer = httpx.get(
        live_server.url + "/v1/reports/overview",
        headers=SECRET,
        params={"from": "2026-02-01", "to": "2026-01-01"},
    )
    assert answer.status_code == 422
    assert "from" in answer.text


@pytest.mark.parametrize(
    ("field", "value"), [("to", "0001-01-04T00:29:00.0Z"), ("from", "9999-12-31T00:00:00Z")]
)
def test_a_time_outside_any_history_is_422_naming_it(
    live_server: LiveServer, field: str, value: str
) -> None:
    # Found by the API fuzz test: year 1 overflowed the 90-day pre-period into a 500.
    for report in ("overview", "offers"):
        url = f"{live_server.url}/v1/reports/{report}"
        answer = httpx.get(url, headers=SECRET, params={field: value})
        assert answer.status_code == 422
        assert field in answer.json()["detail"]


def test_an_unknown_segment_is_422_naming_it(live_server: LiveServer) -> None:
    url = live_server.url + "/v1/reports/overview"
    answer = httpx.get(url, headers=SECRET, params={"segment": "vip"})
    assert answer.status_code == 422
    assert "segment" in answer.text
    assert httpx.get(url, headers=SECRET, params={"segment": "new"}).json()["segment"] == "new"


def test_segments_of_every_dimension_are_accepted(live_server: LiveServer) -> None:
    base = live_server.url + "/v1/reports"
    for segment in ("rfm", "country:France", "kind", "channel", "moment:checkout", "customer"):
        answer = httpx.get(base + "/overview", headers=SECRET, params={"segment": segment})
        assert answer.status_code == 200, (segment, answer.text)
        assert answer.json()["segment"] == segment
    for segment in ("moment:checkout", "country:France", "returning", "rfm:champions"):
        offers = httpx.get(base + "/offers", headers=SECRET, params={"segment": segment})
        assert offers.status_code == 200, (segment, offers.text)
        assert offers.json()["segment"] == segment
    for path, segment in (
        ("/overview", "variant:no_such_experiment"),
        ("/overview", "rfm:vip"),
        ("/offers", "variant:no_such_experiment"),
        ("/offers", "planet"),
    ):
        refused = httpx.get(base + path, headers=SECRET, params={"segment": segment})
        assert refused.status_code == 422, (path, segment)
        assert "segment" in refused.text
