"""The built-in `test` gateway: the documented test cards, charges stored as real rows.

The cards and what each does are in `tactful.adapters.payments.test_cards`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, select
from sqlalchemy.exc import IntegrityError

from tactful.adapters.db.tables_checkout import charges, payment_methods, refunds
from tactful.adapters.payments.test_cards import (
    TEST_CARDS,
    card_behaviour,
    charge_outcome,
    same_charge,
)
from tactful.domain.checkout.payments import (
    CardDetails,
    Charge,
    ChargeStatus,
    PaymentError,
    PaymentMethod,
    Refund,
    card_brand,
)
from tactful.domain.clock import Clock, SystemClock
from tactful.domain.money import Money


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class TestModeGateway:
    """A gateway persisted in tactful's own database, for the demo and the tests."""

    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def create_payment_method(self, card: CardDetails, *, customer_ref: str) -> PaymentMethod:
        """Vault one of the documented test cards; any other number is refused."""
        number = "".join(card.number.split())
        behaviour = card_behaviour(card, number, self.clock.now())
        method = PaymentMethod(
            payment_method_id="pm_" + secrets.token_hex(12),
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )
        with self.engine.begin() as conn:
            conn.execute(
                payment_methods.insert().values(
                    payment_method_id=method.payment_method_id,
                    gateway=self.name,
                    customer_ref=customer_ref,
                    brand=method.brand,
                    last4=method.last4,
                    exp_month=method.exp_month,
                    exp_year=method.exp_year,
                    behaviour=behaviour,
                    created_at=self.clock.now(),
                )
            )
        return method

    def get_payment_method(self, payment_method_id: str) -> PaymentMethod | None:
        """A vaulted card by token."""
        row = self._method_row(payment_method_id)
        if row is None:
            return None
        return PaymentMethod(
            row.payment_method_id, row.brand, row.last4, row.exp_month, row.exp_year
        )

    def _method_row(self, payment_method_id: str) -> Row[Any] | None:
        with self.engine.connect() as conn:
            query = select(payment_methods).where(
                payment_methods.c.payment_method_id == payment_method_id,
                payment_methods.c.gateway == self.name,
            )
            return conn.execute(query).first()

    def charge(
        self,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
        *,
        off_session: bool = False,
    ) -> Charge:
        """Charge once per key: the unique (gateway, key) row makes a repeat return the first."""
        if amount <= 0:
            raise PaymentError("invalid_amount", "amount must be positive")
        existing = self._by_key(idempotency_key)
        if existing is not None:
            return same_charge(existing, amount, currency, payment_method)
        row = self._method_row(payment_method)
        if row is None:
            raise PaymentError("no_such_payment_method", f"unknown payment method {payment_method}")
        status, code, message = charge_outcome(row.behaviour)
        values = {
            "charge_id": "ch_" + secrets.token_hex(12),
            "gateway": self.name,
            "idempotency_key": idempotency_key,
            "payment_method_id": payment_method,
            "amount": amount,
            "currency": currency.upper(),
            "status": status.value,
            "failure_code": code,
            "failure_message": message,
            "created_at": self.clock.now(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(charges.insert().values(**values))
        except IntegrityError:
            first = self._by_key(idempotency_key)
            if first is None:
                raise
            return same_charge(first, amount, currency, payment_method)
        return _charge(values)

    def _by_key(self, idempotency_key: str) -> Charge | None:
        with self.engine.connect() as conn:
            query = select(charges).where(
                charges.c.gateway == self.name, charges.c.idempotency_key == idempotency_key
            )
            row = conn.execute(query).first()
        return None if row is None else _charge(row._asdict())

    def refund(self, charge_id: str, amount: int | None, idempotency_key: str) -> Refund:
        """Refund a succeeded charge once per key, never more than was charged."""
        with self.engine.begin() as conn:
            done = conn.execute(
                select(refunds).where(
                    refunds.c.gateway == self.name, refunds.c.idempotency_key == idempotency_key
                )
            ).first()
            if done is not None:
                return self._refund(done._asdict(), conn)
            charge = conn.execute(
                select(charges).where(charges.c.charge_id == charge_id).with_for_update()
            ).first()
            if charge is None or charge.status != ChargeStatus.SUCCEEDED.value:
                raise PaymentError("not_refundable", f"charge {charge_id} cannot be refunded")
            already = sum(
                r.amount
                for r in conn.execute(select(refunds).where(refunds.c.charge_id == charge_id))
            )
            value = charge.amount - already if amount is None else amount
            if value <= 0 or already + value > charge.amount:
                raise PaymentError("refund_too_large", "refund exceeds what was charged")
            values = {
                "refund_id": "re_" + secrets.token_hex(12),
                "gateway": self.name,
                "idempotency_key": idempotency_key,
                "charge_id": charge_id,
                "amount": value,
                "created_at": self.clock.now(),
            }
            conn.execute(refunds.insert().values(**values))
            return self._refund(values, conn)

    def _refund(self, values: dict[str, Any], conn: Any) -> Refund:
        currency = conn.execute(
            select(charges.c.currency).where(charges.c.charge_id == values["charge_id"])
        ).scalar_one()
        return Refund(
            values["refund_id"],
            values["charge_id"],
            Money(values["amount"], currency),
            _utc(values["created_at"]),
        )


def _charge(values: dict[str, Any]) -> Charge:
    return Charge(
        charge_id=values["charge_id"],
        amount=Money(int(values["amount"]), values["currency"]),
        payment_method_id=values["payment_method_id"],
        status=ChargeStatus(values["status"]),
        idempotency_key=values["idempotency_key"],
        created_at=_utc(values["created_at"]),
        failure_code=values["failure_code"],
        failure_message=values["failure_message"],
    )


__all__ = ["TEST_CARDS", "TestModeGateway"]
