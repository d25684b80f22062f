"""Identifiers taken from the URL path, checked like the identifiers in request bodies.

A percent-encoded control character (`%00`) decodes into the path parameter; PostgreSQL text
cannot hold NUL, so such an id is answered 422 naming the parameter instead of reaching SQL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from tactful.services.request_fields import MAX_IDENTIFIER

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]+$"

PathIdentifier = Annotated[
    str, Path(min_length=1, max_length=MAX_IDENTIFIER, pattern=NO_CONTROL_CHARACTERS)
]
"""An order, page or endpoint id in the URL."""

PathDecisionId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]
"""A decision id in the URL (decision ids are at most 64 characters)."""
