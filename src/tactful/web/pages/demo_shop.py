"""/demo/shop: a sample storefront on the demo data with the widget on every page.

Served when `TACTFUL_DEMO_SHOP` is on (`tactful demo` turns it on). Product pages ask for
`browsing` offers, the cart for `cart`, the payment page for `payment` (the API answers
none) and the thank-you page for `post_purchase`. The cart lives in a cookie; the page's
`tactful:add` handler posts to the cart like any shop's cart code would.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tactful.services import demo_shop
from tactful.web.deps import StateDep
from tactful.web.pages import render
from tactful.web.state import AppState
from tactful.web.widget import widget_url

router = APIRouter(prefix="/demo/shop", include_in_schema=False)
CART = "tactful_demo_cart"
ORDER = "tactful_demo_order"
CartCookie = Annotated[str, Cookie(alias=CART)]
OrderCookie = Annotated[str, Cookie(alias=ORDER)]
NO_STORE = {"Cache-Control": "no-store"}


def _page(state: AppState, name: str, cart: str, **context: Any) -> HTMLResponse:
    front = demo_shop.shop_front(state.database, state.settings.holdout_share)
    count = sum(demo_shop.read_cart(cart).values())
    body = render(
        f"shop/{name}.html",
        front=front,
        cart_count=count,
        key=state.settings.publishable_key,
        widget_src=widget_url(),
        **context,
    )
    return HTMLResponse(body, headers=NO_STORE)


@router.get("", response_class=HTMLResponse)
def home(state: StateDep, cart: CartCookie = "") -> HTMLResponse:
    """The shop's front page: its products."""
    return _page(state, "home", cart)


@router.get("/products/{sku}", response_class=HTMLResponse)
def product_page(state: StateDep, sku: str, cart: CartCookie = "") -> HTMLResponse:
    """One product with its add-to-cart form, and browsing offers below."""
    found = demo_shop.product(state.database, sku)
    if found is None:
        raise HTTPException(404, f"no product {sku}")
    return _page(state, "product", cart, product=found)


@router.get("/cart", response_class=HTMLResponse)
def cart_page(state: StateDep, cart: CartCookie = "") -> HTMLResponse:
    """The cart's lines and total, and cart offers below."""
    lines = demo_shop.cart_lines(state.database, cart)
    return _page(
        state,
        "cart",
        cart,
        lines=lines,
        total=demo_shop.cart_total(lines),
        cart_text=demo_shop.write_cart({line.product.sku: line.quantity for line in lines}),
    )


@router.post("/cart", response_model=None)
async def add(state: StateDep, request: Request, cart: CartCookie = "") -> Response:
    """Add to the cart: a form answers with the cart page, JSON (the widget) with the cart."""
    as_json = request.headers.get("content-type", "").startswith("application/json")
    if as_json:
        try:
            item = json.loads(await request.body() or b"{}")
        except ValueError:
            raise HTTPException(400, "body: not JSON") from None
        if not isinstance(item, dict):
            raise HTTPException(400, "body: must be a JSON object")
    else:
        item = dict(await request.form())
    sku, quantity = str(item.get("sku", "")), _quantity(item.get("quantity"))
    if demo_shop.product(state.database, sku) is None:
        raise HTTPException(404, f"no product {sku}")
    text = demo_shop.add_to_cart(cart, sku, quantity)
    answer: Response
    if as_json:
        lines = demo_shop.cart_lines(state.database, text)
        answer = JSONResponse(_cart_json(lines))
    else:
        answer = RedirectResponse("/demo/shop/cart", status_code=303)
    answer.set_cookie(CART, text, path="/demo/shop", samesite="lax", httponly=True)
    return answer


def _quantity(raw: object) -> int:
    """1 to 99 from a form field or JSON number; anything else is a 400 naming the field."""
    text = str(raw if raw is not None and raw != "" else 1)
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit() and 0 < len(text) < 3):
        raise HTTPException(400, "quantity: must be a whole number from 1 to 99")
    if int(text) < 1:
        raise HTTPException(400, "quantity: must be a whole number from 1 to 99")
    return int(text)


def _cart_json(lines: list[demo_shop.CartLine]) -> dict[str, Any]:
    total = demo_shop.cart_total(lines)
    return {
        "lines": [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "total": line.total.format(),
            }
            for line in lines
        ],
        "count": sum(line.quantity for line in lines),
        "total": total.format() if total else "",
    }


@router.get("/checkout", response_class=HTMLResponse)
def checkout(state: StateDep, cart: CartCookie = "") -> HTMLResponse:
    """The payment step: the widget asks with moment=payment and the API answers nothing."""
    lines = demo_shop.cart_lines(state.database, cart)
    return _page(state, "checkout", cart, lines=lines, total=demo_shop.cart_total(lines))


@router.post("/checkout", response_model=None)
def pay(cart: CartCookie = "", confirm: Annotated[str, Form()] = "") -> Response:
    """Pretend to pay (no money moves in the demo): the cart becomes the order."""
    if confirm != "yes":
        return RedirectResponse("/demo/shop/checkout", status_code=303)
    answer = RedirectResponse("/demo/shop/thank-you", status_code=303)
    answer.set_cookie(ORDER, cart, path="/demo/shop", samesite="lax", httponly=True)
    answer.delete_cookie(CART, path="/demo/shop")
    return answer


@router.get("/thank-you", response_class=HTMLResponse)
def thank_you(state: StateDep, order: OrderCookie = "") -> HTMLResponse:
    """The order's confirmation, with post-purchase offers below."""
    lines = demo_shop.cart_lines(state.database, order)
    return _page(
        state,
        "thank_you",
        "",
        lines=lines,
        total=demo_shop.cart_total(lines),
        cart_text=demo_shop.write_cart({line.product.sku: line.quantity for line in lines}),
    )
