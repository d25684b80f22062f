"""Liveness and readiness: is the process up, can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tactful import __version__
from tactful.web.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(state: StateDep) -> dict[str, str]:
    """Alive: 200 while the process runs, naming the database kind it reaches.

    A database outage does not fail liveness (restarting tactful would not help); it shows as
    `"database": "unreachable"` here and as 503 on `/readyz`.
    """
    try:
        database = state.check_database()
    except Exception:  # liveness must answer whatever the database does
        database = "unreachable"
    return {"status": "ok", "version": __version__, "database": database}


@router.get("/readyz", responses={503: {"description": "not ready; each check says why"}})
def readyz(state: StateDep) -> JSONResponse:
    """Ready to serve: database reachable, schema migrated to this code's head, model loaded.

    A load balancer sends traffic only to processes answering 200 here; `/healthz` only says
    the process is alive.
    """
    checks = state.readiness()
    ready = all(verdict == "ok" for verdict in checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)
