"""The decision log: every decision (held out or not), each offer shown, each response."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from tactful.adapters.db.repositories._common import utc
from tactful.adapters.db.repositories._driver import Driver
from tactful.adapters.db.repositories.events import insert_ignoring
from tactful.adapters.db.tables import events
from tactful.adapters.db.tables_offers import decisions, offer_impressions, offer_responses
from tactful.domain.events import EventType
from tactful.domain.money import Money
from tactful.domain.offers.inputs import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.offers.thompson import ArmCounts

__all__ = [
    "DecisionRecord",
    "Impression",
    "Response",
    "SqlOfferLog",
    "arm_counts",
    "count_decisions",
    "count_impressions",
    "decision_exists",
    "get_impression",
    "save_decision",
    "save_decisions",
    "save_response",
]


Response = OfferResponse
"""The old name of `tactful.domain.offers.OfferResponse` (kept until every caller moves)."""


def _event_row(
    impression: Impression, kind: EventType, event_id: str, at: datetime
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": kind.value,
        "customer_id": impression.customer_id,
        "at": utc(at),
        "sku": impression.sku,
        "properties": impression.event_properties(),
    }


_INSERT_DECISION = (
    "INSERT INTO decisions (decision_id, customer_id, moment, channel, at, held_out, "
    "offer_count, cart, model_version, trace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_IMPRESSION = (
    "INSERT INTO offer_impressions (decision_id, offer_id, position, customer_id, kind, sku, "
    "for_sku, format, price, currency, relevance, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_INSERT_VARIANT = (
    "INSERT INTO decision_variants (decision_id, experiment_id, variant, customer_id, at) "
    "VALUES (?, ?, ?, ?, ?)"
)


@dataclass
class _Rows:
    """The rows of a batch of decisions, one list per table, for one executemany each."""

    decisions: list[tuple[Any, ...]] = field(default_factory=list)
    impressions: list[tuple[Any, ...]] = field(default_factory=list)
    variants: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, driver: Driver, record: DecisionRecord) -> None:
        """One decision's rows; its time is converted once and shared by its impressions."""
        moment = record.at
        at = driver.bound_time(moment)
        json = driver.bound_json
        cart = json([line if type(line) is dict else dict(line) for line in record.cart])
        shown = record.impressions
        self.decisions.append(
            (
                record.decision_id,
                record.customer_id,
                record.moment,
                record.channel,
                at,
                record.held_out,
                len(shown),
                cart,
                record.model_version,
                record.trace,
            )
        )
        for experiment_id, variant in record.variants:
            self.variants.append(
                (record.decision_id, experiment_id, variant, record.customer_id, at)
            )
        for i in shown:
            shown_at = at if i.at == moment else driver.bound_time(i.at)
            price = i.price
            self.impressions.append(
                (
                    i.decision_id,
                    i.offer_id,
                    i.position,
                    i.customer_id,
                    i.kind,
                    i.sku,
                    i.for_sku,
                    i.format,
                    price.amount,
                    price.currency,
                    i.relevance,
                    shown_at,
                )
            )


def save_decisions(connection: Connection, records: Sequence[DecisionRecord]) -> None:
    """Log decisions and their impressions (caller's transaction).

    An impression is the one record of an offer shown: budgets and cooldowns read it back
    (decision_inputs), so no offer_shown event repeats it (migration 0007). Plain SQL on the
    driver, one executemany per table for the whole batch: this is the API's hot path, and
    the decision log writes many concurrent decisions at once.
    """
    driver = Driver(connection)
    rows = _Rows()
    for record in records:
        rows.add(driver, record)
    driver.many(_INSERT_DECISION, rows.decisions)
    driver.many(_INSERT_IMPRESSION, rows.impressions)
    if rows.variants:
        driver.many(_INSERT_VARIANT, rows.variants)


def save_decision(connection: Connection, record: DecisionRecord) -> None:
    """Log one decision with its impressions (caller's transaction)."""
    save_decisions(connection, (record,))


def get_impression(connection: Connection, decision_id: str, offer_id: str) -> Impression | None:
    """The offer shown in a decision, or None when that decision never showed it."""
    query = (
        select(offer_impressions, decisions.c.channel)
        .join(decisions, decisions.c.decision_id == offer_impressions.c.decision_id)
        .where(offer_impressions.c.decision_id == decision_id)
        .where(offer_impressions.c.offer_id == offer_id)
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return Impression(
        decision_id=row.decision_id,
        offer_id=row.offer_id,
        position=row.position,
        customer_id=row.customer_id,
        kind=row.kind,
        sku=row.sku,
        for_sku=row.for_sku,
        format=row.format,
        price=Money(int(row.price), row.currency),
        at=utc(row.at),
        relevance=row.relevance,
        channel=row.channel,
    )


def decision_exists(connection: Connection, decision_id: str) -> bool:
    """Whether a decision with this id was logged."""
    query = select(decisions.c.decision_id).where(decisions.c.decision_id == decision_id)
    return connection.execute(query).first() is not None


def save_response(
    connection: Connection, impression: Impression, response: OfferResponse, *, at: datetime
) -> bool:
    """Store a response once (and its offer_* event); False when it was already stored."""
    row = {
        "decision_id": impression.decision_id,
        "offer_id": impression.offer_id,
        "response": response.value,
        "customer_id": impression.customer_id,
        "at": utc(at),
    }
    statement = insert_ignoring(connection, offer_responses).returning(offer_responses.c.offer_id)
    if connection.execute(statement, row).first() is None:
        return False
    event_id = impression.response_event_id(response.value)
    event = _event_row(impression, response.event_type, event_id, at)
    connection.execute(insert_ignoring(connection, events), event)
    return True


def count_decisions(connection: Connection, *, held_out: bool | None = None) -> int:
    """How many decisions are logged; for checks and benchmarks."""
    query = select(func.count()).select_from(decisions)
    if held_out is not None:
        query = query.where(decisions.c.held_out == held_out)
    return int(connection.execute(query).scalar_one())


def count_impressions(connection: Connection) -> int:
    """How many offers were shown in total; for checks and benchmarks."""
    query = select(func.count()).select_from(offer_impressions)
    return int(connection.execute(query).scalar_one())


def arm_counts(connection: Connection, *, since: datetime) -> dict[str, ArmCounts]:
    """Offers shown since `since` and accepted of those, per offer key: the impressions
    grouped by key (their span index, 0021), then the accepted answers since then joined to
    their impressions by key (two grouped reads; an EXISTS per impression costs 1.5x more)."""
    i, r = offer_impressions, offer_responses
    key = (i.c.kind, i.c.sku, i.c.for_sku)
    since = utc(since)
    shown = select(*key, func.count()).where(i.c.at >= since).group_by(*key)
    joined = r.join(i, and_(r.c.decision_id == i.c.decision_id, r.c.offer_id == i.c.offer_id))
    taken = (
        select(*key, func.count())
        .select_from(joined)
        .where(r.c.response == OfferResponse.ACCEPTED.value, r.c.at >= since, i.c.at >= since)
        .group_by(*key)
    )
    accepted = {tuple(row[:3]): int(row[3]) for row in connection.execute(taken)}
    return {
        f"{kind}:{sku}:{for_sku or ''}": ArmCounts(int(n), accepted.get((kind, sku, for_sku), 0))
        for kind, sku, for_sku, n in connection.execute(shown)
    }


class SqlOfferLog:
    """`tactful.services.ports.OfferLog` on one SQLAlchemy connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def save_decisions(self, records: Sequence[DecisionRecord]) -> None:
        return save_decisions(self.connection, records)

    def save_decision(self, record: DecisionRecord) -> None:
        return save_decision(self.connection, record)

    def get_impression(self, decision_id: str, offer_id: str) -> Impression | None:
        return get_impression(self.connection, decision_id, offer_id)

    def decision_exists(self, decision_id: str) -> bool:
        return decision_exists(self.connection, decision_id)

    def save_response(
        self, impression: Impression, response: OfferResponse, *, at: datetime
    ) -> bool:
        return save_response(self.connection, impression, response, at=at)

    def count_decisions(self, *, held_out: bool | None = None) -> int:
        return count_decisions(self.connection, held_out=held_out)

    def count_impressions(self) -> int:
        return count_impressions(self.connection)

    def arm_counts(self, *, since: datetime) -> dict[str, ArmCounts]:
        return arm_counts(self.connection, since=since)
