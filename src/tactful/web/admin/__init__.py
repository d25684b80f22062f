"""The merchant dashboard (/admin): server-rendered pages behind a sign-in."""

from __future__ import annotations

from fastapi import FastAPI

from tactful.services.ports.counters import WindowCounters
from tactful.settings import Settings
from tactful.web.admin import experiment_pages as _experiment_pages  # noqa: F401
from tactful.web.admin import pages as _pages  # noqa: F401  (registers the page routes)
from tactful.web.admin import webhook_pages as _webhook_pages  # noqa: F401
from tactful.web.admin.auth import AdminAuth, LoginThrottle
from tactful.web.admin.routes import AdminSite, router

__all__ = ["AdminSite", "install_admin"]


def install_admin(app: FastAPI, settings: Settings, counters: WindowCounters) -> None:
    """Serve /admin on `app`, signing in with the admin password or the secret key; failed
    sign-ins are counted in `counters`."""
    app.state.admin = AdminSite(AdminAuth(settings), LoginThrottle(counters))
    app.include_router(router)
