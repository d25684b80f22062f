"""Posting the hosted pages' forms as a browser does: with the CSRF cookie and token."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx

_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_client(url: str) -> tuple[httpx.Client, str]:
    """A client holding a visitor's CSRF cookie for the server of `url`, and its form token."""
    parts = urlsplit(url)
    client = httpx.Client(base_url=f"{parts.scheme}://{parts.netloc}")
    page = client.get("/c/-/orders/-")  # any hosted page sets the cookie and carries the token
    match = _TOKEN.search(page.text)
    assert match is not None, page.text[:300]
    return client, match.group(1)


def form_post(url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """POST a hosted page's form to `url` as a browser would (cookie and csrf_token)."""
    client, token = csrf_client(url)
    try:
        return client.post(url, data={**data, "csrf_token": token}, **kwargs)
    finally:
        client.close()
