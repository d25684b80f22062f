"""The composition root: every service built once from `Settings`, each a typed field.

The web app (`create_app`), the CLI commands and the coming `tactful worker` ask the
container for what they need; only this module chooses adapters (SQLAlchemy, the payment
gateway, file readers) and hands them to services as ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, text

from tactful.adapters.backtest_files import BacktestFolder
from tactful.adapters.db.backup import BackupResult, BackupUnsupportedError, backup_sqlite
from tactful.adapters.db.catalog_cache import SqlCatalogSource
from tactful.adapters.db.dashboard_reads import SqlDashboardReports
from tactful.adapters.db.decision_log import SqlDecisionLog
from tactful.adapters.db.decision_reads import SqlDecisionReads
from tactful.adapters.db.email_feedback import SqlEmailFeedback
from tactful.adapters.db.email_store import SqlEmailStore
from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.feedback import SqlFeedbackStore
from tactful.adapters.db.history_reads import SqlHistoryReads
from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.outages import OUTAGE_ERRORS, outage_cause
from tactful.adapters.db.platform_orders import SqlPlatformOrderIds
from tactful.adapters.db.queue_gauges import queue_gauges
from tactful.adapters.db.repositories.models import NpzModelPayloads
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.db.webhook_store import SqlWebhookStore
from tactful.adapters.email import DkimKey, JinjaMailTemplates, mailer_for
from tactful.adapters.importers import FORMATS, FileReaders
from tactful.adapters.importers.mining_input import baskets_from_file
from tactful.adapters.payments import TestModeGateway
from tactful.adapters.spark import SparkUnavailableError
from tactful.adapters.webhooks import StandardWebhookSender, new_secret
from tactful.domain.affinity import MiningEngine
from tactful.domain.checkout import PaymentGateway
from tactful.domain.checkout.page_payments import PagePaymentGateway
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.model_jobs import JobId, ModelJob
from tactful.domain.offers import OfferPolicy
from tactful.domain.sequences import EmailCaps, FrequentBuyers
from tactful.mining_process import in_child_process
from tactful.services.checkout import BumpSource, CheckoutDeps
from tactful.services.checkout_bumps import engine_bumps
from tactful.services.dashboard import DashboardService
from tactful.services.decisions import DecisionService, ModelCache
from tactful.services.due_work import DueWork
from tactful.services.email_compose import EmailConfig
from tactful.services.email_feedback import EmailFeedback
from tactful.services.email_offers import EngineEmailOffers
from tactful.services.email_worker import EmailWorker
from tactful.services.experiment_policy import ExperimentPolicies
from tactful.services.experiments import ExperimentService
from tactful.services.feedback import FeedbackService
from tactful.services.ingest import Ingest
from tactful.services.model_jobs import Launch, ModelJobs
from tactful.services.models import ModelProvider, ModelStorage
from tactful.services.order_webhooks import OrderWebhooks
from tactful.services.ports import Database
from tactful.services.ports.email import Mailer
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.imports import OrderFiles
from tactful.services.refunds import Refunds
from tactful.services.remine import ScheduledRemine
from tactful.services.reports import ReportService
from tactful.services.rollups import RollupService
from tactful.services.sequences import Sequences
from tactful.services.simulation import SimulationService
from tactful.services.webhooks_out import WebhookDelivery, Webhooks
from tactful.settings import Settings

__all__ = [
    "FORMATS",
    "BackupResult",
    "BackupUnsupportedError",
    "Container",
    "SparkUnavailableError",
    "backup_database",
    "baskets_from_file",
    "build_container",
    "file_readers",
    "keep_backtest",
    "migrate",
    "open_container",
    "run_mining_job",
    "schema_revisions",
    "spark_engine",
]


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
        """Load what serving needs before the first request (the active model)."""
        self.models.start()

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


def payment_gateway(settings: Settings, engine: Engine, clock: Clock) -> PaymentGateway:
    """The gateway `TACTFUL_PAYMENT_GATEWAY` names: the built-in test mode or Stripe."""
    if settings.payment_gateway == "test":
        return TestModeGateway(engine, clock)
    if settings.payment_gateway == "stripe":
        from tactful.adapters.payments.stripe_gateway import StripeGateway  # stripe: only here

        return StripeGateway(
            settings.stripe_secret_key,
            settings.stripe_publishable_key,
            settings.stripe_webhook_secret,
            api_base=settings.stripe_api_base,
        )
    raise ValueError(f"TACTFUL_PAYMENT_GATEWAY: unknown gateway {settings.payment_gateway!r}")


def email_config(settings: Settings) -> EmailConfig:
    """What the email worker needs from the settings."""
    return EmailConfig(
        base_url=settings.base_url,
        secret=settings.link_secret,
        sender=settings.email_from,
        merchant=settings.email_merchant,
        postal_address=settings.email_postal_address,
        caps=EmailCaps(
            per_window=settings.email_max_per_week,
            min_gap=timedelta(hours=settings.email_min_gap_hours),
        ),
        rate_per_minute=settings.email_rate_per_minute,
        pause_after_purchase=timedelta(days=settings.email_pause_after_purchase_days),
        frequent_buyers=FrequentBuyers(
            orders=settings.email_frequent_buyer_orders,
            window=timedelta(days=settings.email_frequent_buyer_days),
            max_offers=settings.email_frequent_buyer_max_offers,
        ),
    )


def mailer(settings: Settings) -> Mailer:
    """The mailer `TACTFUL_SMTP_URL` names, DKIM-signing when a key file is set."""
    key = None
    if settings.dkim_key_file:
        domain = settings.dkim_domain or settings.email_from.rpartition("@")[2]
        key = DkimKey.from_file(Path(settings.dkim_key_file), settings.dkim_selector, domain)
    return mailer_for(settings.smtp_url, settings.data_dir / "outbox", key)


def email_worker(
    settings: Settings, db: Engine, decisions: DecisionService, sender: Mailer | None = None
) -> EmailWorker:
    """Sequences, their store, templates and the mailer, as the worker's due email work."""
    store = SqlEmailStore(db)
    folder = settings.email_templates_dir
    templates = JinjaMailTemplates(Path(folder) if folder else None)
    return EmailWorker(
        store=store,
        sequences=Sequences(store, templates),
        mailer=sender or mailer(settings),
        templates=templates,
        offers=EngineEmailOffers(decisions),
        config=email_config(settings),
    )


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

    `clock`, `bump_source` and `mail_sender` replace the system clock, the offer engine's
    order bumps and the mailer (tests); an engine passed in stays the caller's to dispose.
    Mining jobs run in a child process (`tactful.mining_process`) unless `mining_launch`
    says otherwise.
    """
    owns_engine = engine is None
    db = engine if engine is not None else build_engine(settings.resolved_database_url)
    database = SqlDatabase(db)
    clock = clock or SystemClock()
    storage = ModelStorage(database, NpzModelPayloads())
    models = ModelProvider(storage, check_every=model_check_every, load_in_background=True)
    reads = SqlDecisionReads(db)
    log = SqlDecisionLog(db, connections=reads.connections.held)
    catalog = SqlCatalogSource(db)
    experiment_store = SqlExperimentStore(db)
    arm_policies = ExperimentPolicies(experiment_store)
    decisions = DecisionService(
        database,
        reads,
        catalog,
        log,
        policy=OfferPolicy(holdout_share=settings.holdout_share),
        model=ModelCache(models.get),
        clock=clock,
        budget=SqlOfferBudget(db),
        policy_for=arm_policies,
    )
    gateway = payment_gateway(settings, db, clock)
    history = SqlHistoryReads(db)
    feedback = SqlFeedbackStore(db)
    measure_reads, measure_rollups = SqlMeasurementReads(db), SqlMeasurementRollups(db)
    attribution = timedelta(days=settings.attribution_days)
    rollups = RollupService(measure_reads, measure_rollups, clock, attribution=attribution)
    email = email_worker(settings, db, decisions, mail_sender)
    webhook_store = SqlWebhookStore(db)
    webhook_delivery = WebhookDelivery(webhook_store, StandardWebhookSender())
    checkout = CheckoutDeps(
        database=database,
        gateway=gateway,
        clock=clock,
        link_secret=settings.link_secret,
        bump_source=bump_source or engine_bumps(decisions),
        page_gateway=cast(PagePaymentGateway, gateway) if gateway.name == "stripe" else None,
    )
    reports = ReportService(
        measure_reads,
        clock,
        holdout_share=settings.holdout_share,
        attribution=attribution,
        feedback=feedback,
        rollups=measure_rollups,
    )
    return Container(
        settings=settings,
        engine=db,
        database=database,
        clock=clock,
        models=models,
        model_storage=storage,
        model_jobs=ModelJobs(
            storage,
            settings,
            clock,
            provider=models,
            launch=mining_launch or in_child_process(settings),
        ),
        decision_reads=reads,
        decision_log=log,
        decisions=decisions,
        ingest=Ingest(database, clock, catalog_changed=catalog.reload),
        order_webhooks=OrderWebhooks(
            database,
            clock,
            SqlPlatformOrderIds(db),
            {
                "shopify": settings.shopify_webhook_secret,
                "woocommerce": settings.woocommerce_webhook_secret,
            },
            one_writer=db.dialect.name == "sqlite",
        ),
        payment_gateway=gateway,
        checkout=checkout,
        order_files=FileReaders(),
        history=history,
        refunds=Refunds(
            database, clock, {"test": TestModeGateway(db, clock), gateway.name: gateway}
        ),
        reports=reports,
        rollups=rollups,
        feedback=FeedbackService(database, feedback, clock),
        experiments=ExperimentService(
            experiment_store, measure_reads, clock, changed=arm_policies.forget
        ),
        simulation=SimulationService(
            database, history, clock, holdout_share=settings.holdout_share
        ),
        dashboard=DashboardService(
            SqlDashboardReports(db),
            history,
            settings.holdout_share,
            BacktestFolder(settings.data_dir / "backtests"),
            measurement=reports,
        ),
        sequences=email.sequences,
        email=email,
        email_feedback=EmailFeedback(SqlEmailFeedback(db), email.config, clock),
        webhooks=Webhooks(webhook_store, clock, new_secret),
        webhook_delivery=webhook_delivery,
        due_work=[
            email,
            webhook_delivery,
            rollups,
            ScheduledRemine(storage, settings, timedelta(hours=settings.remine_every_hours)),
        ],
        owns_engine=owns_engine,
    )


def migrate(settings: Settings) -> tuple[str | None, str | None, str]:
    """Upgrade the configured database to the newest schema: (before, after, safe URL)."""
    from tactful.adapters.db.schema import current_revision, upgrade  # alembic: only here

    engine = build_engine(settings.resolved_database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        return before, current_revision(engine), engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


def schema_revisions(settings: Settings) -> tuple[str | None, str | None]:
    """The configured database's schema revision and the newest one this code knows."""
    from tactful.adapters.db.schema import current_revision, head_revision

    engine = build_engine(settings.resolved_database_url)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()


def file_readers() -> OrderFiles:
    """The order-export readers, for commands that read a file without a database."""
    return FileReaders()


def backup_database(settings: Settings, target: Path) -> BackupResult:
    """An online, consistent copy of the configured SQLite database at `target`."""
    engine = build_engine(settings.resolved_database_url)
    try:
        return backup_sqlite(engine, target)
    finally:
        engine.dispose()


def keep_backtest(settings: Settings, name: str, report: dict[str, object]) -> Path | None:
    """Keep a copy of a backtest report in DATA_DIR/backtests/ for the dashboard (None if not)."""
    try:
        return BacktestFolder(settings.data_dir / "backtests").save(name, report)
    except OSError:
        return None


def spark_engine(master: str | None) -> MiningEngine:
    """The Spark mining engine on `master` (default local[*]); SparkUnavailableError if absent."""
    from tactful.adapters.spark import SparkEngine, spark_session

    return SparkEngine(spark_session(master))


def run_mining_job(settings: Settings, job_id: JobId) -> ModelJob:
    """Run one stored mining job in this process (`python -m tactful.mining_process`).

    Only what mining needs is built: the database, the model storage and the job runner.
    """
    engine = build_engine(settings.resolved_database_url)
    try:
        storage = ModelStorage(SqlDatabase(engine), NpzModelPayloads())
        return ModelJobs(storage, settings, SystemClock()).run(job_id)
    finally:
        engine.dispose()


def open_container(settings: Settings, *, migrated: bool = True) -> Container:
    """A container on the configured database, upgraded to the newest schema first."""
    if migrated:
        migrate(settings)
    return build_container(settings)
