"""Stored dashboard figures: what the worker stores equals what a view computes from the raw
log, a first view reads them without touching the logs, and the job's schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given, strategies
from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.adapters.db.stored_figures import SqlStoredFigures
from tactful.adapters.db.tables_measurement import stored_figures
from tactful.container import Container, build_container
from tactful.domain.clock import FixedClock
from tactful.services.dashboard import DashboardService
from tactful.services.dashboard_refresh import STANDARD_PERIODS, DashboardRefresh
from tactful.services.figure_cache import (
    FIGURES_VERSION,
    REFRESH_AFTER,
    STORED_MAX_AGE,
    FigureCache,
    figures_key,
    stored_key,
)
from tactful.settings import Settings
from tactful.web.admin import offer_views, views
from tactful.web.admin.routes import PERIODS
from tests.support.dashboard_seed import seed_store

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


class Untouchable:
    """Stands in for the logs: a view that reads stored figures asks them nothing but the log's
    time span (which names the period) and settings (the attribution window)."""

    def __init__(self, wrapped: Any = None, allowed: tuple[str, ...] = ()) -> None:
        self.wrapped, self.allowed = wrapped, allowed

    def __getattr__(self, name: str) -> Any:
        if name in self.allowed:
            return getattr(self.wrapped, name)
        raise AssertionError(f"the logs were read: {name}")


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings, clock=FixedClock(NOW))
    yield built
    built.close()


def _pages(board: DashboardService, days: int | None) -> dict[str, Any]:
    """Everything the overview, offers and customers pages show of one period."""
    period = board.period(days)
    overview = board.overview(period)
    offers = board.offer_outcomes(period)
    customers = board.customers(wait=60)
    return {
        "overview": (views.overview_tables(overview), views.overview_charts(overview)),
        "offers": (offer_views.offers_table(offers), offer_views.offers_chart(offers)),
        "customers": (views.customer_tables(customers), views.customer_charts(customers)),
    }


def _fresh(board: DashboardService) -> DashboardService:
    """The same dashboard with nothing kept: every figure computed from the logs."""
    return DashboardService(
        board.reports,
        board.history,
        board.holdout_share,
        board.backtests,
        measurement=board.measurement,
        rollups=board.rollups,
    )


def _stored_only(board: DashboardService, engine: Engine) -> DashboardService:
    """A new process's dashboard that may only read the stored figures."""
    return DashboardService(
        Untouchable(board.reports, ("time_span",)),  # type: ignore[arg-type]
        Untouchable(),  # type: ignore[arg-type]
        board.holdout_share,
        board.backtests,
        measurement=Untouchable(board.measurement, ("attribution",)),  # type: ignore[arg-type]
        rollups=Untouchable(),  # type: ignore[arg-type]
        cache=FigureCache(SqlStoredFigures(engine), FixedClock(NOW + timedelta(minutes=5))),
    )


def test_the_standard_periods_are_the_pages_periods() -> None:
    assert tuple(PERIODS.values()) == STANDARD_PERIODS


def test_stored_figures_equal_the_raw_logs_and_a_first_view_reads_only_them(
    container: Container, engine: Engine
) -> None:
    seed_store(engine, decisions_count=900)
    container.rollups.rebuild(since=NOW.date() - timedelta(days=60), today=NOW.date())
    job = DashboardRefresh(container.dashboard)
    keys = dict(container.dashboard.standard_figures(STANDARD_PERIODS))
    assert job.run_due(NOW) == len(keys)  # 28 days and "all" are one period here
    reader, fresh = _stored_only(container.dashboard, engine), _fresh(container.dashboard)
    for days in STANDARD_PERIODS:
        stored = _pages(reader, days)
        assert stored == _pages(fresh, days)
    assert "not enough" not in str(stored["overview"]).lower()


def test_the_job_refreshes_figures_once_they_are_due(container: Container, engine: Engine) -> None:
    seed_store(engine, decisions_count=300)
    job, clock = DashboardRefresh(container.dashboard), container.clock
    assert isinstance(clock, FixedClock)
    due = job.run_due(clock.now())
    assert due == len(dict(container.dashboard.standard_figures(STANDARD_PERIODS)))
    clock.advance(seconds=REFRESH_AFTER.total_seconds() / 2)
    assert job.run_due(clock.now()) == 0
    clock.advance(seconds=REFRESH_AFTER.total_seconds() / 2)
    assert job.run_due(clock.now()) == due


def test_a_view_recomputes_figures_older_than_the_limit(engine: Engine) -> None:
    store = SqlStoredFigures(engine)
    store.save(stored_key("overview/x"), {"old": True}, computed_at=NOW - STORED_MAX_AGE)
    store.save(stored_key("offers/x"), ["kept"], computed_at=NOW - STORED_MAX_AGE / 2)
    cache = FigureCache(store, FixedClock(NOW))
    assert cache.reuse("overview/x", lambda: {"old": False}) == {"old": False}
    assert store.load(stored_key("overview/x")) == (NOW, {"old": False})
    assert cache.reuse("offers/x", lambda: ["computed"]) == ["kept"]


def test_figures_stored_by_an_older_shape_are_recomputed_not_read(
    container: Container, engine: Engine
) -> None:
    """A pickled overview of the code before the funnel's refunded step (no `refunded` field)
    unpickles fine but would fail the page: stored under the older version's key, the page and
    the worker compute the figures afresh, and the old row goes with the unused ones."""
    seed_store(engine, decisions_count=200)
    board, store = container.dashboard, SqlStoredFigures(engine)
    period = board.period(None)
    key = figures_key("overview", period, "customer")
    old = _fresh(board).overview(period)
    old.funnel.__dict__.pop("refunded")  # as the previous release's Funnel pickled
    for version in range(1, FIGURES_VERSION):
        store.save(stored_key(key, version), old, computed_at=NOW)
    reader = DashboardService(
        board.reports,
        board.history,
        board.holdout_share,
        board.backtests,
        measurement=board.measurement,
        rollups=board.rollups,
        cache=FigureCache(store, FixedClock(NOW)),
    )
    shown = reader.overview(period)
    assert shown.funnel.refunded == _fresh(board).overview(period).funnel.refunded
    assert views.overview_tables(shown)["funnel"][1][-1][0] == "refunded"
    assert DashboardRefresh(board).run_due(NOW + timedelta(days=1, minutes=1)) > 0
    assert store.load(stored_key(key, FIGURES_VERSION - 1)) is None


def test_unreadable_stored_figures_count_as_missing(engine: Engine) -> None:
    store = SqlStoredFigures(engine)
    store.save("customers", "fine", computed_at=NOW)
    with engine.begin() as connection:
        connection.execute(stored_figures.update().values(payload=b"junk"))
    assert store.computed_at("customers") == NOW
    assert store.load("customers") is None
    assert store.forget_before(NOW + timedelta(seconds=1)) == 1
    assert store.computed_at("customers") is None


@hypothesis.settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=strategies.integers(0, 10_000),
    count=strategies.integers(40, 400),
    days=strategies.sampled_from(STANDARD_PERIODS),
)
def test_stored_overviews_equal_recomputed_ones(
    tmp_path_factory: pytest.TempPathFactory, seed: int, count: int, days: int | None
) -> None:
    folder = tmp_path_factory.mktemp("stored")
    url = f"sqlite:///{(folder / 'tactful.db').as_posix()}"
    engine = build_engine(url)
    upgrade(engine)
    seed_store(engine, decisions_count=count, seed=seed, days=20)
    options = Settings.from_env({}, environment="test", data_dir=folder, database_url=url)
    built = build_container(options, engine=engine, clock=FixedClock(NOW))
    try:
        DashboardRefresh(built.dashboard, (days,)).run_due(NOW)
        reader = _stored_only(built.dashboard, engine)
        period = reader.period(days)
        stored, fresh = reader.overview(period), _fresh(built.dashboard).overview(period)
        assert views.overview_tables(stored) == views.overview_tables(fresh)
        assert views.overview_charts(stored) == views.overview_charts(fresh)
    finally:
        built.close()
        engine.dispose()
