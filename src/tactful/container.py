"""The composition root: every service built once from `Settings`, each a typed field.

The web app (`create_app`), the CLI commands and the coming `tactful worker` ask the
container for what they need; only this module chooses adapters (SQLAlchemy, the payment
gateway, file readers) and hands them to services as ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, timedelta

from sqlalchemy import Engine, text

from tactful.adapters.db.decision_log import SqlDecisionLog
from tactful.adapters.db.decision_reads import SqlDecisionReads
from tactful.adapters.db.email_feedback import SqlEmailFeedback
from tactful.adapters.db.email_report import SqlSequenceReport
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.guardrail_reads import SqlGuardrailReads
from tactful.adapters.db.history_reads import SqlHistoryReads
from tactful.adapters.db.outages import OUTAGE_ERRORS, outage_cause
from tactful.adapters.db.queue_gauges import queue_gauges
from tactful.adapters.db.repositories.models import NpzModelPayloads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.db.webhook_store import SqlWebhookStore
from tactful.adapters.importers import FileReaders
from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.adapters.payments import TestModeGateway
from tactful.adapters.webhooks import StandardWebhookSender, new_secret
from tactful.container_parts import (
    checkout_deps,
    dashboard,
    decision_parts,
    email_worker,
    measurement_parts,
    order_webhooks,
    payment_gateway,
    rate_counters,
)
from tactful.domain.checkout import PaymentGateway
from tactful.domain.clock import Clock, SystemClock
from tactful.mining_process import in_child_process
from tactful.reports_composition import guardrail_thresholds
from tactful.services.checkout import BumpSource, CheckoutDeps
from tactful.services.checkout_bumps import engine_bumps
from tactful.services.dashboard import DashboardService
from tactful.services.dashboard_refresh import DashboardRefresh
from tactful.services.decisions import DecisionService
from tactful.services.due_work import DueWork
from tactful.services.email_feedback import EmailFeedback
from tactful.services.email_report import SequenceReport
from tactful.services.email_worker import EmailWorker
from tactful.services.experiment_guardrails import ExperimentGuardrails
from tactful.services.experiments import ExperimentService, variant_lookup
from tactful.services.feedback import FeedbackService
from tactful.services.ingest import Ingest
from tactful.services.model_jobs import Launch, ModelJobs
from tactful.services.models import ModelProvider, ModelStorage
from tactful.services.order_webhooks import OrderWebhooks
from tactful.services.ports.counters import WindowCounters
from tactful.services.ports.email import Mailer
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.imports import OrderFiles
from tactful.services.ports.storage import Database
from tactful.services.refunds import Refunds
from tactful.services.remine import ScheduledRemine
from tactful.services.reports import ReportService
from tactful.services.rollups import RollupService
from tactful.services.sequences import Sequences
from tactful.services.simulation import SimulationService
from tactful.services.webhooks_out import WebhookDelivery, Webhooks
from tactful.settings import Settings
from tactful.standalone import migrate

__all__ = ["Container", "build_container", "open_container"]


@dataclass
class Container:
    """Everything an entry point uses, built once; `close()` stores what is queued and ends."""

    settings: Settings
    engine: Engine
    database: Database
    clock: Clock
    models: ModelProvider
    model_storage: ModelStorage
    model_jobs: ModelJobs
    decision_reads: SqlDecisionReads
    decision_log: SqlDecisionLog
    decisions: DecisionService
    ingest: Ingest
    payment_gateway: PaymentGateway
    checkout: CheckoutDeps
    order_files: OrderFiles
    history: HistoryReads
    refunds: Refunds
    order_webhooks: OrderWebhooks
    webhooks: Webhooks
    webhook_delivery: WebhookDelivery
    reports: ReportService
    rollups: RollupService
    feedback: FeedbackService
    experiments: ExperimentService
    simulation: SimulationService
    dashboard: DashboardService
    sequences: Sequences
    email: EmailWorker
    email_feedback: EmailFeedback
    email_report: SequenceReport
    rate_counters: WindowCounters = field(default_factory=MemoryWindowCounters)
    """Rate limits and abuse throttles (shared by every process unless kept in memory)."""
    due_work: list[DueWork] = field(default_factory=list)
    """What `tactful worker` runs when due: the email sends, then any other part's work."""
    owns_engine: bool = field(default=False)
    outage_errors: tuple[type[Exception], ...] = OUTAGE_ERRORS
    """Database errors that may mean "unavailable for now"; `outage_cause` says which."""

    @staticmethod
    def outage_cause(error: BaseException) -> str | None:
        """Why `error` means the database is unavailable (answer 503), or None (a bug: 500)."""
        return outage_cause(error)

    def start(self) -> None:
        """Load what serving needs before the first request: the active model, then the
        catalogue decisions read."""
        self.models.start()
        self.decisions.start()

    def close(self) -> None:
        """Write the decisions still queued, release held connections, dispose an own engine."""
        self.decisions.close()
        self.webhook_delivery.close()
        if self.owns_engine:
            self.engine.dispose()

    @property
    def database_url(self) -> str:
        """The database's URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def check_database(self) -> str:
        """One round trip to the database; returns its kind (sqlite, postgresql)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return self.engine.dialect.name

    def gauges(self) -> dict[str, float]:
        """Operational figures read when metrics are scraped: model age, holdout share, and
        the mail and webhook outboxes (depth per state, oldest due wait)."""
        figures = {"holdout_share": self.settings.holdout_share}
        figures.update(queue_gauges(self.engine, self.clock.now()))
        loaded = self.models.get()
        if loaded is not None:
            created = loaded.info.created_at
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            figures["model_age_seconds"] = (self.clock.now() - created).total_seconds()
        return figures

    def readiness(self) -> dict[str, str]:
        """What `/readyz` reports: each check's verdict, "ok" or why it is not ready."""
        from tactful.adapters.db.schema import current_revision, head_revision

        checks: dict[str, str] = {}
        try:
            self.check_database()
            checks["database"] = "ok"
        except Exception as exc:  # any driver error means "not ready", with its cause
            checks["database"] = f"unreachable: {type(exc).__name__}: {exc}".splitlines()[0]
            checks["migrations"] = "unknown: the database is unreachable"
        else:
            current, head = current_revision(self.engine), head_revision()
            checks["migrations"] = (
                "ok" if current == head else f"schema at {current or 'empty'}, code needs {head}"
            )
        held = self.models.version
        checks["model"] = "ok" if held else "no active model loaded (mine one: POST /v1/models)"
        return checks


def build_container(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
    bump_source: BumpSource | None = None,
    model_check_every: float = 1.0,
    mail_sender: Mailer | None = None,
    mining_launch: Launch | None = None,
) -> Container:
    """Build every service for `settings`; the engine is created here unless one is passed.

    `clock`, `bump_source`, `mail_sender` and `mining_launch` replace the system clock, the
    offer engine's order bumps, the mailer and the child mining process (tests); an engine
    passed in stays the caller's to dispose.
    """
    db = engine if engine is not None else build_engine(settings.resolved_database_url)
    database, clock = SqlDatabase(db), clock or SystemClock()
    storage = ModelStorage(database, NpzModelPayloads())
    models = ModelProvider(storage, check_every=model_check_every, load_in_background=True)
    decision = decision_parts(settings, db, database, clock, models)
    gateway = payment_gateway(settings, db, clock)
    history = SqlHistoryReads(db)
    measurement = measurement_parts(settings, db, clock)
    email = email_worker(settings, db, decision.service, mail_sender)
    webhook_store = SqlWebhookStore(db)
    webhook_delivery = WebhookDelivery(webhook_store, StandardWebhookSender())
    launch = mining_launch or in_child_process(settings)
    bumps = bump_source or engine_bumps(decision.service)
    experiments = ExperimentService(
        decision.experiment_store,
        measurement.reads,
        clock,
        changed=decision.arm_policies.forget,
        guardrails=ExperimentGuardrails(
            SqlGuardrailReads(db), measurement.feedback, guardrail_thresholds(settings)
        ),
    )
    measurement.reports.variants = variant_lookup(experiments)
    board = dashboard(settings, db, history, measurement, clock)
    return Container(
        settings=settings,
        engine=db,
        database=database,
        clock=clock,
        models=models,
        model_storage=storage,
        model_jobs=ModelJobs(storage, settings, clock, provider=models, launch=launch),
        decision_reads=decision.reads,
        decision_log=decision.log,
        decisions=decision.service,
        ingest=Ingest(database, clock, catalog_changed=decision.catalog.reload),
        order_webhooks=order_webhooks(settings, db, database, clock),
        payment_gateway=gateway,
        checkout=checkout_deps(settings, database, gateway, clock, bumps),
        order_files=FileReaders(),
        history=history,
        refunds=Refunds(
            database, clock, {"test": TestModeGateway(db, clock), gateway.name: gateway}
        ),
        reports=measurement.reports,
        rollups=measurement.rollups,
        feedback=FeedbackService(database, measurement.feedback, clock),
        experiments=experiments,
        simulation=SimulationService(
            database, history, clock, holdout_share=settings.holdout_share
        ),
        dashboard=board,
        sequences=email.sequences,
        email=email,
        email_feedback=EmailFeedback(SqlEmailFeedback(db), email.config, clock),
        email_report=SequenceReport(SqlSequenceReport(db), email.store),
        rate_counters=rate_counters(settings, db, clock),
        webhooks=Webhooks(webhook_store, clock, new_secret),
        webhook_delivery=webhook_delivery,
        due_work=[
            email,
            webhook_delivery,
            measurement.rollups,
            DashboardRefresh(board),
            _remine(storage, settings),
        ],
        owns_engine=engine is None,
    )


def _remine(storage: ModelStorage, settings: Settings) -> ScheduledRemine:
    """Mining again every `TACTFUL_REMINE_EVERY_HOURS`, as due work."""
    return ScheduledRemine(storage, settings, timedelta(hours=settings.remine_every_hours))


def open_container(settings: Settings, *, migrated: bool = True) -> Container:
    """A container on the configured database, upgraded to the newest schema first."""
    if migrated:
        migrate(settings)
    return build_container(settings)
