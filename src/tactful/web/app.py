"""The FastAPI application factory: nothing is built until an entry point calls it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from sqlalchemy import Engine

from tactful import __version__
from tactful.adapters.db.engine import build_engine
from tactful.services.models import ModelProvider
from tactful.settings import Settings
from tactful.web.api import (
    checkout_pages,
    customers,
    decisions,
    events,
    health,
    models,
    orders,
    products,
    rules,
)
from tactful.web.errors import install_error_handlers
from tactful.web.fast_path import TactfulAPI
from tactful.web.limits import BodySizeLimit
from tactful.web.pages import checkout as checkout_html
from tactful.web.state import AppState


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """Build the app for `settings`; the engine is created here unless one is passed."""
    settings = settings.with_generated_keys()
    own_engine = engine is None
    db = engine if engine is not None else build_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        app.state.tactful.extras["models"].start()
        yield
        decisions.close_decision_log(app.state.tactful)
        if own_engine:
            db.dispose()

    app = TactfulAPI(
        title="tactful",
        version=__version__,
        summary="Respectful upsells and cross-sells, with proof that they pay.",
        lifespan=lifespan,
    )
    state = app.state.tactful = AppState(settings=settings, engine=db)
    app.fast_paths["POST", "/v1/decisions"] = partial(decisions.serve_decision_fast, state)
    app.state.tactful.extras["models"] = ModelProvider(db)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.include_router(health.router)
    for part in (products, customers, orders, events, decisions, models, rules):
        app.include_router(part.router)
    app.include_router(checkout_pages.router)
    app.include_router(checkout_html.router)
    return app
