"""Refuse oversized bodies before they are read into memory."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LENGTH = re.compile(rb"[0-9]{1,18}")


def declares_more_than(content_length: bytes | None, limit: int) -> bool:
    """Whether a Content-Length header declares a body over `limit` bytes.

    Only ASCII digits count (bytes.isdigit is ASCII-only, but say so); 19 digits or more is
    over any limit without calling int() on it (int() refuses over 4,300 digits). Anything else
    declares nothing: the body is still counted as it arrives.
    """
    if content_length is None or not content_length.isascii():
        return False
    if _LENGTH.fullmatch(content_length):
        return int(content_length) > limit
    return len(content_length) > 18 and content_length.isdigit()


class BodySizeLimit:
    """ASGI middleware: 413 with a JSON error when a body exceeds `max_bytes`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declares_more_than(declared, self.max_bytes):
            await self._reject(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLargeError:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"error": "payload_too_large", "detail": f"body: larger than {self.max_bytes} bytes"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLargeError(Exception):
    pass
