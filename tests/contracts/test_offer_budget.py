"""The `OfferBudget` contract, on SQLite, PostgreSQL and in memory (issue 21 bug 6, issue 25).

One spend per customer, offer and day; at most `budget` spends in the window; the check and
the spend are atomic, so concurrent deciders never overspend.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tactful.adapters.db.offer_budget import SqlOfferBudget
from tactful.adapters.db.transaction import SqlDatabase
from tactful.adapters.memory.offer_budget import MemoryOfferBudget
from tactful.services.ports.offer_budget import OfferBudget
from tactful.services.ports.storage import Database

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.fixture
def budget(database: Database) -> OfferBudget:
    if isinstance(database, SqlDatabase):
        return SqlOfferBudget(database.engine)
    return MemoryOfferBudget()


def spend(budget: OfferBudget, keys: list[str], at: datetime = NOW, who: str = "c1") -> set[str]:
    return set(budget.spend(who, keys, at=at, window=WEEK, budget=6))


def test_new_offers_spend_until_the_budget_is_full(budget: OfferBudget) -> None:
    assert spend(budget, ["a", "b"]) == set()
    assert spend(budget, ["c", "d"]) == set()
    assert spend(budget, ["e", "f", "g"]) == {"g"}  # the last (lowest ranked) is refused
    assert spend(budget, ["h"]) == {"h"}
    assert spend(budget, ["a"], who="c2") == set()  # another customer has a budget of their own


def test_the_same_offer_again_the_same_day_is_free(budget: OfferBudget) -> None:
    assert spend(budget, ["a", "b", "c", "d", "e", "f"]) == set()
    for hour in range(8):  # refreshes, back and forward, a second tab: all free
        assert spend(budget, ["a", "b"], at=NOW + timedelta(hours=hour)) == set()
    assert spend(budget, ["a", "z"], at=NOW + timedelta(hours=1)) == {"z"}


def test_another_day_spends_again_and_old_spends_expire(budget: OfferBudget) -> None:
    assert spend(budget, ["a", "b", "c"]) == set()
    next_day = NOW + timedelta(days=1)
    assert spend(budget, ["a", "b", "c"], at=next_day) == set()  # 6 spends now
    assert spend(budget, ["a"], at=NOW + timedelta(days=2)) == {"a"}
    assert spend(budget, ["x", "y", "z"], at=NOW + WEEK + timedelta(hours=1)) == set()


def test_repeated_keys_in_one_call_spend_once(budget: OfferBudget) -> None:
    assert spend(budget, ["a", "a", "b"]) == set()
    assert spend(budget, ["c", "d", "e", "f"]) == set()


def test_concurrent_spends_never_exceed_the_budget(database: Database) -> None:
    """Twenty deciders at once, each with its own adapter (as separate processes would be)."""
    if isinstance(database, SqlDatabase):
        budgets: list[OfferBudget] = [SqlOfferBudget(database.engine) for _ in range(20)]
    else:
        shared = MemoryOfferBudget()
        budgets = [shared] * 20

    def decide(n: int) -> set[str]:
        keys = [f"offer-{n}-a", f"offer-{n}-b"]
        return keys_granted(keys, budgets[n].spend("c1", keys, at=NOW, window=WEEK, budget=6))

    with ThreadPoolExecutor(20) as pool:
        granted = [key for keys in pool.map(decide, range(20)) for key in keys]
    assert len(granted) == 6


def keys_granted(keys: list[str], refused: frozenset[str]) -> set[str]:
    return {key for key in keys if key not in refused}
