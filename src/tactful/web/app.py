"""The FastAPI application factory: nothing is built until an entry point calls it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI

from tactful import __version__
from tactful.container import Container, build_container
from tactful.settings import Settings
from tactful.web.admin import install_admin
from tactful.web.api import (
    checkout_pages,
    customers,
    decisions,
    events,
    experiments,
    feedback,
    health,
    metrics,
    models,
    order_webhooks,
    orders,
    products,
    refunds,
    reports,
    rules,
    sequences,
    webhook_endpoints,
    webhooks,
)
from tactful.web.api_docs import install_api_docs
from tactful.web.card_testing import PayGuard
from tactful.web.errors import install_error_handlers, install_outage_handler
from tactful.web.fast_path import TactfulAPI
from tactful.web.limits import BodySizeLimit
from tactful.web.observability import Metrics, RequestObserver
from tactful.web.openapi_errors import install_error_docs
from tactful.web.page_security import PageSecurity
from tactful.web.pages import checkout as checkout_html
from tactful.web.pages import demo_shop, email_pages, stripe_pages
from tactful.web.pages import feedback as feedback_page
from tactful.web.pages import quote as checkout_quote
from tactful.web.rate_limit import RateLimit
from tactful.web.storefront import StorefrontGate
from tactful.web.widget import router as widget_router


def create_app(
    settings: Settings, *, engine: Any = None, container: Container | None = None
) -> FastAPI:
    """Build the app for `settings` on `container` (built here, on `engine` if one is passed).

    The container is closed with the app: queued decisions are stored, held connections
    released, and an engine the container created disposed.
    """
    settings = settings.with_generated_keys()
    built = container or build_container(settings, engine=engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        built.start()
        yield
        built.close()

    app = TactfulAPI(
        title="tactful",
        version=__version__,
        summary="Respectful upsells and cross-sells, with proof that they pay.",
        lifespan=lifespan,
        docs_url=None,  # served from local assets by install_api_docs, not from a CDN
        redoc_url=None,
    )
    install_api_docs(app)
    install_error_docs(app)
    app.state.tactful = built
    app.state.pay_guard = PayGuard(built.rate_counters, settings.link_secret)
    app.state.metrics = series = Metrics(gauges=built.gauges)
    limit = RateLimit(
        built.rate_counters,
        settings.publishable_rate_limit,
        offload=settings.rate_limit_store != "memory",
    )
    gate = StorefrontGate(app.dispatch, settings, limit)
    app.entry = RequestObserver(gate, series, log_requests=settings.access_log)
    app.fast_paths["POST", "/v1/decisions"] = partial(decisions.serve_decision_fast, built, series)
    for path in order_webhooks.PATHS:
        app.fast_paths["POST", path] = partial(order_webhooks.serve_order_webhook_fast, built)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        PageSecurity,
        secret=settings.link_secret,
        https=settings.base_url.startswith("https://"),
    )
    install_error_handlers(app)
    checkout_html.install_csrf_handler(app)
    install_outage_handler(app, built.outage_errors, built.outage_cause)
    app.outage_cause = built.outage_cause
    app.include_router(health.router)
    app.include_router(metrics.router)
    for part in (products, customers, orders, events, decisions, models, rules):
        app.include_router(part.router)
    app.include_router(checkout_pages.router)
    app.include_router(refunds.router)
    app.include_router(reports.router)
    app.include_router(feedback.router)
    app.include_router(experiments.router)
    app.include_router(webhooks.router)
    app.include_router(order_webhooks.router)
    app.include_router(webhook_endpoints.router)
    app.include_router(stripe_pages.router)
    app.include_router(checkout_quote.router)
    app.include_router(checkout_html.router)
    app.include_router(feedback_page.router)
    app.include_router(sequences.router)
    app.include_router(email_pages.router)
    app.include_router(widget_router)
    if settings.demo_shop:
        app.include_router(demo_shop.router)
    install_admin(app, settings, built.rate_counters)
    return app
