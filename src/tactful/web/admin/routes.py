"""The merchant dashboard at /admin: sign-in, the report pages and their CSV files."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tactful.services.dashboard import DashboardService
from tactful.web.admin import views
from tactful.web.admin.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    AdminAuth,
    LoginThrottle,
    Session,
    tokens_match,
)
from tactful.web.pages import render, static_file

router = APIRouter(prefix="/admin", include_in_schema=False)
PERIODS = {"7": 7, "28": 28, "90": 90, "all": None}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NAV = (
    ("overview", "Overview", "/admin"),
    ("offers", "Offers", "/admin/offers"),
    ("experiments", "Experiments", "/admin/experiments"),
    ("customers", "Customers", "/admin/customers"),
    ("backtests", "Backtests", "/admin/backtests"),
    ("sequences", "Sequences", "/admin/sequences"),
    ("decisions", "Decisions", "/admin/decisions"),
    ("webhooks", "Webhooks", "/admin/webhooks"),
)


class AdminSite:
    """What the dashboard keeps for its requests: sign-in checks and the failure counts."""

    def __init__(self, auth: AdminAuth, throttle: LoginThrottle) -> None:
        self.auth = auth
        self.throttle = throttle


def _site(request: Request) -> AdminSite:
    site: AdminSite = request.app.state.admin
    return site


def _dashboard(request: Request) -> DashboardService:
    service: DashboardService = request.app.state.tactful.dashboard
    return service


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def _session(request: Request) -> Session | None:
    return _site(request).auth.read(request.cookies.get(SESSION_COOKIE))


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(
        f"/admin/login?next={quote(target)}", status_code=303, headers=SECURITY_HEADERS
    )


def _page(request: Request, session: Session, template: str, **context: Any) -> HTMLResponse:
    return _html(
        render(
            f"admin/{template}",
            nav=NAV,
            csrf=session.csrf,
            path=request.url.path,
            money=views.money,
            money_major=views.money_major,
            share=views.share,
            signed=views.signed,
            value_label=views.value_label,
            **context,
        )
    )


def _period_key(days: str) -> str:
    return days if days in PERIODS else "all"


ADMIN_STATIC = {"admin.css": "text/css", "admin-icon.svg": "image/svg+xml"}


@router.get("/static/{name}")
def admin_static(name: str) -> Response:
    if name not in ADMIN_STATIC:
        return Response(status_code=404)
    return Response(
        static_file(name),
        media_type=ADMIN_STATIC[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/login")
def login_form(request: Request, next: str = "/admin") -> Response:
    if _session(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(next, None, 200)


def _login_page(next_path: str, error: str | None, status_code: int) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _html(
        render("admin/login.html", csrf=token, next=_safe_next(next_path), error=error),
        status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/admin/login"
    )
    return response


def _safe_next(target: str) -> str:
    """Only paths under /admin: never an address elsewhere."""
    if target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin"


@router.post("/login")
def login(
    request: Request,
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/admin",
) -> Response:
    site = _site(request)
    client = request.client.host if request.client else "unknown"
    wait = site.throttle.retry_after(client)
    if wait:
        response = _login_page(next, "Too many failed attempts. Try again later.", 429)
        response.headers["Retry-After"] = str(wait)
        return response
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
        return _login_page(next, "The form expired. Please sign in again.", 403)
    if not site.auth.password_ok(password):
        site.throttle.failed(client)
        return _login_page(next, "That password is not right.", 401)
    site.throttle.succeeded(client)
    cookie, _session_made = site.auth.issue()
    redirect = RedirectResponse(_safe_next(next), status_code=303, headers=SECURITY_HEADERS)
    redirect.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=site.auth.secure,
        path="/admin",
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    return redirect


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    if not tokens_match(session.csrf, csrf):
        return _html("<p>Invalid form token.</p>", 403)
    response = RedirectResponse("/admin/login", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response
