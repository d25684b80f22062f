"""Webhook deliveries per second to a local receiver: outbox claimed, signed, POSTed, recorded.

Builds the container on SQLite in a temporary folder, registers one endpoint at a local
HTTP receiver (a thread of this process), publishes N events to the outbox, then times the
worker's `WebhookDelivery.run_due` until every message is delivered. Checks each message
arrived once with a distinct `webhook-id`. Target (issue 24): >= 200 deliveries/s.

    python bench/webhooks_out.py [--messages 3000]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from tactful.container import open_container
from tactful.domain.webhooks_out import EventType
from tactful.settings import Settings

TARGET = 200.0


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ids: ClassVar[list[str]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with Receiver.lock:
            Receiver.ids.append(self.headers["webhook-id"])
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    with tempfile.TemporaryDirectory(prefix="tactful-webhooks-out-") as tmp:
        settings = Settings.from_env(
            {}, environment="test", data_dir=Path(tmp), secret_key="sk_" + "b" * 30
        )
        container = open_container(settings)
        try:
            container.webhooks.register(receiver, [EventType.OFFER_ACCEPTED])
            started = time.perf_counter()
            for n in range(args.messages):
                container.webhooks.publish(EventType.OFFER_ACCEPTED, {"offer_id": f"off_{n}"})
            published = time.perf_counter() - started
            cpu, started = time.process_time(), time.perf_counter()
            attempted = container.webhook_delivery.run_due(datetime.now(UTC))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            container.close()
            server.shutdown()
    rate = attempted / wall
    print(f"webhooks out: {args.messages} messages to one local receiver")
    print(f"  published to the outbox at {args.messages / published:.0f}/s")
    print(f"  received {len(Receiver.ids)}, distinct webhook-ids {len(set(Receiver.ids))}")
    print(
        f"  {rate:.0f} deliveries/s wall ({wall:.2f} s); "
        f"CPU of this process (sender and receiver) {cpu / attempted * 1e3:.2f} ms each"
    )
    print(f"  target >= {TARGET:.0f}/s: {'met' if rate >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
