"""GET /c/{slug}/quote: the totals for a link with a choice of bumps and quantity, as JSON.

The checkout page's script calls it on every change so the tax line, the total and the pay
button are recomputed by the server; without JavaScript the page's "Update total" button
re-renders the page with the same figures.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tactful.domain.checkout import InvalidLink
from tactful.services.checkout import CheckoutNotFoundError
from tactful.services.checkout_quote import quote
from tactful.web.api.checkout_pages import checkout_deps
from tactful.web.deps import StateDep

router = APIRouter(prefix="/c", tags=["checkout pages"])
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/{slug}/quote")
def checkout_quote(state: StateDep, request: Request, slug: str) -> JSONResponse:
    """Lines, subtotal, tax and total for the link in the query with `bump=SKU` (repeatable).

    An unsigned `quantity` within the page's maximum is applied; otherwise
    `quantity_problem` says why not. Bumps the page does not offer are listed in
    `ignored_bumps` and not priced.
    """
    params = request.query_params
    query = {k: v for k, v in params.items() if k != "bump"}
    bumps = [sku for sku in params.getlist("bump") if sku][:10]
    try:
        answer = quote(checkout_deps(state), slug, query, bumps)
    except CheckoutNotFoundError as exc:
        body = {"error": "not_found", "detail": str(exc)}
        return JSONResponse(body, status_code=404, headers=NO_STORE)
    except InvalidLink as exc:
        body = {"error": "invalid_link", "reason": exc.problem.value, "detail": exc.detail}
        return JSONResponse(body, status_code=400, headers=NO_STORE)
    return JSONResponse(answer.to_dict(), headers=NO_STORE)
