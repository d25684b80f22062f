"""GET /widget.js: the storefront widget, cached by its content hash and sent gzipped.

`/widget.js` is the address merchants paste: it is revalidated every few minutes by its
ETag (the content hash), so a new release reaches shops quickly without re-downloading an
unchanged script. `/widget/<hash>.js` is the same script under its hash, cacheable for a year
(immutable) for pages that pin the version (`widget_url()` names it).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response

router = APIRouter(tags=["widget"])
JS_TYPE = "text/javascript; charset=utf-8"
SHORT_CACHE = "public, max-age=300, stale-while-revalidate=86400"
PINNED_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class WidgetScript:
    """The script's bytes, gzipped bytes and content hash."""

    body: bytes
    gzipped: bytes
    digest: str

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


@cache
def widget_script() -> WidgetScript:
    """The packaged widget, read and compressed once per process."""
    body = (files("tactful.web.widget") / "widget.js").read_bytes()
    gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return WidgetScript(body, gzipped, hashlib.sha256(body).hexdigest()[:16])


def widget_url() -> str:
    """The hashed, cache-forever path of the current widget."""
    return f"/widget/{widget_script().digest}.js"


def _answer(accept_encoding: str, if_none_match: str, cache_control: str) -> Response:
    script = widget_script()
    headers = {"ETag": script.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if script.etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    if "gzip" in accept_encoding.lower():
        headers["Content-Encoding"] = "gzip"
        return Response(script.gzipped, media_type=JS_TYPE, headers=headers)
    return Response(script.body, media_type=JS_TYPE, headers=headers)


AcceptEncoding = Annotated[str, Header(include_in_schema=False)]
IfNoneMatch = Annotated[str, Header(include_in_schema=False)]


@router.get("/widget.js", include_in_schema=False)
def widget(accept_encoding: AcceptEncoding = "", if_none_match: IfNoneMatch = "") -> Response:
    """The widget under its stable address, revalidated by ETag."""
    return _answer(accept_encoding, if_none_match, SHORT_CACHE)


@router.get("/widget/{digest}.js", include_in_schema=False)
def pinned_widget(
    digest: str, accept_encoding: AcceptEncoding = "", if_none_match: IfNoneMatch = ""
) -> Response:
    """The widget under its content hash: cacheable forever; another hash is a 404."""
    if digest != widget_script().digest:
        raise HTTPException(404, "no widget with this hash (ask /widget.js)")
    return _answer(accept_encoding, if_none_match, PINNED_CACHE)
