"""Security of the hosted pages: CSRF tokens on every form and security headers on every answer.

CSRF uses a signed double-submit cookie: each visitor gets a random `tactful_csrf` cookie
(HttpOnly, SameSite=Lax) and every form carries `csrf_token`, an HMAC of that cookie under the
install's signing secret. A POST is accepted when its token matches its cookie. A request with
no token is accepted only from a non-browser API client: one that asks for JSON and carries
neither `Origin`, `Sec-Fetch-Site` nor the cookie (a browser always sends one of them, so a
cross-site form or fetch is refused).

Every answer carries X-Content-Type-Options, Referrer-Policy and X-Frame-Options, a
Content-Security-Policy (the pages' strict one under /c/, else `frame-ancestors 'none'`) unless
the route set its own, and HSTS when the public URL is HTTPS. Pages get a per-request nonce
for their one inline style.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "tactful_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_PAGES = "/c/"

_token: ContextVar[str] = ContextVar("tactful_csrf_token", default="")
_nonce: ContextVar[str] = ContextVar("tactful_csp_nonce", default="")

BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
)
DEFAULT_CSP = b"frame-ancestors 'none'"
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def page_csp(*, stripe: bool = False) -> str:
    """The strict policy of a hosted page; Stripe's hosts only where it takes real cards."""
    script = "'self' https://js.stripe.com" if stripe else "'self'"
    parts = [
        "default-src 'self'",
        f"script-src {script}",
        f"style-src 'self' 'nonce-{_nonce.get()}'",
        "img-src 'self' https: http: data:",  # logo_url may be http:// (pages accept it)
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if stripe:
        parts += [
            "frame-src https://js.stripe.com https://hooks.stripe.com",
            "connect-src 'self' https://api.stripe.com",
        ]
    return "; ".join(parts)


def csrf_token() -> str:
    """The token for forms rendered in this request ('' outside a page request)."""
    return _token.get()


def csp_nonce() -> str:
    """The nonce of this request's inline style."""
    return _nonce.get()


def token_for(secret: bytes, cookie: str) -> str:
    """The form token that matches a visitor's cookie."""
    return hmac.new(secret, b"csrf\n" + cookie.encode(), hashlib.sha256).hexdigest()


def _cookie(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return ""
            morsel = jar.get(COOKIE)
            if morsel is not None and 16 <= len(morsel.value) <= 128:
                return morsel.value
    return ""


class PageSecurity:
    """ASGI middleware: the visitor's CSRF cookie and token, the nonce, the headers."""

    def __init__(self, app: ASGIApp, *, secret: bytes, https: bool) -> None:
        self.app, self.secret, self.https = app, secret, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = str(scope.get("path", "")).startswith(_PAGES)
        cookie = _cookie(scope)
        new_cookie = "" if cookie or not page else secrets.token_urlsafe(24)
        token = _token.set(token_for(self.secret, cookie or new_cookie) if page else "")
        nonce = _nonce.set(secrets.token_urlsafe(16))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message["headers"] = self._headers(headers, new_cookie, page=page)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _token.reset(token)
            _nonce.reset(nonce)

    def _headers(self, headers: list[Any], new_cookie: str, *, page: bool) -> list[Any]:
        present = {name.lower() for name, _ in headers}
        headers += [h for h in BASE_HEADERS if h[0] not in present]
        if b"content-security-policy" not in present:  # a page's own answer gets the strict one
            headers.append(
                (b"content-security-policy", page_csp().encode() if page else DEFAULT_CSP)
            )
        if self.https:
            headers.append(HSTS)
        if new_cookie:
            flags = "; Secure" if self.https else ""
            cookie = f"{COOKIE}={new_cookie}; Path=/c/; HttpOnly; SameSite=Lax{flags}"
            headers.append((b"set-cookie", cookie.encode()))
        return headers


def _from_browser(request: Request) -> bool:
    headers = request.headers
    accept = headers.get("accept", "")
    wants_json = "application/json" in accept and "text/html" not in accept
    return (
        not wants_json
        or "origin" in headers
        or "sec-fetch-site" in headers
        or COOKIE in request.cookies
    )


class CsrfRefusedError(PermissionError):
    """A POST without a valid CSRF token: answered 403, nothing done."""

    status_code = 403
    message = (
        "This form has expired or was sent from another site, so nothing was done and nothing "
        "was charged. Reload the page and try again."
    )


def check_csrf(request: Request, submitted: str) -> None:
    """Refuse a POST whose CSRF token does not match its cookie; see the module doc."""
    secret: bytes = request.app.state.tactful.settings.link_secret
    token = submitted or request.headers.get(HEADER, "")
    if not token:
        if _from_browser(request):
            raise CsrfRefusedError(CsrfRefusedError.message)
        return
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not hmac.compare_digest(token.encode(), token_for(secret, cookie).encode()):
        raise CsrfRefusedError(CsrfRefusedError.message)


def verify_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """FastAPI dependency for the pages' POST routes."""
    check_csrf(request, csrf_token)


CsrfChecked = Depends(verify_csrf)
