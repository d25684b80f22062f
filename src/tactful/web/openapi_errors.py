"""The error answers in the OpenAPI document, in the shape tactful really sends them.

FastAPI documents only 422, with its own `{"detail": [...]}` body, which tactful replaces with
`{"error", "detail", "errors"}` (see `tactful.web.errors`). Every operation can also answer
413 (body too large), 429 (rate limited) and 503 (database unavailable, with Retry-After);
operations behind a key 401 and 403; and every operation 400, 404 and 409 for what a schema
cannot say (an unknown id, a missing Idempotency-Key, a conflict). Hosted pages answer errors
as HTML to browsers and as JSON to API clients, and 402 or 410 when a payment fails or an
offer has expired. Schema-based fuzzing (tests/web/test_api_fuzz.py) holds the server to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

FIELD_ERROR = {
    "title": "FieldError",
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "The field, as a dotted path: items.0.sku"},
        "message": {"type": "string"},
        "type": {"type": "string", "description": "A stable code for the kind of error"},
    },
}
ERROR_BODY = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "A stable code: not_found, unauthorized, ..."},
        "detail": {"description": "What went wrong; for a bad field, `field: message`"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
}
VALIDATION_BODY = {
    "title": "HTTPValidationError",
    "description": (
        "422: the request broke its schema. `errors` lists every failing field; `detail` "
        "names the first one as `field: message`."
    ),
    "type": "object",
    "required": ["error", "detail", "errors"],
    "properties": {
        "error": {
            "type": "string",
            "description": "invalid_request, or the endpoint's own code (invalid_refund, ...)",
        },
        "detail": {"description": "The first failing field, as `field: message`"},
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/components/schemas/FieldError"},
        },
    },
}
DESCRIPTIONS = {
    "400": "The request cannot be carried out as sent (the body names the field)",
    "401": "Missing or invalid API key",
    "402": "The payment did not go through; nothing was charged",
    "403": "The key may not call this endpoint, or a page form came without its CSRF token",
    "404": "No such resource",
    "409": "Conflicts with the resource's state, or the same request is in progress",
    "410": "The offer has expired",
    "413": "The body is larger than TACTFUL_MAX_BODY_BYTES",
    "429": "Rate limited; retry after the Retry-After delay",
    "503": "The database is briefly unavailable; retry after the Retry-After delay",
}
EVERYWHERE = ("400", "404", "409", "413", "429", "503")
BEHIND_A_KEY = ("401", "403")
ON_PAGES = ("402", "403", "410")
API_PREFIXES = ("/v1/", "/metrics", "/healthz", "/readyz", "/webhooks/")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _content(path: str, schema: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if not path.startswith(API_PREFIXES):
        content["text/html"] = {"schema": {"type": "string"}}
    return content


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers to every operation of `document` (changed in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("ValidationError", None)
    schemas.update(
        FieldError=FIELD_ERROR, ErrorBody=ERROR_BODY, HTTPValidationError=VALIDATION_BODY
    )
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            _document_operation(path, operation)
    return document


def _document_operation(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    codes = list(EVERYWHERE)
    codes += BEHIND_A_KEY if operation.get("security") else ()
    codes += () if path.startswith(API_PREFIXES) else ON_PAGES
    for code in codes:
        if code not in responses:
            description = DESCRIPTIONS[code]
            responses[code] = {
                "description": description,
                "content": _content(path, _ref("ErrorBody")),
            }
    if "422" in responses or operation.get("parameters") or operation.get("requestBody"):
        responses["422"] = {
            "description": "The request broke its schema (every failing field is named)",
            "content": _content(path, _ref("HTTPValidationError")),
        }


def install_error_docs(app: FastAPI) -> None:
    """Make `app.openapi()` document the error answers (built once, then cached)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
