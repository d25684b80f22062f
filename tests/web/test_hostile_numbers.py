"""Numbers read from headers and cookies: ASCII digits within bounds, anything else refused.

`str.isdigit()` says yes to '²' and '٣' and `int()` refuses 4,300 digits or more, so a hostile
Content-Length or a session expiry must never reach `int()` unchecked: no exception, no 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tactful.settings import Settings
from tactful.web.admin.auth import AdminAuth
from tactful.web.fast_path import read_body
from tactful.web.limits import BodySizeLimit, declares_more_than
from tests.conftest import LiveServer

LIMIT = 1000
HOSTILE_LENGTHS = [
    "²".encode(),
    "٣٣٣٣".encode(),
    "1000²".encode(),
    b"9" * 5000,
    b"0" * 5000,
    b"-1",
    b"+2000",
    b" 2000",
    b"2000 ",
    b"1e9",
    b"0x7ff",
    b"",
    b"\xff\xfe",
    b"2000, 2000",
]
SETTINGS = Settings.from_env(
    {}, secret_key="sk_test_secret_key_0123456789", admin_password="a long admin password"
)


def _scope(content_length: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", content_length)],
    }


def _through_limit(content_length: bytes, body: bytes) -> int:
    """The status BodySizeLimit answers for a request with this header and body."""
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(BodySizeLimit(app, max_bytes=LIMIT)(_scope(content_length), receive, send))
    return int(sent[0]["status"])


def _read(content_length: bytes, body: bytes) -> bytes | None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(read_body(_scope(content_length), receive, LIMIT))


def test_only_ascii_digits_declare_a_length() -> None:
    assert declares_more_than(b"1001", LIMIT)
    assert not declares_more_than(b"1000", LIMIT)
    assert declares_more_than(b"9" * 5000, LIMIT)  # over any limit, without int()
    assert not declares_more_than(None, LIMIT)
    for hostile in HOSTILE_LENGTHS:
        if hostile != b"9" * 5000 and hostile != b"0" * 5000:
            assert not declares_more_than(hostile, LIMIT), hostile


def test_hostile_lengths_never_raise_and_the_body_is_still_counted() -> None:
    for hostile in HOSTILE_LENGTHS:
        declared_over = hostile in (b"9" * 5000, b"0" * 5000)
        assert _through_limit(hostile, b"x" * 10) == (413 if declared_over else 200), hostile
        assert _through_limit(hostile, b"x" * (LIMIT + 1)) == 413, hostile
        assert _read(hostile, b"x" * (LIMIT + 1)) is None, hostile
        assert _read(hostile, b"x" * 10) == (None if declared_over else b"x" * 10), hostile


@given(
    st.binary(max_size=40)
    | st.text(max_size=30).map(str.encode)
    | st.from_regex(rb"\A[0-9]{1,30}\Z")
)
def test_any_header_value_gives_an_answer_never_an_exception(value: bytes) -> None:
    status = _through_limit(value, b"{}")
    digits = value.isascii() and value.isdigit()
    over = digits and (len(value) > 18 or int(value) > LIMIT)
    assert status == (413 if over else 200)
    assert (_read(value, b"{}") is None) == over


def _signed(auth: AdminAuth, expires: str) -> str:
    seed = f"{SETTINGS.secret_key}\x1f{SETTINGS.admin_password}".encode()
    key = hashlib.sha256(b"tactful-admin-session\x1f" + seed).digest()
    body = f"{expires}.csrf"
    return f"{body}.{hmac.new(key, body.encode(), hashlib.sha256).hexdigest()}"


def test_a_signed_session_cookie_with_a_hostile_expiry_is_no_session() -> None:
    auth = AdminAuth(SETTINGS, now=lambda: 1_000_000.0)
    assert auth.read(_signed(auth, "2000000")) is not None  # the signing above is the real one
    for hostile in [
        "²",
        "٣٣٣٣٣٣٣٣",
        "2000000²",
        "9" * 5000,
        "9" * 13,
        "-1",
        "+2000000",
        " 2000000",
        "",
    ]:
        assert auth.read(_signed(auth, hostile)) is None, hostile[:20]


def _raw_post(url: str, content_length: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer pk_test_publishable_0123456789\r\n"
            b"Content-Length: " + content_length + b"\r\nConnection: close\r\n\r\n{}"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_a_served_app_answers_hostile_lengths_with_a_4xx(live_server: LiveServer) -> None:
    # the HTTP parser strips the padding of b" 2000" and waits for 2000 bytes: not hostile
    hostile_lengths = [h for h in HOSTILE_LENGTHS if h.strip() == h]
    answers = {h: _raw_post(live_server.url, h) for h in hostile_lengths}
    for hostile, status_line in answers.items():
        assert status_line.split()[1] in {b"400", b"413"}, (hostile[:20], status_line)
    # the parser reads 5,000 zeros as 0, so only tactful's bound keeps them from int(): 413
    assert answers[b"0" * 5000].split()[1] == b"413"
