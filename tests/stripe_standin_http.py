"""The Stripe stand-in (`tests.stripe_standin.StripeStandIn`) served over real HTTP on loopback.

`with StandInServer(StripeStandIn(...)) as api:` and point the `stripe` package at `api.url`.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.stripe_standin import StripeStandIn


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`card[number]=..`, `types[0]=card`) back into nested values."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class StandInServer:
    """The stand-in on a free loopback port, for `with` blocks; `url` is its base address."""

    def __init__(self, stand_in: StripeStandIn) -> None:
        self.stand_in = stand_in
        handler = _handler(stand_in)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StandInServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _handler(stand_in: StripeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _answer(self, method: str) -> None:
            if self.headers.get("Authorization") != f"Bearer {stand_in.secret_key}":
                error = {"type": "invalid_request_error", "message": "Invalid API Key provided"}
                self._send(401, {"error": error})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            params = unflatten(parse_qsl(body or query, keep_blank_values=True))
            status, answer = stand_in.handle(
                method, path, params, self.headers.get("Idempotency-Key")
            )
            self._send(status, answer)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_" + secrets.token_hex(6))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    return Handler
