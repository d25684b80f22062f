"""GET /widget.js: small, gzipped, cached by its content hash, and revalidated by ETag."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tactful.web.widget import widget_script, widget_url
from tests.conftest import LiveServer

MAX_GZIPPED = 12 * 1024


@pytest.fixture
def server(settings: Settings, engine: Engine) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings, engine=engine)) as live:
        yield live


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_widget_is_served_gzipped_and_small(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/widget.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["content-encoding"] == "gzip"
    assert int(answer.headers["content-length"]) <= MAX_GZIPPED
    assert 'customElements.define("tactful-offers"' in answer.text
    assert answer.headers["etag"] == widget_script().etag
    assert "max-age=300" in answer.headers["cache-control"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unchanged_widget_is_not_sent_again(server: LiveServer) -> None:
    etag = widget_script().etag
    answer = httpx.get(f"{server.url}/widget.js", headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.content == b""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_hashed_address_is_cached_forever_and_others_are_404(server: LiveServer) -> None:
    pinned = httpx.get(f"{server.url}{widget_url()}")
    assert pinned.status_code == 200
    assert "immutable" in pinned.headers["cache-control"]
    assert pinned.content == widget_script().body
    assert httpx.get(f"{server.url}/widget/0123456789abcdef.js").status_code == 404


def test_the_hash_names_the_content() -> None:
    script = widget_script()
    assert gzip.decompress(script.gzipped) == script.body
    assert len(script.gzipped) <= MAX_GZIPPED
    assert widget_url() == f"/widget/{script.digest}.js"
