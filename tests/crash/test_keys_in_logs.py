"""No API key ever reaches the server's output: a real `tactful serve`, its logs grepped.

Keys travel in the Authorization header, in query strings where a careless client puts them,
in bodies, and as wrong keys that differ from the real one by a character; none of them may
appear in the log, in either log format, nor in an error answer.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.killable import PUBLISHABLE_KEY, SECRET_KEY, KillableServer

WRONG_KEY = SECRET_KEY[:-1] + "X"
KEYS = (SECRET_KEY, PUBLISHABLE_KEY, WRONG_KEY)


def exercise(url: str) -> list[httpx.Response]:
    """Successful calls, refused calls and errors, with keys in every place a client puts them."""
    answers = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for key in KEYS:
            auth = {"Authorization": f"Bearer {key}"}
            event = {"type": "product_viewed", "customer_id": "c1"}
            answers += [
                client.post("/v1/events", json={"events": [event]}, headers=auth),
                client.post(
                    "/v1/decisions", json={"customer_id": "c1", "moment": "cart"}, headers=auth
                ),
                client.get(f"/v1/models/current?key={key}", headers=auth),
                client.post("/v1/products", json={"products": [{"sku": key}]}, headers=auth),
                client.get(f"/metrics?api_key={key}", headers=auth),
                client.get(f"/no-such-page/{key}", headers=auth),
                client.post("/v1/orders", content=b"{broken", headers=auth),
                client.get("/healthz", headers={"X-Api-Key": key}),
            ]
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["json", "human"])
def test_keys_never_reach_the_log_or_an_error_page(log_format: str, tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    env = {"TACTFUL_LOG_FORMAT": log_format, "TACTFUL_ACCESS_LOG": "true"}
    with KillableServer(url, tmp_path / "var", extra_env=env) as server:
        answers = exercise(server.url)
    log = server.log.read_text(errors="replace")
    assert log.count("\n") >= len(answers), "every request should have logged a line"
    for key in KEYS:
        assert key not in log
        assert all(key not in answer.text for answer in answers if answer.status_code >= 400)
