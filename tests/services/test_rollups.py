"""Daily rollups give the numbers the raw log gives, on every database; the job's schedule."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful.adapters.db.dashboard_reads import SqlDashboardReports
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.tables_measurement import rollup_orders
from tactful.adapters.db.transaction import SqlDatabase
from tactful.domain.clock import FixedClock
from tactful.domain.dashboard import Period
from tactful.domain.measurement import Lift, Overview
from tactful.domain.refunds import OrderRefund, RefundLine, RefundStatus
from tactful.services.dashboard_figures import DashboardFigures
from tactful.services.ports.storage import Database
from tactful.services.report_data import overview_data, segments_data
from tactful.services.reports import ReportService, ReportSpan
from tactful.services.rollups import SETTLE, RollupService, RollupSpan, day_start, split_span
from tactful.services.simulation import SimulationRequest, SimulationService
from tests.services.history_wiring import history_reads
from tests.services.measurement_wiring import measurement_reads, measurement_rollups
from tests.support.dashboard_seed import START, refunded_offer_lines, seed_store

NOW = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
SPLITS = (None, "returning", "moment", "rfm")
WEEK = timedelta(days=7)


def test_split_span_reads_whole_held_days_from_rollups_and_the_edges_raw() -> None:
    since, until = datetime(2026, 2, 1, 6, tzinfo=UTC), datetime(2026, 2, 20, 12, tzinfo=UTC)
    held = (date(2026, 1, 1), date(2026, 2, 10))
    parts = split_span(since, until, held)
    assert parts.rolled == (date(2026, 2, 2), date(2026, 2, 10))
    assert parts.raw == (
        (since, datetime(2026, 2, 2, tzinfo=UTC)),
        (datetime(2026, 2, 10, tzinfo=UTC), until),
    )
    assert split_span(since, until, None).raw == ((since, until),)
    assert split_span(since, until, (date(2026, 3, 1), date(2026, 3, 5))).rolled is None
    midnight = split_span(datetime(2026, 2, 2, tzinfo=UTC), until, held)
    assert midnight.raw[0][0] == datetime(2026, 2, 10, tzinfo=UTC)


def test_split_span_reads_the_passed_hours_of_the_last_day_from_rollups() -> None:
    held, hours = (date(2026, 1, 1), date(2026, 2, 10)), datetime(2026, 2, 10, 22, tzinfo=UTC)
    since, late = datetime(2026, 2, 1, 6, tzinfo=UTC), datetime(2026, 2, 10, 22, 40, tzinfo=UTC)
    parts = split_span(since, late, held, hours)
    assert parts.rolled == (date(2026, 2, 2), date(2026, 2, 11))
    assert parts.raw == ((since, datetime(2026, 2, 2, tzinfo=UTC)), (hours, late))
    today = split_span(datetime(2026, 2, 10, tzinfo=UTC), hours, held, hours)
    assert today == RollupSpan((), (date(2026, 2, 10), date(2026, 2, 11)))
    # Spans that end before the hours rolled up, or begin after midnight, read the day raw.
    early = datetime(2026, 2, 10, 21, 59, tzinfo=UTC)
    assert split_span(since, early, held, hours) == split_span(since, early, held)
    assert split_span(since, late, held, None) == split_span(since, late, held)
    after_midnight = datetime(2026, 2, 10, 1, tzinfo=UTC)
    assert split_span(after_midnight, late, held, hours).raw == ((after_midnight, late),)


def test_reports_with_rollups_equal_reports_from_the_raw_log(database: Database) -> None:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    reads, rollups = measurement_reads(database), measurement_rollups(database)
    raw = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK)
    rolled = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK, rollups=rollups)
    job = RollupService(reads, rollups, clock, attribution=WEEK)
    assert job.run_due(NOW) == 12 + 1  # the days, then today's hours up to 15:00
    assert rollups.rolled_range() == (date(2026, 2, 17), date(2026, 3, 1))
    assert rollups.rolled_until() == datetime(2026, 3, 1, 15, tzinfo=UTC)
    assert job.run_due(NOW + timedelta(minutes=20)) == 0
    assert job.run_due(NOW + timedelta(hours=3)) == 1
    assert rollups.rolled_until() == datetime(2026, 3, 1, 18, tzinfo=UTC)
    for since, until in (
        (NOW - timedelta(days=12), NOW),
        (NOW - timedelta(days=9, hours=5), NOW - timedelta(days=2, hours=1)),
    ):
        assert rolled.overview(since=since, until=until) == raw.overview(since=since, until=until)
        assert rolled.offers(since=since, until=until) == raw.offers(since=since, until=until)
    assert raw.offers(since=NOW - timedelta(days=12), until=NOW)["totals"]["impressions"] > 0


def test_the_overview_from_totals_in_the_database_equals_the_one_from_every_order(
    database: Database,
) -> None:
    """`tactful report` totals each customer's orders in the database; the dashboard reads
    every order and totals them in Python: the same statistics, to the last bit, whole days
    from the rollups or not, and for every segment of the split."""
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    reads, rollups = measurement_reads(database), measurement_rollups(database)
    RollupService(reads, rollups, clock, attribution=WEEK).run_due(NOW)
    for stored in (None, rollups):
        reports = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK, rollups=stored)
        for span in (
            ReportSpan(NOW - timedelta(days=12), NOW),
            ReportSpan(NOW - timedelta(days=9, hours=5), NOW - timedelta(days=2, hours=1)),
        ):
            for segment in (None, "rfm", "moment"):
                totalled = reports.compute_overview(span, segment)
                every_order = reports.compute_overview(span, segment, reports.read_inputs(span))
                assert _figures(totalled) == _figures(every_order)
                assert totalled[0].treated > 20


def _figures(computed: tuple[Overview, Any, Lift | None, dict[str, Overview]]) -> object:
    found, offers, satisfaction, segments = computed
    return (
        asdict(found),
        offers,
        satisfaction,
        {name: asdict(value) for name, value in segments.items()},
    )


def test_a_later_run_rebuilds_the_attribution_window_and_extends_the_range(
    database: Database,
) -> None:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=3, customers=20, uplift=0.2, seed=2))
    rollups = measurement_rollups(database)
    job = RollupService(measurement_reads(database), rollups, clock, attribution=WEEK)
    assert job.rebuild(today=date(2026, 3, 1))["days"] == 3
    later = job.rebuild(today=date(2026, 3, 4))
    assert later == {"days": 6, "from": "2026-02-26", "to": "2026-03-04"}
    assert rollups.rolled_range() == (date(2026, 2, 26), date(2026, 3, 4))
    with pytest.raises(ValueError, match="rollups"):
        job.rebuild(since=date(2026, 5, 1), today=date(2026, 5, 3))


def test_dashboard_figures_from_rollups_equal_the_raw_log(database: Database) -> None:
    """The nightly rebuild's activity and offer figures (migration 0019's columns) give the
    dashboard the numbers its raw reads give, over whole days and with a raw edge."""
    if not isinstance(database, SqlDatabase):
        pytest.skip("the dashboard reads SQL only")
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    reads, rollups = measurement_reads(database), SqlMeasurementRollups(database.engine)
    dashboard = SqlDashboardReports(database.engine)
    job = RollupService(reads, rollups, clock, attribution=WEEK, dashboard=dashboard)
    assert job.run_due(NOW) == 12 + 1
    raw, rolled = DashboardFigures(dashboard), DashboardFigures(dashboard, rollups)
    for period in (
        Period(NOW - timedelta(days=12), NOW),
        Period(NOW - timedelta(days=9, hours=5), NOW - timedelta(days=2, hours=1)),
    ):
        assert rolled.activity(period) == raw.activity(period)
        assert rolled.offer_stats(period) == raw.offer_stats(period)
        assert raw.offer_stats(period) == dashboard.offer_stats(period)
    whole = Period(NOW - timedelta(days=12), NOW)
    assert sum(a.impressions for a in rolled.activity(whole)) > 0
    assert sum(s.accepted for s in rolled.offer_stats(whole)) > 0
    first_day = rollups.rolled_exposures(first_day=date(2026, 2, 17), end_day=date(2026, 3, 1))
    assert {e.moment for e in first_day} <= {"cart", "product", "post_purchase"}
    assert {e.channel for e in first_day} == {"simulation"}
    assert sorted(first_day, key=lambda e: e.customer_id) == sorted(
        reads.exposures(since=NOW - timedelta(days=13), until=datetime(2026, 3, 1, tzinfo=UTC)),
        key=lambda e: e.customer_id,
    )


def test_refunded_offer_lines_from_rollups_equal_the_raw_log(database: Database) -> None:
    """Offer lines refunded by line, in full, or not at all (an amount of another line): the
    nightly rebuild's offer figures count them as the raw reads do, and as the rows say."""
    if not isinstance(database, SqlDatabase):
        pytest.skip("the dashboard reads SQL only")
    seed_store(database.engine, decisions_count=600)
    end = START + timedelta(days=29)
    reads, rollups = measurement_reads(database), SqlMeasurementRollups(database.engine)
    dashboard = SqlDashboardReports(database.engine)
    job = RollupService(reads, rollups, FixedClock(end), attribution=WEEK, dashboard=dashboard)
    assert job.rebuild(since=START.date(), today=end.date())["days"] == 29
    raw, rolled = DashboardFigures(dashboard), DashboardFigures(dashboard, rollups)
    whole = Period(START, end)
    for period in (whole, Period(START + timedelta(days=3, hours=5), end - timedelta(days=4))):
        assert rolled.offer_stats(period) == raw.offer_stats(period)
    counted = sum(s.refunded_lines for s in rolled.offer_stats(whole))
    assert counted == refunded_offer_lines(database.engine) > 0


LATE = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(minutes=st.integers(min_value=0, max_value=24 * 60 - 11), segment=st.sampled_from(SPLITS))
def test_reports_at_any_hour_equal_the_raw_log(
    traffic_all_day: tuple[Database, FixedClock], minutes: int, segment: str | None
) -> None:
    """At any time of day, after the worker's run, the report (whole days and today's passed
    hours from the rollups, the rest of today raw) is the raw log's, field by field."""
    database, clock = traffic_all_day
    now = day_start(LATE.date()) + timedelta(minutes=minutes)
    clock.current = now
    reads, rollups = measurement_reads(database), measurement_rollups(database)
    job = RollupService(reads, rollups, clock, attribution=WEEK)
    job.run_due(now)
    hours = rollups.rolled_until()
    settled = now - SETTLE
    if settled.date() == now.date() and settled.hour > 0:
        assert hours == settled.replace(minute=0, second=0, microsecond=0)
    raw = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK)
    rolled = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK, rollups=rollups)
    assert rolled.overview_and_offers(segment=segment) == raw.overview_and_offers(segment=segment)


@pytest.fixture
def traffic_all_day(database: Database) -> tuple[Database, FixedClock]:
    """12 days of simulated traffic up to 23:50 on the last one, some orders refunded (whole,
    by line, failed)."""
    clock = FixedClock(LATE)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    _refund_orders(database, LATE - timedelta(days=12), LATE, "early")
    return database, clock


def _refund_orders(database: Database, since: datetime, until: datetime, tag: str) -> int:
    """Refund some exposed customers' orders placed in [since, until): whole, one line of,
    and failed (which gives nothing back), in turn. How many refunds were recorded."""
    customers = sorted(
        e.customer_id for e in measurement_reads(database).exposures(since=since, until=until)
    )
    recorded = 0
    with database.transaction() as tx:
        for turn, customer in enumerate(customers):
            placed = tx.orders.orders_of(customer, since=since)
            for order in sorted(placed, key=lambda o: (o.created_at, o.order_id))[:2]:
                line = order.lines[0]
                whole = sum(one.unit_price.amount * one.quantity for one in order.lines)
                amount, lines, status = {
                    0: (whole, None, RefundStatus.SUCCEEDED),
                    1: (
                        line.unit_price.amount,
                        (RefundLine(1, 1, line.unit_price.amount),),
                        RefundStatus.PENDING,
                    ),
                    2: (whole, None, RefundStatus.FAILED),
                }[turn % 3]
                refund = OrderRefund(
                    f"{tag}-{order.order_id}",
                    order.order_id,
                    amount,
                    order.currency,
                    "",
                    status,
                    None,
                    lines,
                    until,
                )
                tx.refunds.record_refund(refund)
                recorded += 1
    return recorded


def test_the_hours_rolled_up_stay_until_the_whole_days_pass_them(database: Database) -> None:
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=3, customers=20, uplift=0.2, seed=2))
    rollups = measurement_rollups(database)
    job = RollupService(measurement_reads(database), rollups, clock, attribution=WEEK)
    assert job.roll_hours(NOW) == 0  # nothing to add hours to before the first build
    job.rebuild(today=date(2026, 3, 1))
    assert rollups.rolled_until() is None
    assert job.roll_hours(datetime(2026, 3, 1, 0, 30, tzinfo=UTC)) == 0  # no hour passed
    assert job.roll_hours(NOW) == 1
    assert rollups.rolled_until() == datetime(2026, 3, 1, 15, tzinfo=UTC)
    job.rebuild(since=date(2026, 2, 27), today=date(2026, 3, 1))
    assert rollups.rolled_until() == datetime(2026, 3, 1, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="rollups"):
        rollups.replace_hours(day=date(2026, 2, 28), until=NOW, exposures=[], offers=[])
    job.rebuild(today=date(2026, 3, 2))
    assert rollups.rolled_range() == (date(2026, 2, 26), date(2026, 3, 2))
    assert rollups.rolled_until() is None


def test_order_totals_read_the_rolled_up_days_and_equal_the_raw_orders(
    database: Database,
) -> None:
    """`tactful report`'s per-customer order totals read each customer's orders of the days
    (and today's hours) the rollups hold from `rollup_orders`, the rest raw, and refunds by
    order whenever made: the raw totals, a refund made after the rollup included."""
    if not isinstance(database, SqlDatabase):
        pytest.skip("order rollups are SQL only")
    clock = FixedClock(NOW)
    simulation = SimulationService(database, history_reads(database), clock, holdout_share=0.2)
    simulation.run(SimulationRequest(days=12, customers=250, uplift=0.2, seed=8))
    reads, rollups = measurement_reads(database), measurement_rollups(database)
    RollupService(reads, rollups, clock, attribution=WEEK).run_due(NOW)
    assert _refund_orders(database, NOW - timedelta(days=12), NOW, "late") > 20
    rolled = (datetime(2026, 2, 17, tzinfo=UTC), datetime(2026, 3, 1, 15, tzinfo=UTC))
    exposures = reads.exposures(since=NOW - timedelta(days=12), until=NOW)

    def totals(**given: Any) -> list[Any]:
        found = reads.customer_totals(exposures, until=NOW, pre_period=timedelta(days=90), **given)
        return sorted(found, key=lambda t: (t.customer_id, t.currency))

    raw = totals()
    assert sum(t.refunded for t in raw) > 0
    assert sum(t.orders for t in raw) > 20
    assert totals(rolled=rolled) == raw
    # The report's order side (the offers' net revenue takes a late refund when the nightly
    # rebuild of recent days reaches its day).
    with_rollups = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK, rollups=rollups)
    raw_log = ReportService(reads, clock, holdout_share=0.2, attribution=WEEK)
    span = raw_log.span()
    for segment in SPLITS:
        assert _order_side(with_rollups, span, segment) == _order_side(raw_log, span, segment)
    with database.engine.begin() as connection:
        connection.execute(rollup_orders.delete().where(rollup_orders.c.day < date(2026, 2, 25)))
    assert totals(rolled=rolled) != raw  # what they hold is read from them


def _order_side(reports: ReportService, span: ReportSpan, segment: str | None) -> object:
    """The overview's figures from customers' orders, as the report prints them (the offers'
    funnel left out)."""
    found, _, _, segments = reports.compute_overview(span, segment)
    return overview_data(found, (), {}), segments_data(segments)
