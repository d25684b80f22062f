"""Signed checkout links: price, product and quantity set by a link only when signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

SIGNED_FIELDS = ("price", "sku", "quantity", "customer")
_CONTROL_FIELDS = ("exp", "sig", "kid")
MAX_LINK_QUANTITY = 100
_LAST_EXP = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp())
"""The last Unix time a `datetime` holds; a larger `exp` names no moment."""
_EXPIRY_DIGITS = len(str(_LAST_EXP))


class LinkProblem(StrEnum):
    """Why a link is refused (reason codes)."""

    UNSIGNED = "unsigned"
    BAD_SIGNATURE = "bad_signature"
    OTHER_KEY = "other_key"
    EXPIRED = "expired"
    MALFORMED = "malformed"


class InvalidLink(ValueError):  # noqa: N818 - reads as a verdict, like InvalidToken
    """A link whose protected parameters cannot be trusted."""

    def __init__(self, problem: LinkProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class LinkTerms:
    """What a verified link sets; None means 'as the page says'."""

    price: int | None = None
    sku: str | None = None
    quantity: int | None = None
    customer: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Prefill:
    """Harmless unsigned parameters: prefilled fields and attribution."""

    email: str = ""
    name: str = ""
    quantity: int | None = None
    utm: tuple[tuple[str, str], ...] = ()
    quantity_problem: str = ""


def _canonical(slug: str, fields: Mapping[str, str], exp: str) -> bytes:
    parts = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    return f"v1\n{slug}\n{parts}\n{exp}".encode()


def _mac(secret: bytes, message: bytes) -> str:
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def key_id(secret: bytes) -> str:
    """A short public name of `secret`, so a link signed with another key can say so."""
    return _mac(secret, b"tactful link key id")[:8]


def sign_link(
    secret: bytes, slug: str, terms: LinkTerms, *, now: datetime, ttl: timedelta
) -> dict[str, str]:
    """Query parameters for a link to `slug` that sets `terms` until now + ttl."""
    if not secret:
        raise ValueError("no signing secret: set TACTFUL_SIGNING_SECRET or TACTFUL_SECRET_KEY")
    fields = _term_fields(terms)
    exp = str(int((now + ttl).timestamp()))
    sig = _mac(secret, _canonical(slug, fields, exp))
    return {**fields, "exp": exp, "sig": sig, "kid": key_id(secret)}


def _term_fields(terms: LinkTerms) -> dict[str, str]:
    values = {
        "price": terms.price,
        "sku": terms.sku,
        "quantity": terms.quantity,
        "customer": terms.customer,
    }
    return {k: str(v) for k, v in values.items() if v is not None}


def verify_link(secret: bytes, slug: str, query: Mapping[str, str], *, now: datetime) -> LinkTerms:
    """The terms of a link, or InvalidLink saying why it cannot be trusted.

    A signed link that does not sign a quantity may carry an unsigned one (see `prefill`).
    """
    sig = query.get("sig")
    protected = {k: query[k] for k in SIGNED_FIELDS if k in query}
    if sig is None:
        unsafe = sorted(k for k in protected if k != "quantity")
        if unsafe or "exp" in query:
            raise InvalidLink(LinkProblem.UNSIGNED, f"unsigned parameter {(unsafe or ['exp'])[0]}")
        return LinkTerms()
    exp = query.get("exp", "")
    expires_at = _expiry(exp)
    if now >= expires_at:
        raise InvalidLink(
            LinkProblem.EXPIRED, f"the link expired at {expires_at:%Y-%m-%d %H:%M} UTC"
        )
    signed = _signed_fields(secret, slug, protected, exp, sig)
    if signed is None:
        raise _signature_problem(secret, query.get("kid"))
    return _terms(signed, expires_at)


def _expiry(exp: str) -> datetime:
    """The moment a link's `exp` (Unix seconds) names, or InvalidLink if it names none."""
    if not (exp.isascii() and exp.isdigit()) or len(exp) > _EXPIRY_DIGITS or int(exp) > _LAST_EXP:
        raise InvalidLink(LinkProblem.MALFORMED, "exp must be a Unix time")
    return datetime.fromtimestamp(int(exp), UTC)


def _signed_fields(
    secret: bytes, slug: str, protected: Mapping[str, str], exp: str, sig: str
) -> Mapping[str, str] | None:
    """The fields `sig` covers: all of `protected`, or all but an unsigned quantity."""
    candidates = [protected]
    if "quantity" in protected:
        candidates.append({k: v for k, v in protected.items() if k != "quantity"})
    for fields in candidates:
        expected = _mac(secret, _canonical(slug, fields, exp))
        if secret and hmac.compare_digest(sig.encode(), expected.encode()):
            return fields
    return None


def _signature_problem(secret: bytes, kid: str | None) -> InvalidLink:
    """Why a signature does not match, as far as the link's key id (`kid`) tells."""
    if kid is None:  # a link made before links named their key
        return InvalidLink(
            LinkProblem.BAD_SIGNATURE,
            "the link was changed after it was signed, or signed with a different key",
        )
    if not hmac.compare_digest(kid.encode(), key_id(secret).encode()):
        return InvalidLink(
            LinkProblem.OTHER_KEY, "the link was signed with a different key than the shop uses now"
        )
    return InvalidLink(LinkProblem.BAD_SIGNATURE, "the link was changed after it was signed")


def _terms(fields: Mapping[str, str], expires_at: datetime) -> LinkTerms:
    price = _whole(fields.get("price"), "price", 0, 10**12)
    quantity = _whole(fields.get("quantity"), "quantity", 1, MAX_LINK_QUANTITY)
    return LinkTerms(
        price=price,
        sku=fields.get("sku") or None,
        quantity=quantity,
        customer=fields.get("customer") or None,
        expires_at=expires_at,
    )


def _ascii_digits(text: str) -> bool:
    """At most 18 ASCII digits, so int() takes them ('²' is a digit to str.isdigit)."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


def _whole(value: str | None, field: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not _ascii_digits(value) or not low <= int(value) <= high:
        raise InvalidLink(LinkProblem.MALFORMED, f"{field} must be a whole number {low}-{high}")
    return int(value)


def prefill(
    query: Mapping[str, str], *, max_quantity: int, quantity_signed: bool = False
) -> Prefill:
    """The harmless unsigned fields; an unsigned quantity outside 1..max_quantity is refused."""
    quantity, problem = (
        (None, "") if quantity_signed else _unsigned_quantity(query.get("quantity"), max_quantity)
    )
    utm = tuple(
        (k, v[:200]) for k, v in sorted(query.items()) if k.startswith("utm_") and len(k) <= 40
    )
    return Prefill(
        email=query.get("email", "")[:254],
        name=query.get("name", "")[:200],
        quantity=quantity,
        utm=utm[:10],
        quantity_problem=problem,
    )


def _unsigned_quantity(raw: str | None, max_quantity: int) -> tuple[int | None, str]:
    """The quantity a customer chose, or None and why it cannot be used (naming the limit)."""
    if raw is None or raw == "":
        return None, ""
    if _ascii_digits(raw) and 1 <= int(raw) <= max_quantity:
        return int(raw), ""
    if max_quantity == 1:
        return None, "The quantity of this order is fixed, so it was not changed."
    if raw.isascii() and raw.isdigit() and (len(raw) > 18 or int(raw) > max_quantity):
        return None, (
            f"You can buy at most {max_quantity} here, so the quantity was not changed "
            f"to {raw[:6]}. Choose 1 to {max_quantity}."
        )
    return None, f"Enter a whole number from 1 to {max_quantity} as the quantity."


def sign_values(secret: bytes, purpose: str, values: tuple[str, ...]) -> str:
    """A MAC over `values`, so a form can carry server-chosen facts back unchanged."""
    return _mac(secret, "\n".join((purpose, *values)).encode())


def values_signed(secret: bytes, purpose: str, values: tuple[str, ...], mac: str) -> bool:
    """Whether `mac` is sign_values(secret, purpose, values)."""
    return bool(secret) and hmac.compare_digest(
        mac.encode(), sign_values(secret, purpose, values).encode()
    )
