"""The dashboard service: reports reused for a minute, the lifetime fit off the request path."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import numpy as np

from tactful.domain.dashboard import CustomerOutcomes, Period
from tactful.domain.lifetime.history import OrderHistory, Upgrade
from tactful.services.dashboard import COMPUTING, DashboardService

PERIOD = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 29, tzinfo=UTC))


class CountingReports:
    """Empty logs that count how often each is read."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def outcomes(self, period: Period) -> CustomerOutcomes:
        self._count("outcomes")
        empty = np.zeros(0, dtype=np.int64)
        return CustomerOutcomes(np.zeros(0, dtype=bool), empty, empty, empty, empty, "GBP")

    def daily(self, period: Period) -> list[Any]:
        self._count("daily")
        return []

    def offer_stats(self, period: Period) -> list[Any]:
        self._count("offer_stats")
        return []

    def offer_stats_by_day(self, period: Period) -> list[Any]:
        self._count("offer_stats")
        return []

    def recent_decisions(self, limit: int, *, before: datetime | None = None) -> list[Any]:
        return []

    def decision(self, decision_id: str) -> None:
        return None

    def currency(self) -> str:
        return "GBP"

    def time_span(self) -> None:
        return None


class SlowHistory:
    """A history whose first read waits until the test lets it go."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def order_history(self, **_: Any) -> OrderHistory:
        self.release.wait(10)
        return OrderHistory.from_orders([])

    def upgrades(self) -> list[Upgrade]:
        return []


class NoBacktests:
    def results(self) -> list[tuple[str, dict[str, Any]]]:
        return []


def _service(history: Any = None) -> tuple[DashboardService, CountingReports]:
    reports = CountingReports()
    service = DashboardService(reports, history or SlowHistory(), 0.05, NoBacktests())
    return service, reports


def test_an_empty_store_has_no_lift_and_no_division_by_zero() -> None:
    service, _ = _service()
    report = service.overview(PERIOD)
    assert report.lift.incremental() is None
    assert report.acceptance is None
    assert report.srm_p_value is None
    assert report.customers_needed > 0


def test_reports_are_reused_within_a_minute() -> None:
    service, reports = _service()
    service.overview(PERIOD)
    service.overview(PERIOD)
    service.offers(PERIOD)
    assert reports.calls == {"outcomes": 1, "daily": 1, "offer_stats": 1}
    service.overview(Period(PERIOD.since, datetime(2026, 2, 1, tzinfo=UTC)))
    assert reports.calls["outcomes"] == 2


def test_the_lifetime_fit_does_not_hold_a_request() -> None:
    history = SlowHistory()
    service, _ = _service(history)
    assert service.customers(wait=0.01).problem == COMPUTING
    history.release.set()
    done = service.customers(wait=10)
    assert done.problem != COMPUTING
    assert done.clv is None  # no customers: nothing to fit, said plainly
    assert service.customers(wait=0) is done
