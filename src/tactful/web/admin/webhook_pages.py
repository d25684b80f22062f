"""/admin/webhooks: the merchant's webhook endpoints, their deliveries, and what to do about them.

List, add, edit, disable or enable an endpoint; rotate its signing secret; send a test event;
replay a delivery. Every form carries the session's CSRF token, and every page needs a
signed-in session. Each form answers with a redirect (a reload repeats nothing); a new secret
rides to the endpoint's page in a short-lived HttpOnly cookie for that page alone, which the
page deletes as it shows it, so it is shown once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from tactful.domain.webhooks_out import DeliveryStatus, Endpoint, EventType
from tactful.services.webhooks_out import UnknownEndpointError, Webhooks
from tactful.web.admin.auth import Session, tokens_match
from tactful.web.admin.routes import SECURITY_HEADERS, _page, _session, _to_login, router

EVENTS = [(e.value, e.value) for e in EventType]
MAX_URL = 2000
MAX_DESCRIPTION = 200
SECRET_COOKIE = "tactful_new_secret"
SECRET_COOKIE_SECONDS = 120
Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]


def _webhooks(request: Request) -> Webhooks:
    service: Webhooks = request.app.state.tactful.webhooks
    return service


def _refused(message: str, status: int) -> Response:
    return Response(message, status_code=status, headers=SECURITY_HEADERS)


def _signed_form(request: Request, csrf: str) -> Session | Response:
    """The session when signed in and the form's token matches; else the answer to give."""
    session = _session(request)
    if session is None:
        return _to_login(request)
    if not tokens_match(session.csrf, csrf):
        return _refused("Invalid form token. Reload the page and try again.", 403)
    return session


def _back_to(endpoint_id: str, notice: str = "") -> RedirectResponse:
    where = f"/admin/webhooks/{endpoint_id}" + (f"?done={notice}" if notice else "")
    return RedirectResponse(where, status_code=303, headers=SECURITY_HEADERS)


def _with_secret(request: Request, endpoint_id: str, secret: str, notice: str) -> Response:
    """To the endpoint's page, which shows `secret` once."""
    response = _back_to(endpoint_id, notice)
    response.set_cookie(
        SECRET_COOKIE,
        secret,
        max_age=SECRET_COOKIE_SECONDS,
        path=f"/admin/webhooks/{endpoint_id}",
        httponly=True,
        samesite="strict",
        secure=request.app.state.admin.auth.secure,
    )
    return response


def read_endpoint_form(url: str, events: list[str] | None, description: str) -> dict[str, str]:
    """What is wrong with the form, by field name (empty when it can be saved)."""
    errors: dict[str, str] = {}
    parts = urlsplit(url.strip())
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "Enter the full address, starting with https://"
    if not events:
        errors["events"] = "Choose at least one event."
    elif any(e not in EventType._value2member_map_ for e in events):
        errors["events"] = "Unknown event."
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"At most {MAX_DESCRIPTION} characters."
    return errors


@dataclass(frozen=True)
class EndpointForm:
    """A valid add or edit form, trimmed, its events parsed."""

    url: str
    events: list[EventType]
    description: str


Shown = Callable[[Session, dict[str, Any], dict[str, str]], Response]
"""Re-renders a refused form with (session, what was typed, errors by field)."""


def _endpoint_form(
    request: Request, csrf: str, url: str, events: list[str] | None, description: str, show: Shown
) -> tuple[Session, EndpointForm] | Response:
    """The session and the valid form, or the answer to give (login, 403, the form again)."""
    session = _signed_form(request, csrf)
    if not isinstance(session, Session):
        return session
    errors = read_endpoint_form(url, events, description)
    if errors:
        typed = {"url": url, "events": events or [], "description": description}
        return show(session, typed, errors)
    chosen = [EventType(e) for e in events or []]
    return session, EndpointForm(url.strip(), chosen, description.strip())


def _list_page(
    request: Request, session: Session, status_code: int = 200, **context: Any
) -> Response:
    endpoints = _webhooks(request).endpoints()
    form = context.pop("form", {"url": "", "events": [], "description": ""})
    response = _page(
        request,
        session,
        "webhooks.html",
        title="Webhooks",
        active="webhooks",
        endpoints=endpoints,
        event_choices=EVENTS,
        form=form,
        errors=context.pop("errors", {}),
        **context,
    )
    response.status_code = status_code
    return response


@router.get("/webhooks")
def webhooks(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    return _list_page(request, session)


@router.post("/webhooks")
def add_webhook(
    request: Request,
    csrf: Text = "",
    url: Text = "",
    events: Many = None,
    description: Text = "",
) -> Response:
    """Register an endpoint; its page then shows the secret, this once."""
    listed: Shown = lambda session, typed, errors: _list_page(  # noqa: E731
        request, session, 422, form=typed, errors=errors
    )
    read = _endpoint_form(request, csrf, url, events, description, listed)
    if isinstance(read, Response):
        return read
    form = read[1]
    made = _webhooks(request).register(form.url, form.events, form.description)
    return _with_secret(request, made.endpoint_id, made.secret, "created")


def _endpoint_page(
    request: Request, session: Session, endpoint_id: str, status_code: int = 200, **context: Any
) -> Response:
    service = _webhooks(request)
    endpoint = next((e for e in service.endpoints() if e.endpoint_id == endpoint_id), None)
    if endpoint is None:
        return _refused("No such endpoint.", 404)
    form = context.pop("form", None) or _form_of(endpoint)
    response = _page(
        request,
        session,
        "webhook.html",
        title=endpoint.description or endpoint.url,
        active="webhooks",
        endpoint=endpoint,
        deliveries=service.deliveries(endpoint_id, 50),
        event_choices=EVENTS,
        form=form,
        errors=context.pop("errors", {}),
        failed=DeliveryStatus.FAILED,
        done=request.query_params.get("done", ""),
        **context,
    )
    response.status_code = status_code
    return response


def _form_of(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "events": [e.value for e in endpoint.events],
        "description": endpoint.description,
    }


@router.get("/webhooks/{endpoint_id}")
def webhook(request: Request, endpoint_id: str) -> Response:
    session = _session(request)
    if session is None:
        return _to_login(request)
    secret = request.cookies.get(SECRET_COOKIE, "")
    page = _endpoint_page(request, session, endpoint_id, new_secret=secret)
    if secret:
        page.delete_cookie(SECRET_COOKIE, path=f"/admin/webhooks/{endpoint_id}")
    return page


@router.post("/webhooks/{endpoint_id}/edit")
def edit_webhook(
    request: Request,
    endpoint_id: str,
    csrf: Text = "",
    url: Text = "",
    events: Many = None,
    description: Text = "",
) -> Response:
    shown: Shown = lambda session, typed, errors: _endpoint_page(  # noqa: E731
        request, session, endpoint_id, 422, form=typed, errors=errors
    )
    read = _endpoint_form(request, csrf, url, events, description, shown)
    if isinstance(read, Response):
        return read
    form = read[1]
    try:
        _webhooks(request).update(endpoint_id, form.url, form.events, form.description)
    except UnknownEndpointError:
        return _refused("No such endpoint.", 404)
    return _back_to(endpoint_id, "saved")


@router.post("/webhooks/{endpoint_id}/{action}")
def act_on_webhook(request: Request, endpoint_id: str, action: str, csrf: Text = "") -> Response:
    """disable, enable, rotate (the new secret shown once) or test."""
    session = _signed_form(request, csrf)
    if not isinstance(session, Session):
        return session
    service = _webhooks(request)
    try:
        if action == "rotate":
            secret = service.rotate_secret(endpoint_id)
            return _with_secret(request, endpoint_id, secret, "rotated")
        if action == "disable":
            service.disable(endpoint_id)
        elif action == "enable":
            service.enable(endpoint_id)
        elif action == "test":
            service.send_test(endpoint_id)
        else:
            return _refused("Unknown action.", 404)
    except UnknownEndpointError:
        return _refused("No such endpoint.", 404)
    return _back_to(endpoint_id, {"test": "test-queued"}.get(action, action + "d"))


@router.post("/webhooks/{endpoint_id}/deliveries/{message_id}/replay")
def replay_delivery(
    request: Request, endpoint_id: str, message_id: str, csrf: Text = ""
) -> Response:
    session = _signed_form(request, csrf)
    if not isinstance(session, Session):
        return session
    service = _webhooks(request)
    if not any(d.message_id == message_id for d in service.deliveries(endpoint_id, 1000)):
        return _refused("No such delivery.", 404)
    service.replay(message_id)
    return _back_to(endpoint_id, "replayed")
