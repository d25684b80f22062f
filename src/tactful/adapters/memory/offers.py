"""`tactful.services.ports.OfferLog` in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tactful.adapters.memory._common import utc
from tactful.domain.catalog import Sku
from tactful.domain.customers import CustomerId
from tactful.domain.events import Event, EventId
from tactful.domain.offers import OfferResponse
from tactful.domain.offers.records import DecisionRecord, Impression
from tactful.domain.offers.thompson import ArmCounts

if TYPE_CHECKING:
    from tactful.adapters.memory.database import MemoryState


@dataclass
class OfferData:
    """What the offer log holds: decisions by id, impressions and responses by offer."""

    decisions: dict[str, DecisionRecord] = field(default_factory=dict)
    impressions: dict[tuple[str, str], Impression] = field(default_factory=dict)
    responses: dict[tuple[str, str, OfferResponse], datetime] = field(default_factory=dict)


def _response_event(impression: Impression, response: OfferResponse, at: datetime) -> Event:
    """The offer_* event a response adds, as the SQL log writes it (cooldowns read it)."""
    return Event(
        EventId(impression.response_event_id(response.value)),
        response.event_type,
        CustomerId(impression.customer_id),
        utc(at),
        Sku(impression.sku),
        impression.event_properties(),
    )


class MemoryOfferLog:
    """`tactful.services.ports.OfferLog` over a memory transaction's working state."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state
        self.data = state.offers

    def save_decisions(self, records: Sequence[DecisionRecord]) -> None:
        for record in records:
            if record.decision_id in self.data.decisions:
                raise ValueError(f"decision {record.decision_id!r} is logged already")
            self.data.decisions[record.decision_id] = record
            for shown in record.impressions:
                stored = replace(shown, at=utc(shown.at), channel=record.channel)
                self.data.impressions[(shown.decision_id, shown.offer_id)] = stored

    def save_decision(self, record: DecisionRecord) -> None:
        self.save_decisions((record,))

    def get_impression(self, decision_id: str, offer_id: str) -> Impression | None:
        return self.data.impressions.get((decision_id, offer_id))

    def decision_exists(self, decision_id: str) -> bool:
        return decision_id in self.data.decisions

    def save_response(
        self, impression: Impression, response: OfferResponse, *, at: datetime
    ) -> bool:
        key = (impression.decision_id, impression.offer_id, response)
        if key in self.data.responses:
            return False
        self.data.responses[key] = utc(at)
        event = _response_event(impression, response, at)
        self.state.events.events.setdefault(event.event_id, event)
        return True

    def count_decisions(self, *, held_out: bool | None = None) -> int:
        records = self.data.decisions.values()
        return sum(1 for r in records if held_out is None or r.held_out == held_out)

    def count_impressions(self) -> int:
        return len(self.data.impressions)

    def arm_counts(self, *, since: datetime) -> dict[str, ArmCounts]:
        shown: dict[str, int] = {}
        taken: dict[str, int] = {}
        for (decision_id, offer_id), impression in self.data.impressions.items():
            if impression.at < utc(since):
                continue
            key = f"{impression.kind}:{impression.sku}:{impression.for_sku or ''}"
            shown[key] = shown.get(key, 0) + 1
            took = (decision_id, offer_id, OfferResponse.ACCEPTED) in self.data.responses
            taken[key] = taken.get(key, 0) + took
        return {key: ArmCounts(count, taken[key]) for key, count in shown.items()}
