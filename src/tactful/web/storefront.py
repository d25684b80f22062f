"""The browser's way in: CORS and rate limits on the publishable endpoints.

A storefront page calls POST /v1/decisions, its responses and /v1/events from the
shopper's browser with the publishable key. Pages on the origins in
`TACTFUL_ALLOWED_ORIGINS` (and tactful's own pages) may; any other origin is refused with
403 before the call is served. Each (key, client IP) may make `publishable_rate_limit`
calls in a sliding minute (counted by every server process together unless
`TACTFUL_RATE_LIMIT_STORE=memory`); past it the answer is 429 with Retry-After. The secret
key, used from merchants' servers, is not limited here.
"""

from __future__ import annotations

import hmac
import re

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tactful.settings import Settings
from tactful.web.errors import error_body
from tactful.web.fast_path import header, send_json
from tactful.web.observability import ROUTE_KEY
from tactful.web.rate_limit import RateLimit, retry_after

PUBLISHABLE_PATHS = re.compile(r"^/v1/(decisions|decisions/[^/]+/responses|events)$")
"""The endpoints a publishable key may call: the storefront's."""
ALLOWED_HEADERS = b"authorization, content-type, x-request-id"
EXPOSED_HEADERS = b"retry-after, x-request-id"
PREFLIGHT_MAX_AGE = b"600"


class StorefrontGate:
    """ASGI middleware in front of the app: CORS and rate limits for publishable calls."""

    def __init__(self, app: ASGIApp, settings: Settings, limit: RateLimit) -> None:
        self.app = app
        self.settings = settings
        self.origins = settings.origins
        self.limit = limit
        self._secret = settings.secret_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not PUBLISHABLE_PATHS.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        scope.setdefault(ROUTE_KEY, _template(scope["path"]))
        origin = header(scope, b"origin")
        cors = self._cors_headers(origin)
        if origin is not None and not self.allows(origin.decode("latin-1"), scope):
            detail = f"origin {origin.decode('latin-1')} may not call this endpoint"
            await _refuse(send, 403, detail, ())
            return
        if scope["method"] == "OPTIONS":
            await _preflight(send, cors)
            return
        wait = await self._wait(scope)
        if wait:
            seconds = retry_after(wait)
            extra = (*cors, (b"retry-after", str(seconds).encode()))
            await _refuse(send, 429, f"too many requests; retry in {seconds} s", extra)
            return
        await self.app(scope, receive, _with_headers(send, cors) if cors else send)

    def allows(self, origin: str, scope: Scope) -> bool:
        """An allowed origin: configured, `*`, or the server's own (its pages and demo shop)."""
        if origin in self.origins or "*" in self.origins:
            return True
        host = header(scope, b"host")
        own = f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}" if host else None
        return origin in (own, self.settings.base_url)

    def _cors_headers(self, origin: bytes | None) -> tuple[tuple[bytes, bytes], ...]:
        if origin is None:
            return ()
        return (
            (b"access-control-allow-origin", origin),
            (b"vary", b"Origin"),
            (b"access-control-expose-headers", EXPOSED_HEADERS),
        )

    async def _wait(self, scope: Scope) -> float:
        """Seconds this caller must wait (0: go ahead); secret-key calls are not limited."""
        if not self.limit.enabled:
            return 0.0
        _, _, token = (header(scope, b"authorization") or b"").partition(b" ")
        token = token.strip()
        if self._secret and hmac.compare_digest(token, self._secret):
            return 0.0
        client = scope.get("client")
        caller = f"{token.decode('latin-1')} {client[0] if client else ''}"
        return await self.limit.take_async(caller)


def _template(path: str) -> str:
    """The route template of a publishable path, for the metrics of refused calls."""
    return "/v1/decisions/{decision_id}/responses" if path.endswith("/responses") else path


def _with_headers(send: Send, extra: tuple[tuple[bytes, bytes], ...]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *extra]
        await send(message)

    return sending


async def _preflight(send: Send, cors: tuple[tuple[bytes, bytes], ...]) -> None:
    headers = [
        *cors,
        (b"access-control-allow-methods", b"POST, OPTIONS"),
        (b"access-control-allow-headers", ALLOWED_HEADERS),
        (b"access-control-max-age", PREFLIGHT_MAX_AGE),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(
    send: Send, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...]
) -> None:
    await send_json(send, status, orjson.dumps(error_body(status, detail)), headers)
