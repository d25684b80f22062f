"""TactfulAPI: FastAPI plus a few routes answered straight from ASGI, for the hot path.

A storefront asks for a decision on every product page, cart and checkout view, so
POST /v1/decisions is the one call whose cost decides how many machines a merchant needs.
FastAPI's generic stack (error middlewares, the body-size middleware, routing through every
route, a Request object) costs more per call than a whole decision's reads (measured in
bench/http_decisions.py). A fast path skips that stack and keeps the contract: the route
stays registered, so OpenAPI documents it and it still serves the call when the fast path
is not taken (e.g. under a root_path); a fast path answers with the same status codes and
JSON error bodies, and enforces the same body-size limit itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from tactful.web.errors import RETRY_AFTER_SECONDS, OutageCause, error_body, outage_answer
from tactful.web.limits import declares_more_than
from tactful.web.observability import ROUTE_KEY

_log = logging.getLogger(__name__)
Headers = Sequence[tuple[bytes, bytes]]
Answer = tuple[int, bytes, Headers]
"""Status, JSON body and extra headers of a response."""
FastHandler = Callable[[Scope, Receive], Awaitable[Answer]]
INTERNAL = "internal error; see the server log"
JSON_TYPE = (b"content-type", b"application/json")


class TactfulAPI(FastAPI):
    """FastAPI that looks up (method, path) in `fast_paths` before its own stack.

    A fast handler reads the request and returns its answer (status, JSON body, extra
    headers); sending it is left here, so an unexpected error can still become a logged 500
    JSON answer instead of a dropped connection.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast_paths: dict[tuple[str, str], FastHandler] = {}
        self.outage_cause: OutageCause = _no_outages
        self.entry: ASGIApp = self.dispatch
        """Where every request enters: `dispatch`, or an observer wrapped around it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.entry(scope, receive, send)

    async def dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A fast path when one matches (method, path), else FastAPI's own stack."""
        if scope["type"] == "http":
            handler = self.fast_paths.get((scope["method"], scope["path"]))
            if handler is not None:
                scope[ROUTE_KEY] = scope["path"]
                try:
                    status, body, headers = await handler(scope, receive)
                except Exception as exc:
                    status, body, headers = self._failure(scope, exc)
                await send_json(send, status, body, headers)
                return
        await super().__call__(scope, receive, send)

    def _failure(self, scope: Scope, error: Exception) -> Answer:
        """503 with Retry-After while the database is unavailable; otherwise a logged 500."""
        outage = outage_answer(error, self.outage_cause)
        if outage is not None:
            return 503, orjson.dumps(outage), (RETRY_AFTER,)
        _log.exception("%s %s failed", scope["method"], scope["path"])
        return 500, json_error(500, INTERNAL), ()


RETRY_AFTER = (b"retry-after", str(RETRY_AFTER_SECONDS).encode())


def _no_outages(_error: BaseException) -> None:
    return None


def header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's raw value (names arrive lower-cased from the server)."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it is (or is declared) over `limit`."""
    declared = header(scope, b"content-length")
    if declares_more_than(declared, limit):
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away; what came is what there is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def json_error(status_code: int, detail: Any) -> bytes:
    """An error body shaped like every other error of the API."""
    return orjson.dumps(error_body(status_code, detail))


def too_large(limit: int) -> bytes:
    """The 413 body, as the body-size middleware words it."""
    return json_error(413, f"body: larger than {limit} bytes")


async def send_json(send: Send, status: int, body: bytes, headers: Headers = ()) -> None:
    """Send a complete JSON response."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [JSON_TYPE, (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})
