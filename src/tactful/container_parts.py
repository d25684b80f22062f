"""How each part of the container is built from `Settings`: the decision path, payments,
measurement, email and webhooks. `tactful.container.build_container` puts them together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Engine

from tactful.adapters.backtest_files import BacktestFolder
from tactful.adapters.db.catalog_cache import SqlCatalogSource
from tactful.adapters.db.counters import SqlWindowCounters
from tactful.adapters.db.dashboard_reads import SqlDashboardReports
from tactful.adapters.db.decision_log import SqlDecisionLog
from tactful.adapters.db.decision_reads import SqlDecisionReads
from tactful.adapters.db.email_store import SqlEmailStore
from tactful.adapters.db.experiments import SqlExperimentStore
from tactful.adapters.db.feedback import SqlFeedbackStore
from tactful.adapters.db.measurement_reads import SqlMeasurementReads
from tactful.adapters.db.measurement_rollups import SqlMeasurementRollups
from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.stored_figures import SqlStoredFigures
from tactful.adapters.email import DkimKey, JinjaMailTemplates, mailer_for
from tactful.adapters.memory.counters import MemoryWindowCounters
from tactful.adapters.payments import TestModeGateway
from tactful.domain.checkout import PaymentGateway
from tactful.domain.checkout.page_payments import PagePaymentGateway
from tactful.domain.clock import Clock
from tactful.domain.offers import OfferPolicy
from tactful.domain.sequences import EmailCaps, FrequentBuyers
from tactful.reports_composition import report_parts
from tactful.services.checkout import BumpSource, CheckoutDeps
from tactful.services.dashboard import DashboardService
from tactful.services.decisions import DecisionService, ModelCache
from tactful.services.email_compose import EmailConfig
from tactful.services.email_offers import EngineEmailOffers
from tactful.services.email_worker import EmailWorker
from tactful.services.experiment_policy import ExperimentPolicies, wait_multipliers
from tactful.services.figure_cache import FigureCache
from tactful.services.models import ModelProvider
from tactful.services.offer_allocation import ArmCountCache
from tactful.services.order_webhooks import OrderWebhooks
from tactful.services.ports.counters import WindowCounters
from tactful.services.ports.email import Mailer
from tactful.services.ports.history import HistoryReads
from tactful.services.ports.storage import Database
from tactful.services.reports import ReportService
from tactful.services.rollups import RollupService
from tactful.services.sequences import Sequences
from tactful.settings import Settings


@dataclass(frozen=True)
class DecisionParts:
    """The decision service and the adapters other parts share with it."""

    reads: SqlDecisionReads
    log: SqlDecisionLog
    catalog: SqlCatalogSource
    experiment_store: SqlExperimentStore
    arm_policies: ExperimentPolicies
    service: DecisionService


def decision_parts(
    settings: Settings, db: Engine, database: Database, clock: Clock, models: ModelProvider
) -> DecisionParts:
    """The decision service on its reads, log, catalogue cache, budget and experiment arms."""
    reads = SqlDecisionReads(db)
    budget = SqlOfferBudget(db)
    log = SqlDecisionLog(db, connections=reads.connections.held, budget=budget)
    catalog = SqlCatalogSource(db)
    experiment_store = SqlExperimentStore(db)
    arm_policies = ExperimentPolicies(experiment_store)
    service = DecisionService(
        database,
        reads,
        catalog,
        log,
        policy=OfferPolicy(holdout_share=settings.holdout_share),
        model=ModelCache(models.get),
        clock=clock,
        budget=budget,
        policy_for=arm_policies,
        arm_counts=ArmCountCache(database, clock),
    )
    return DecisionParts(reads, log, catalog, experiment_store, arm_policies, service)


@dataclass(frozen=True)
class MeasurementParts:
    """Exposure and order reads, their daily rollups, the reports built on them, feedback."""

    reads: SqlMeasurementReads
    rollups: RollupService
    reports: ReportService
    feedback: SqlFeedbackStore
    rollup_store: SqlMeasurementRollups
    dashboard_reads: SqlDashboardReports


def measurement_parts(settings: Settings, db: Engine, clock: Clock) -> MeasurementParts:
    """Reports and rollups sharing one attribution window from the settings."""
    parts = report_parts(settings, db, clock)
    dashboard_reads = SqlDashboardReports(db)
    rollups = RollupService(
        parts.reads,
        parts.rollup_store,
        clock,
        attribution=parts.reports.attribution,
        dashboard=dashboard_reads,
    )
    return MeasurementParts(
        parts.reads, rollups, parts.reports, parts.feedback, parts.rollup_store, dashboard_reads
    )


def dashboard(
    settings: Settings,
    db: Engine,
    history: HistoryReads,
    measurement: MeasurementParts,
    clock: Clock,
) -> DashboardService:
    """The merchant dashboard: its own reads, the history, kept backtests, the reports, the
    daily rollups its charts read whole days from, and its figures stored in the database."""
    return DashboardService(
        measurement.dashboard_reads,
        history,
        settings.holdout_share,
        BacktestFolder(settings.data_dir / "backtests"),
        measurement=measurement.reports,
        rollups=measurement.rollup_store,
        cache=FigureCache(SqlStoredFigures(db), clock),
    )


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


def checkout_deps(
    settings: Settings,
    database: Database,
    gateway: PaymentGateway,
    clock: Clock,
    bump_source: BumpSource,
) -> CheckoutDeps:
    """Checkout on `gateway`; hosted card pages only when the gateway is Stripe."""
    return CheckoutDeps(
        database=database,
        gateway=gateway,
        clock=clock,
        link_secret=settings.link_secret,
        bump_source=bump_source,
        page_gateway=cast(PagePaymentGateway, gateway) if gateway.name == "stripe" else None,
    )


def order_webhooks(
    settings: Settings, db: Engine, database: Database, clock: Clock
) -> OrderWebhooks:
    """Shopify and WooCommerce order webhooks, each checked with its own secret."""
    return OrderWebhooks(
        database,
        clock,
        {
            "shopify": settings.shopify_webhook_secret,
            "woocommerce": settings.woocommerce_webhook_secret,
        },
        one_writer=db.dialect.name == "sqlite",
    )


def rate_counters(settings: Settings, db: Engine, clock: Clock) -> WindowCounters:
    """The counters of rate limits and throttles: in the database unless kept in memory."""

    def seconds() -> float:
        return clock.now().timestamp()

    if settings.rate_limit_store == "memory":
        return MemoryWindowCounters(seconds)
    return SqlWindowCounters(db, seconds)


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
        wait_multiplier=wait_multipliers(decisions.policy_for, decisions.policy),
    )
