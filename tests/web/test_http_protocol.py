"""`OneWriteProtocol`: uvicorn's protocol writing what one event-loop turn wrote in one call.

The transport is checked on a real event loop against a recording transport; the protocol
serves a real uvicorn over real sockets: keep-alive, pipelined requests, a streamed body
whose chunks come in later turns, and a connection the app closes.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from tactful.web.http_protocol import OneWriteProtocol, TurnWriteTransport
from tests.conftest import free_port


class Recording(asyncio.Transport):
    """Records every write and whether it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_writes_of_one_turn_go_out_in_one_call() -> None:
    async def scenario() -> list[list[bytes]]:
        inner = Recording()
        transport = TurnWriteTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"{}")
        assert inner.writes == []  # nothing yet: the turn is not over
        await asyncio.sleep(0)
        seen = [list(inner.writes)]
        transport.write(b"next")
        await asyncio.sleep(0)
        seen.append(list(inner.writes))
        return seen

    after_first, after_second = asyncio.run(scenario())
    assert after_first == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    assert after_second == [b"HTTP/1.1 200 OK\r\n\r\n{}", b"next"]


def test_close_writes_what_is_pending_first() -> None:
    async def scenario() -> Recording:
        inner = Recording()
        transport = TurnWriteTransport(inner, asyncio.get_running_loop())
        transport.write(b"last words")
        transport.close()
        await asyncio.sleep(0)  # the scheduled flush finds nothing left
        return inner

    inner = asyncio.run(scenario())
    assert inner.writes == [b"last words"]
    assert inner.closed


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """/stream sends its body in three chunks across turns; anything else echoes its path."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one,", b"two,", b"three"):
            await asyncio.sleep(0.01)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    body = scope["path"].encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if scope["path"] == "/close":
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def port() -> Iterator[int]:
    chosen = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=chosen, http=OneWriteProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        assert thread.is_alive(), "server stopped"
        time.sleep(0.02)
    yield chosen
    server.should_exit = True
    thread.join(timeout=10)


def read_until_closed(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_keep_alive_and_pipelined_requests_are_answered_in_order(port: int) -> None:
    requests = b"".join(
        f"GET /{name} HTTP/1.1\r\nhost: x\r\n\r\n".encode() for name in ("a", "b", "close")
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(requests)
        answer = read_until_closed(connection)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    bodies = [part.rsplit(b"\r\n\r\n", 1)[-1] for part in answer.split(b"HTTP/1.1 ")[1:]]
    assert bodies == [b"/a", b"/b", b"/close"]


def test_a_streamed_body_arrives_whole(port: int) -> None:
    request = b"GET /stream HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        answer = read_until_closed(connection)
    head, _, chunked = answer.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head
    assert chunked == b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"
