"""Liveness and readiness: is the process up, can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter

from tactful import __version__
from tactful.web.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(state: StateDep) -> dict[str, str]:
    """Up and able to query the database."""
    database = state.check_database()
    return {"status": "ok", "version": __version__, "database": database}
