"""Reports over stored traffic: a simulation's report equals its in-memory outcomes, on every
database; an empty store says "not enough data yet" with the sample needed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.clock import FixedClock
from tactful.domain.experiments import variant
from tactful.domain.measurement import OverviewSettings, overview
from tactful.domain.measurement.segments import RFM_BUCKETS
from tactful.services.ports.storage import Database
from tactful.services.reports import ReportService
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads

NOW = datetime(2026, 3, 1, tzinfo=UTC)
REQUEST = SimulationRequest(days=14, customers=300, uplift=0.2, seed=5)


def services(database: Database) -> tuple[SimulationService, ReportService]:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    reports = ReportService(measurement_reads(database), clock, holdout_share=0.2)
    return simulation, reports


def test_the_report_of_a_stored_simulation_is_its_planned_outcome(database: Database) -> None:
    simulation, reports = services(database)
    planned = simulation.plan(REQUEST)
    done = simulation.run(REQUEST)
    found = reports.overview(since=NOW - timedelta(days=14), until=NOW)
    expected = overview(planned.outcomes(), OverviewSettings(holdout_share=0.2))
    assert done["treated"] == found["customers"]["treated"] == expected.treated
    assert found["customers"]["held_out"] == expected.held_out == done["held_out"]
    assert expected.incremental is not None
    assert found["incremental_revenue"]["estimate"] == round(expected.incremental[0])
    assert found["incremental_revenue"]["ci_low"] == round(expected.incremental[1])
    assert found["revenue_per_customer"]["treated"] == pytest.approx(
        expected.revenue.treated, abs=0.01
    )  # type: ignore[union-attr]
    assert found["srm_p_value"] == pytest.approx(expected.srm_p_value, abs=1e-6)
    assert found["funnel"]["impressions"] == done["impressions"]
    accepted = int((planned.visit_response == 0).sum())
    assert found["funnel"]["accepted"] == accepted
    assert found["funnel"]["converted"] >= accepted


def test_a_seed_runs_once_per_database(database: Database) -> None:
    simulation, _ = services(database)
    small = SimulationRequest(days=2, customers=5, uplift=0.1, seed=9)
    simulation.run(small)
    with pytest.raises(ValueError, match="seed"):
        simulation.run(small)


def test_an_empty_store_says_not_enough_data(database: Database) -> None:
    _, reports = services(database)
    found = reports.overview()
    assert found["status"] == "not_enough_data"
    assert found["message"].startswith("not enough data yet")
    assert found["incremental_revenue"]["estimate"] is None
    assert found["customers"] == {"treated": 0, "held_out": 0, "mixed": 0}
    assert found["acceptance_rate"] is None
    assert reports.offers()["offers"] == []


def test_a_span_must_run_forward(database: Database) -> None:
    _, reports = services(database)
    with pytest.raises(ValueError, match="from"):
        reports.overview(since=NOW, until=NOW - timedelta(days=1))


def test_satisfaction_compares_rating_customers_against_the_holdout(database: Database) -> None:
    from tactful.adapters.memory.feedback import MemoryFeedbackStore
    from tactful.domain.feedback import Feedback

    simulation, _ = services(database)
    done = simulation.run(REQUEST)
    planned = simulation.plan(REQUEST)
    store = MemoryFeedbackStore()
    for index, (customer, held) in enumerate(
        zip(planned.customers, planned.held_out.tolist(), strict=True)
    ):
        rating = 3 if held else 4 + index % 2
        at = NOW - timedelta(days=1)
        store.add(Feedback(f"f{index}", "o", customer.customer_id, rating, "", (), "api", at))
    reports = ReportService(
        measurement_reads(database), FixedClock(NOW), holdout_share=0.2, feedback=store
    )
    found = reports.overview(since=NOW - timedelta(days=14), until=NOW)["metrics"]["satisfaction"]
    assert found["held_out"] == 3.0
    assert 4.4 < found["treated"] < 4.6
    assert found["ci_low"] > 0
    assert done["held_out"] > 2


def test_segments_split_customers_by_spend_before_their_first_decision(database: Database) -> None:
    simulation, reports = services(database)
    simulation.run(REQUEST)
    span = {"since": NOW - timedelta(days=14), "until": NOW}
    whole = reports.overview(**span)
    segments = whole["segments"]
    assert set(segments) == {"new", "returning"}
    for key in ("treated", "held_out"):
        assert sum(s["customers"][key] for s in segments.values()) == whole["customers"][key]
    returning = reports.overview(**span, segment="returning")
    assert returning["segment"] == "returning"
    assert returning["customers"]["treated"] == segments["returning"]["customers"]["treated"]
    with pytest.raises(ValueError, match="segment"):
        reports.overview(**span, segment="vip")


def test_every_dimension_splits_the_customers_it_reports_on(database: Database) -> None:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(REQUEST)

    def arms(experiment_id: str) -> Callable[[str], str]:
        if experiment_id != "exp_1":
            raise ValueError(f"segment: variant: unknown experiment {experiment_id!r}")
        return lambda customer: variant(customer, experiment_id, {"A": 50, "B": 50})

    reports = ReportService(measurement_reads(database), clock, holdout_share=0.2, variants=arms)
    span = {"since": NOW - timedelta(days=14), "until": NOW}
    whole = reports.overview(**span)
    expected_values = {
        "moment": {"cart", "product", "post_purchase"},
        "channel": {"simulation"},
        "variant:exp_1": {"A", "B"},
        "country": {"none"},
    }
    for dimension in ("rfm", "country", "kind", "channel", "moment", "variant:exp_1", "customer"):
        found = reports.overview(**span, segment=dimension)
        assert found["customers"] == whole["customers"]
        split = {k: v for k, v in found["segments"].items() if ":" in k}
        for arm in ("treated", "held_out"):
            total = sum(s["customers"][arm] for s in split.values())
            assert total == whole["customers"][arm], dimension
        values = {k.split(":", 1)[1].removeprefix("exp_1:") for k in split}
        if dimension in expected_values:
            assert values == expected_values[dimension]
        if dimension == "rfm":
            assert values <= set(RFM_BUCKETS)
    cart = reports.overview(**span, segment="moment:cart")
    assert (
        cart["customers"]["treated"]
        == (
            reports.overview(**span, segment="moment")["segments"]["moment:cart"]["customers"][
                "treated"
            ]
        )
    )
    assert 0 < cart["customers"]["treated"] < whole["customers"]["treated"]
    offers = reports.offers(**span, segment="moment:cart")["offers"]
    assert offers
    assert {o["moment"] for o in offers} == {"cart"}
    for bad, where in (
        ("variant:exp_9", "offers"),
        ("variant:exp_9", "overview"),
        ("variant", "overview"),
    ):
        with pytest.raises(ValueError, match=r"^segment"):
            getattr(reports, where)(**span, segment=bad)
