"""A local stand-in for the Stripe HTTP API: a real HTTP server on loopback.

The real API cannot be reached from the test machines, so the Stripe adapter is tested against
this server through the `stripe` package's own `base_addresses` setting. It checks what it is
sent (the secret key, required and allowed parameters and their types, the Idempotency-Key
header) and answers with the object shapes of Stripe's fixtures (`../shared/stripe/
fixtures3.json`), errors included: `card_declined`, `authentication_required`,
`idempotency_error`, `resource_missing`. Test cards act as Stripe documents them.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "stripe" / "fixtures3.json"
DECLINES = {"4000000000000002"}
NEEDS_AUTHENTICATION = {"4000002500003155", "4000002760003184"}
BRANDS = {"4": "visa", "5": "mastercard", "3": "amex"}


class StripeAnswerError(Exception):
    """An error answer: HTTP status and Stripe's error object."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def invalid(message: str, param: str | None = None, code: str = "parameter_invalid") -> None:
    raise StripeAnswerError(
        400, {"type": "invalid_request_error", "message": message, "param": param, "code": code}
    )


def missing(kind: str, ident: str) -> StripeAnswerError:
    return StripeAnswerError(
        404,
        {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such {kind}: '{ident}'",
            "param": "id",
        },
    )


def luhn(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return number.isdigit() and 12 <= len(number) <= 19 and total % 10 == 0


def as_int(params: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw is None:
        if required:
            invalid(f"Missing required param: {name}.", name, "parameter_missing")
        return None
    if not str(raw).isdigit() or int(raw) < 1:
        invalid(f"Invalid positive integer: {name}", name, "parameter_invalid_integer")
    return int(raw)


def as_bool(params: dict[str, Any], name: str) -> bool:
    raw = params.get(name, "false")
    if raw not in ("true", "false"):
        invalid(f"Invalid boolean: {raw}", name)
    return raw == "true"


def only(params: dict[str, Any], allowed: set[str]) -> None:
    for name in params:
        if name not in allowed and name != "expand":
            invalid(f"Received unknown parameter: {name}", name, "parameter_unknown")


@dataclass
class Request:
    """One request the stand-in answered, for tests to inspect."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


@dataclass
class StripeStandIn:
    """The state and behaviour of the stand-in; `serve()` puts it on a loopback port."""

    secret_key: str
    now: Callable[[], datetime]
    fixtures: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    behaviours: dict[str, str] = field(default_factory=dict)
    idempotent: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.fixtures = json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]

    def new(self, kind: str, prefix: str, **values: Any) -> dict[str, Any]:
        obj = copy.deepcopy(self.fixtures[kind])
        obj.update(id=f"{prefix}_{secrets.token_hex(12)}", created=int(self.now().timestamp()))
        obj.update({"livemode": False, "metadata": {}, **values})
        self.objects[obj["id"]] = obj
        return obj

    def get(self, kind: str, ident: str) -> dict[str, Any]:
        obj = self.objects.get(ident)
        if obj is None or obj["object"] != kind:
            raise missing(kind, ident)
        return obj

    def handle(self, method: str, path: str, params: dict[str, Any], key: str | None) -> Any:
        """(status, body) for one request; POSTs replay by Idempotency-Key like Stripe."""
        with self.lock:
            self.requests.append(Request(method, path, params, key))
            if method == "POST" and key is not None:
                seen = self.idempotent.get(key)
                print_ = json.dumps([path, params], sort_keys=True)
                if seen is not None and seen[0] != print_:
                    return 400, {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the "
                            "same parameters they were first used with.",
                        }
                    }
                if seen is not None:
                    return seen[1], seen[2]
            try:
                status, body = 200, self.route(method, path, params)
            except StripeAnswerError as exc:
                status, body = exc.status, {"error": exc.error}
            if method == "POST" and key is not None:
                self.idempotent[key] = (json.dumps([path, params], sort_keys=True), status, body)
            return status, body

    def route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        parts = path.strip("/").split("/")
        match method, parts:
            case "POST", ["v1", "customers"]:
                only(params, {"email", "name", "metadata"})
                return self.new("customer", "cus", email=params.get("email"))
            case "POST", ["v1", "payment_methods"]:
                return self.create_payment_method(params)
            case "POST", ["v1", "payment_methods", ident, "attach"]:
                only(params, {"customer"})
                pm = self.get("payment_method", ident)
                pm["customer"] = self.get("customer", params.get("customer", ""))["id"]
                return pm
            case "GET", ["v1", "payment_methods", ident]:
                return self.get("payment_method", ident)
            case "POST", ["v1", "payment_intents"]:
                return self.create_payment_intent(params)
            case "GET", ["v1", "payment_intents", ident]:
                return self.get("payment_intent", ident)
            case "POST", ["v1", "refunds"]:
                return self.create_refund(params)
            case "GET", ["v1", "refunds"]:
                return self.list_refunds(params)
            case "POST", ["v1", "payment_intents", ident, "cancel"]:
                return self.cancel(self.get("payment_intent", ident))
            case "POST", ["test", "payment_intents", ident, "confirm"]:
                return self.confirm_in_browser(self.get("payment_intent", ident), params)
        raise missing("endpoint", path)

    def create_payment_method(self, params: dict[str, Any]) -> dict[str, Any]:
        only(params, {"type", "card", "billing_details", "metadata"})
        if params.get("type") != "card":
            invalid("Invalid type: must be card", "type")
        card = params.get("card") or {}
        number = str(card.get("number", ""))
        if not luhn(number):
            raise card_error("incorrect_number", "Your card number is incorrect.", "number")
        month, year = int(card.get("exp_month", 0)), int(card.get("exp_year", 0))
        now = self.now()
        if not 1 <= month <= 12 or (year, month) < (now.year, now.month):
            raise card_error("expired_card", "Your card has expired.", "exp_year")
        cvc = str(card.get("cvc", ""))
        if not (cvc.isdigit() and 3 <= len(cvc) <= 4):
            raise card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
        details = copy.deepcopy(self.fixtures["payment_method"]["card"])
        details.update(brand=BRANDS.get(number[0], "unknown"), last4=number[-4:])
        details.update(exp_month=month, exp_year=year)
        pm = self.new("payment_method", "pm", card=details, customer=None)
        self.behaviours[pm["id"]] = (
            "decline"
            if number in DECLINES
            else "authenticate"
            if number in NEEDS_AUTHENTICATION
            else "succeed"
        )
        return pm

    def create_payment_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        only(
            params,
            {
                "amount", "currency", "customer", "payment_method", "confirm", "off_session",
                "setup_future_usage", "automatic_payment_methods", "payment_method_types",
                "metadata", "receipt_email", "description",
            },
        )  # fmt: skip
        amount = as_int(params, "amount")
        currency = str(params.get("currency", ""))
        if len(currency) != 3 or not currency.islower():
            invalid("Invalid currency", "currency")
        confirm, off_session = as_bool(params, "confirm"), as_bool(params, "off_session")
        if off_session and not confirm:
            invalid("off_session can only be used with confirm=true", "off_session")
        future = params.get("setup_future_usage")
        if future not in (None, "off_session", "on_session"):
            invalid("Invalid setup_future_usage", "setup_future_usage")
        customer = params.get("customer")
        if customer is not None:
            self.get("customer", customer)
        if future is not None and customer is None:
            invalid("setup_future_usage needs a customer", "customer")
        method = params.get("payment_method")
        if method is not None:
            pm = self.get("payment_method", method)
            if pm["customer"] != customer:
                invalid("The payment method does not belong to this customer", "payment_method")
        pi = self.new(
            "payment_intent",
            "pi",
            amount=amount,
            currency=currency,
            customer=customer,
            payment_method=method,
            setup_future_usage=future,
            status="requires_payment_method" if method is None else "requires_confirmation",
            metadata=params.get("metadata", {}),
            last_payment_error=None,
            next_action=None,
            latest_charge=None,
            amount_received=0,
            canceled_at=None,
            processing=None,
            receipt_email=params.get("receipt_email"),
        )
        pi["client_secret"] = f"{pi['id']}_secret_{secrets.token_hex(8)}"
        if confirm:
            if method is None:
                invalid("You must provide a payment_method to confirm", "payment_method")
            self.attempt(pi, off_session=off_session)
        return pi

    def attempt(self, pi: dict[str, Any], *, off_session: bool) -> None:
        """Charge the intent's card as the test card does; a failure answers 402 with the PI."""
        behaviour = self.behaviours[pi["payment_method"]]
        if behaviour == "succeed":
            self.succeed(pi)
            return
        if behaviour == "authenticate" and not off_session:
            pi.update(status="requires_action", next_action={"type": "use_stripe_sdk"})
            return
        code, message = (
            ("authentication_required", "This payment requires authentication.")
            if behaviour == "authenticate"
            else ("card_declined", "Your card was declined.")
        )
        error = {"type": "card_error", "code": code, "message": message}
        if code == "card_declined":
            error["decline_code"] = "generic_decline"
        pi.update(status="requires_payment_method", last_payment_error=dict(error))
        raise StripeAnswerError(402, {**error, "payment_intent": pi})

    def succeed(self, pi: dict[str, Any]) -> None:
        charge = self.new("charge", "ch", amount=pi["amount"], currency=pi["currency"])
        charge.update(payment_intent=pi["id"], amount_refunded=0, refunded=False, paid=True)
        pi.update(status="succeeded", amount_received=pi["amount"], latest_charge=charge["id"])
        pi.update(next_action=None, last_payment_error=None)

    def confirm_in_browser(self, pi: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """What Stripe.js does in the page (not part of Stripe's API): confirm with a card,
        3-D Secure passed."""
        if "payment_method" in params:
            pi["payment_method"] = self.get("payment_method", params["payment_method"])["id"]
            if pi["customer"] and pi["setup_future_usage"]:
                self.objects[pi["payment_method"]]["customer"] = pi["customer"]
        if self.behaviours.get(pi["payment_method"]) == "decline":
            pi.update(status="requires_payment_method")
            pi["last_payment_error"] = {"type": "card_error", "code": "card_declined"}
            return pi
        self.succeed(pi)
        return pi

    def cancel(self, pi: dict[str, Any]) -> dict[str, Any]:
        if pi["status"] in ("succeeded", "canceled"):
            invalid(
                f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}.",
                None,
                "payment_intent_unexpected_state",
            )
        pi.update(status="canceled", canceled_at=int(self.now().timestamp()))
        return pi

    def list_refunds(self, params: dict[str, Any]) -> dict[str, Any]:
        only(params, {"payment_intent", "limit", "starting_after"})
        ref = params.get("payment_intent")
        data = [
            o
            for o in self.objects.values()
            if o["object"] == "refund" and o["payment_intent"] == ref
        ]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        only(params, {"payment_intent", "charge", "amount", "reason", "metadata"})
        pi = self.get("payment_intent", params.get("payment_intent", ""))
        if pi["status"] != "succeeded":
            invalid(
                "This PaymentIntent does not have a successful charge to refund.",
                "payment_intent",
                "charge_not_refundable",
            )
        charge = self.objects[pi["latest_charge"]]
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            invalid("Charge has already been refunded.", None, "charge_already_refunded")
        amount = as_int(params, "amount", required=False) or left
        if amount > left:
            invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                    f"({left})", "amount", "amount_too_large")  # fmt: skip
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return self.new(
            "refund",
            "re",
            amount=amount,
            currency=pi["currency"],
            charge=charge["id"],
            payment_intent=pi["id"],
            status="succeeded",
        )


def card_error(code: str, message: str, param: str) -> StripeAnswerError:
    return StripeAnswerError(
        402, {"type": "card_error", "code": code, "message": message, "param": param}
    )
