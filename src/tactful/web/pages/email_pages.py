"""Pages reached from a mail: one-click unsubscribe (RFC 8058), preferences, clicks, answers.

A GET of the unsubscribe URL only asks (link scanners follow GETs); a POST unsubscribes,
whether from the page's button or from the mail client's one-click
`List-Unsubscribe=One-Click` request.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tactful.services.email_actions import BadLinkError, Choice, EmailActions
from tactful.web.deps import StateDep
from tactful.web.pages import render
from tactful.web.state import AppState

router = APIRouter(prefix="/email", tags=["email pages"])

MailId = Annotated[int, Query(alias="m", ge=1)]
Mac = Annotated[str, Query(alias="s", min_length=1, max_length=128)]
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
CHOICES = (
    (Choice.PAUSE_30_DAYS.value, "Pause marketing mail for 30 days"),
    (Choice.ONLY_ORDER_UPDATES.value, "Only order updates"),
    (Choice.NOTHING.value, "Everything off"),
    (Choice.EVERYTHING.value, "Everything, as now"),
)


def _actions(state: AppState) -> EmailActions:
    return EmailActions(state.email.store, state.email.config, state.clock)


def _page(heading: str, message: str, status_code: int = 200, **form: object) -> HTMLResponse:
    body = render("email_page.html", heading=heading, message=message, **form)
    return HTMLResponse(body, status_code=status_code, headers=HEADERS)


def _bad_link() -> HTMLResponse:
    return _page("This link does not work", "It may have been changed or cut short.", 400)


@router.get("/unsubscribe", response_class=HTMLResponse)
def ask_unsubscribe(state: StateDep, m: MailId, s: Mac) -> HTMLResponse:
    """Ask before unsubscribing: this GET changes nothing."""
    try:
        _actions(state).customer_of(m, s)
    except BadLinkError:
        return _bad_link()
    query = urlencode({"m": m, "s": s})
    return _page(
        "Unsubscribe?",
        "You will get no more marketing mail from us. Order updates still arrive.",
        form="unsubscribe",
        action=f"/email/unsubscribe?{query}",
        preferences=f"/email/preferences?{query}",
    )


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe(state: StateDep, m: MailId, s: Mac) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058 POST or the page's button); no login needed."""
    try:
        _actions(state).unsubscribe(m, s)
    except BadLinkError:
        return _bad_link()
    return _page("You are unsubscribed", "We will send you no more marketing mail.")


@router.get("/preferences", response_class=HTMLResponse)
def preferences(state: StateDep, m: MailId, s: Mac) -> HTMLResponse:
    """The preference page: pause 30 days, only order updates, everything off."""
    try:
        _actions(state).customer_of(m, s)
    except BadLinkError:
        return _bad_link()
    return _page(
        "Your email preferences",
        "Choose what you would like to get from us.",
        form="preferences",
        action=f"/email/preferences?{urlencode({'m': m, 's': s})}",
        choices=CHOICES,
    )


@router.post("/preferences", response_class=HTMLResponse)
def save_preferences(
    state: StateDep, m: MailId, s: Mac, choice: Annotated[Choice, Form()]
) -> HTMLResponse:
    """Store the choice made on the preference page."""
    try:
        _actions(state).choose(m, s, choice)
    except BadLinkError:
        return _bad_link()
    return _page("Saved", "Your choice is saved and applies to mails already on their way.")


@router.get("/click")
def click(
    state: StateDep, m: MailId, s: Mac, u: Annotated[str, Query(max_length=2000)]
) -> Response:
    """Record the click, then go where the signed link says (never an open redirect)."""
    try:
        target = _actions(state).click(m, u, s)
    except BadLinkError:
        return _bad_link()
    return RedirectResponse(target, status_code=303, headers=HEADERS)


@router.get("/feedback", response_class=HTMLResponse)
def feedback(
    state: StateDep, m: MailId, s: Mac, r: Annotated[int, Query(ge=1, le=5)]
) -> HTMLResponse:
    """A one-click check-in answer."""
    try:
        _actions(state).feedback(m, r, s)
    except BadLinkError:
        return _bad_link()
    return _page("Thank you", "Your answer reached the people who run the shop.")


PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
    b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@router.get(
    "/open.gif",
    response_class=Response,
    responses={200: {"description": "A 1x1 transparent GIF", "content": {"image/gif": {}}}},
)
def open_pixel(state: StateDep, m: MailId, s: Mac) -> Response:
    """The optional open pixel: records a signed mail's first open (no IP, no user agent)
    and always answers the same transparent GIF, so a mail never shows a broken image."""
    state.email_feedback.opened(m, s)
    return Response(PIXEL, media_type="image/gif", headers=HEADERS)


@router.get("/offer", response_class=HTMLResponse)
def offer(
    state: StateDep,
    sku: Annotated[str, Query(max_length=128)],
    price: Annotated[str, Query(max_length=20)],
    c: Annotated[str, Query(max_length=128)],
    t: Annotated[str, Query(max_length=128)],
) -> HTMLResponse:
    """Where an offer leads when the sequence names no shop URL or checkout page: the signed
    item and price, so the link works in the demo (set `offer_url` or `checkout_page`)."""
    try:
        _actions(state).offer_terms(c, sku, price, t)
    except BadLinkError:
        return _bad_link()
    return _page(
        f"Item {sku}",
        f"Price fixed by this link: {int(price) / 100:.2f}. In a real shop this link opens the "
        "product or a hosted checkout (the sequence's offer_url or checkout_page).",
    )
