"""The shown-offer budget, spent atomically where every server process can see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BudgetSpend:
    """What one decision spends: the arguments of `OfferBudget.spend`, carried to the
    decision log, which spends them in the transaction that stores the decision."""

    customer_id: str
    keys: tuple[str, ...]
    at: datetime
    window: timedelta
    budget: int


class OfferBudget(Protocol):
    """Spends of the weekly offer budget: one per customer, offer and day.

    Showing an offer spends budget once per day, so a refresh, back and forward or a second
    tab costs nothing. The check and the spend are one atomic step in the database, so
    concurrent decisions (in any process) never show more than the budget allows.
    """

    def spend(
        self,
        customer_id: str,
        keys: Sequence[str],
        *,
        at: datetime,
        window: timedelta,
        budget: int,
    ) -> frozenset[str]:
        """Spend for the offers about to be shown (best first); returns the keys refused.

        An offer already spent today is free; each other one needs room: fewer than
        `budget` spends since `at - window`. Those over the budget are refused, the last
        first, and spend nothing.
        """
        ...
