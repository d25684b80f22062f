"""The reports-only composition: what `tactful report` reads, wired without the decision path,
payments, email or the web app, so a read-only command starts in a fraction of the time the
whole container takes. `tactful.container_parts.measurement_parts` builds on the same parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.feedback import SqlFeedbackStore
from tactful.adapters.db.guardrail_reads import SqlGuardrailReads
from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.revisions import database_is_current
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.measurement.guardrails import GuardrailThresholds
from tactful.services.experiment_guardrails import ExperimentGuardrails
from tactful.services.experiments import ExperimentService, variant_lookup
from tactful.services.reports import ReportService
from tactful.settings import Settings

__all__ = ["ReportParts", "Reports", "guardrail_thresholds", "open_reports", "report_parts"]


@dataclass(frozen=True)
class ReportParts:
    """The measurement reads, their daily rollups, feedback and the report service on them."""

    reads: SqlMeasurementReads
    rollup_store: SqlMeasurementRollups
    feedback: SqlFeedbackStore
    reports: ReportService


def report_parts(settings: Settings, db: Engine, clock: Clock) -> ReportParts:
    """The report service with the settings' holdout share and attribution window."""
    reads, rollup_store, feedback = (
        SqlMeasurementReads(db),
        SqlMeasurementRollups(db),
        SqlFeedbackStore(db),
    )
    reports = ReportService(
        reads,
        clock,
        holdout_share=settings.holdout_share,
        attribution=timedelta(days=settings.attribution_days),
        feedback=feedback,
        rollups=rollup_store,
    )
    return ReportParts(reads, rollup_store, feedback, reports)


def guardrail_thresholds(settings: Settings) -> GuardrailThresholds:
    """The harm each experiment guardrail tolerates before a variant is flagged."""
    return GuardrailThresholds(
        decline_rate=settings.guardrail_decline_rate,
        refund_rate=settings.guardrail_refund_rate,
        unsubscribe_rate=settings.guardrail_unsubscribe_rate,
        satisfaction=settings.guardrail_satisfaction,
    )


@dataclass(frozen=True)
class Reports:
    """What `tactful report` uses: the reports and the experiments that ran."""

    engine: Engine
    reports: ReportService
    experiments: ExperimentService

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def open_reports(settings: Settings) -> Reports:
    """The reports on the configured database, upgraded first only when its schema is behind
    (a one-row read finds out; Alembic is loaded only to upgrade)."""
    db = build_engine(settings.resolved_database_url, read_mostly=True)
    if not database_is_current(db):
        from tactful.standalone import migrate  # Alembic and every migration: only when due

        migrate(settings)
    clock = SystemClock()
    parts = report_parts(settings, db, clock)
    experiments = ExperimentService(
        SqlExperimentStore(db),
        parts.reads,
        clock,
        guardrails=ExperimentGuardrails(
            SqlGuardrailReads(db), parts.feedback, guardrail_thresholds(settings)
        ),
    )
    parts.reports.variants = variant_lookup(experiments)
    return Reports(db, parts.reports, experiments)
