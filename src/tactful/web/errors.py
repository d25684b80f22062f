"""JSON errors that name the field and never leak a 500 for bad input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_body(raw_errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 body for validation errors: every failing field, the first one in `detail`."""
    errors = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "message": e.get("msg", "invalid"),
            "type": e.get("type", "invalid"),
        }
        for e in raw_errors
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    return {
        "error": "invalid_request",
        "detail": f"{first['field']}: {first['message']}",
        "errors": errors,
    }


def error_body(status_code: int, detail: Any) -> dict[str, Any]:
    """The body of every other error: a stable code and a human detail."""
    return {"error": _code(status_code), "detail": detail}


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content=validation_body(exc.errors()))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = error_body(exc.status_code, exc.detail)
    return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)


def _code(status_code: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "payload_too_large",
        422: "invalid_request",
        500: "internal_error",
        503: "unavailable",
    }.get(status_code, "error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error as {error, detail, errors?}."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
