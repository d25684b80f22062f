"""The API docs work without internet: every asset they load is served by tactful itself."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import LiveServer

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_only_local_assets(live_server: LiveServer, page: str) -> None:
    html = httpx.get(f"{live_server.url}{page}").text
    urls = ASSET.findall(html)
    assert urls, f"{page} loads no script or stylesheet"
    external = [url for url in urls if url.startswith(("http:", "https:", "//"))]
    assert external == [], f"{page} still loads from outside: {external}"
    for url in urls:
        asset = httpx.get(f"{live_server.url}{url}")
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url


def test_openapi_stays_where_the_pages_look_for_it(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    assert "/v1/decisions" in spec["paths"]
