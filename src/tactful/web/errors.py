"""JSON errors that name the field and never leak a 500 for bad input."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

_log = logging.getLogger("tactful.outage")
OutageCause = Callable[[BaseException], "str | None"]
"""Says why an error means the database is unavailable (a 503), or None for a real bug."""
RETRY_AFTER_SECONDS = 2
_FIELD_FIRST = re.compile(r"^(?P<field>[\w.\-\[\]]+): (?P<message>.+)$", re.DOTALL)
UNPARSABLE_BODY = "There was an error parsing the body"  # FastAPI's 400 for broken JSON
UNAVAILABLE = "the service is briefly unavailable; retry after the Retry-After delay"


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
    if isinstance(exc.detail, Mapping) and "field" in exc.detail:  # name it where 422s do
        body["errors"] = [{"field": str(exc.detail["field"]), "message": _message(exc.detail)}]
    elif exc.status_code == 400 and exc.detail == UNPARSABLE_BODY:
        body["errors"] = [{"field": "body", "message": "is not valid JSON", "type": "json_invalid"}]
    elif exc.status_code in (400, 422) and isinstance(exc.detail, str):
        named = _FIELD_FIRST.match(exc.detail)  # "from: must be before to"
        if named is not None:
            body["errors"] = [{"field": named["field"], "message": named["message"]}]
    return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)


def _message(detail: Mapping[str, Any]) -> str:
    return str(detail.get("message") or detail.get("error") or "invalid")


def _code(status_code: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "payload_too_large",
        422: "invalid_request",
        429: "rate_limited",
        500: "internal_error",
        503: "unavailable",
    }.get(status_code, "error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error as {error, detail, errors?}."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def outage_answer(error: BaseException, cause: OutageCause) -> dict[str, Any] | None:
    """The 503 body for an outage, logging its cause once; None when `error` is not one."""
    reason = cause(error)
    if reason is None:
        return None
    _log.error("database unavailable, answering 503: %s", reason)
    return error_body(503, UNAVAILABLE)


def install_outage_handler(
    app: FastAPI, errors: tuple[type[Exception], ...], cause: OutageCause
) -> None:
    """Answer 503 with Retry-After, not 500, while the database is down, full or read-only."""

    async def _outage(_request: Request, exc: Exception) -> JSONResponse:
        body = outage_answer(exc, cause)
        if body is None:
            raise exc  # not an outage: the server's 500 handler logs it
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(status_code=503, content=body, headers=headers)

    for error in errors:
        app.add_exception_handler(error, _outage)
