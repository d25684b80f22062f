"""The offers report splits by every dimension the overview does (SQLite, PostgreSQL, in
memory): by the offer for moment and kind, by the customer shown it for new or returning,
RFM bucket, country, channel and experiment variant; the values of a dimension add up to
the whole, and the raw log and the daily rollups agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tactful.domain.clock import FixedClock
from tactful.domain.experiments import variant
from tactful.services.ports.storage import Database
from tactful.services.reports import ReportService
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SPAN = {"since": NOW - timedelta(days=14), "until": NOW}
COUNTED = ("impressions", "accepted", "declined", "dismissed", "converted", "ignored")


def arms(experiment_id: str) -> Callable[[str], str]:
    if experiment_id != "exp_1":
        raise ValueError(f"segment: variant: unknown experiment {experiment_id!r}")
    return lambda customer: variant(customer, experiment_id, {"A": 50, "B": 50})


def totals(report: dict[str, Any]) -> Counter[str]:
    found: Counter[str] = Counter()
    for offer in report["offers"]:
        found.update({name: offer[name] for name in COUNTED})
    return found


@pytest.fixture
def reports(database: Database) -> ReportService:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=14, customers=300, uplift=0.2, seed=5))
    return ReportService(measurement_reads(database), clock, holdout_share=0.2, variants=arms)


@pytest.mark.parametrize("dimension", ["customer", "rfm", "channel", "variant:exp_1"])
def test_the_offers_of_each_customer_segment_add_up_to_all_offers(
    reports: ReportService, dimension: str
) -> None:
    whole = totals(reports.offers(**SPAN))
    assert whole["impressions"] > 0
    split = reports.overview(**SPAN, segment=dimension)["segments"]
    values = [key.split(":", 1)[1] for key in split if ":" in key]
    assert values
    summed: Counter[str] = Counter()
    for value in values:
        segment = f"{dimension}/{value.removeprefix('exp_1:')}"
        if not dimension.startswith("variant"):
            segment = f"{dimension}:{value}"
        found = reports.offers(**SPAN, segment=segment)
        assert found["segment"] == segment
        summed += totals(found)
    assert summed == whole
    assert totals(reports.offers(**SPAN, segment=dimension)) == whole  # a whole dimension


def test_new_and_returning_split_the_offers_shown(reports: ReportService) -> None:
    new = totals(reports.offers(**SPAN, segment="new"))
    returning = totals(reports.offers(**SPAN, segment="returning"))
    assert new["impressions"] > 0
    assert returning["impressions"] > 0
    assert new + returning == totals(reports.offers(**SPAN))
    overview = reports.overview(**SPAN, segment="returning")
    assert overview["customers"]["treated"] > 0


def test_a_segment_the_report_does_not_know_names_the_field(reports: ReportService) -> None:
    with pytest.raises(ValueError, match="segment"):
        reports.offers(**SPAN, segment="variant:exp_9")
    with pytest.raises(ValueError, match="segment"):
        reports.offers(**SPAN, segment="planet")
