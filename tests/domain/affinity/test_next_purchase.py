"""Next-purchase evaluation: the protocol by hand, no leak across a time split, and the email
ranking ahead of both baselines on seeded grocery-like histories."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.domain.affinity import Baskets
from tactful.domain.affinity.next_purchase import (
    NextPurchaseSplit,
    cases,
    evaluate_next_purchase,
)

T0 = datetime(2024, 1, 1)


def orders(rows: list[tuple[str, int, list[str]]]) -> Baskets:
    """(customer or '' for a guest, day, items) per order."""
    base = Baskets.from_lists([items for _, _, items in rows])
    codes: dict[str, int] = {}
    owners = [codes.setdefault(c, len(codes)) if c else -1 for c, _, _ in rows]
    times = [np.datetime64(T0 + timedelta(days=day), "s") for _, day, _ in rows]
    return Baskets(
        items=base.items,
        indptr=base.indptr,
        indices=base.indices,
        customers=np.asarray(owners, dtype=np.int64),
        times=np.asarray(times, dtype="datetime64[s]"),
    )


def test_recall_and_ndcg_by_hand() -> None:
    history = orders(
        [
            ("ann", 0, ["milk", "bread"]),
            ("ann", 5, ["milk"]),
            ("ann", 9, ["milk", "eggs"]),  # target: milk is ann's top item, eggs is new
            ("bob", 1, ["tea"]),  # one order only: not a test customer
            ("", 2, ["eggs", "tea"]),
        ]
    )
    result = evaluate_next_purchase(history, NextPurchaseSplit(), ks=(1, 2))
    assert result.n_customers == 1
    # personal frequency for ann: milk (2 orders), bread (1): milk hits at rank 1, eggs never
    assert result.metric("personal-frequency", "recall", 1) == pytest.approx(0.5)
    assert result.metric("personal-frequency", "ndcg", 2) == pytest.approx(1 / (1 + 1 / np.log2(3)))
    # popularity over shared orders (ann's first two, bob's, the guest's): milk 2, then the rest
    assert result.metric("popularity", "recall", 1) == pytest.approx(0.5)


def test_the_last_order_is_never_in_the_shared_statistics() -> None:
    history = orders([("ann", 0, ["a"]), ("ann", 3, ["b"]), ("bob", 1, ["c"]), ("bob", 2, ["d"])])
    found = cases(history, NextPurchaseSplit())
    assert sorted(found.targets.tolist()) == [1, 3]
    assert found.shared.tolist() == [True, False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcde"),
            st.integers(0, 60),
            st.sets(st.sampled_from("vwxyz"), min_size=1),
        ),
        min_size=2,
        max_size=40,
    ),
    st.integers(1, 59),
)
def test_a_time_split_uses_nothing_from_after_the_date(
    rows: list[tuple[str, int, set[str]]], cut_day: int
) -> None:
    history = orders([(c, d, sorted(items)) for c, d, items in rows])
    cut = T0 + timedelta(days=cut_day)
    found = cases(history, NextPurchaseSplit(cut.date()))
    stamps = history.times.astype(datetime)  # type: ignore[union-attr]
    assert all(stamps[r] < cut for r in np.flatnonzero(found.shared))
    assert all(stamps[r] < cut for r in found.history_rows)
    assert all(stamps[r] >= cut for r in found.targets)
    owners = history.customers[found.targets]  # type: ignore[index]
    assert len(set(owners.tolist())) == found.targets.size  # one target per customer


def test_no_customer_to_predict_is_a_clear_error() -> None:
    history = orders([("ann", 0, ["a"]), ("bob", 1, ["b"])])
    with pytest.raises(ValueError, match="no customer has an order to predict"):
        evaluate_next_purchase(history, NextPurchaseSplit())
    with pytest.raises(ValueError, match="split: expected last or time"):
        NextPurchaseSplit.parse("random:0.8")
    assert NextPurchaseSplit.parse("time:2024-02-01").at == date(2024, 2, 1)


def grocery_like(seed: int, n_customers: int = 400) -> Baskets:
    """Ta-Feng-like histories: staples bought again and again, a few complements that go with
    them, the occasional popular impulse item; 3-12 trips per customer over four months."""
    rng = np.random.default_rng(seed)
    n_items = 300
    popular = 1.0 / np.arange(1, n_items + 1) ** 1.1
    popular /= popular.sum()
    partner = rng.permutation(n_items)
    rows: list[tuple[str, int, list[str]]] = []
    for c in range(n_customers):
        staples = rng.choice(n_items, size=rng.integers(2, 7), replace=False, p=popular)
        for trip in range(int(rng.integers(3, 13))):
            day = int(trip * 10 + rng.integers(0, 8))
            basket = {int(s) for s in staples if rng.random() < 0.45}
            basket |= {int(partner[s]) for s in staples if rng.random() < 0.12}
            basket |= {int(i) for i in rng.choice(n_items, size=rng.integers(1, 4), p=popular)}
            rows.append((f"c{c}", day, [f"p{i}" for i in sorted(basket)]))
    rows.sort(key=lambda r: r[1])
    return orders(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_email_beats_both_baselines_on_grocery_like_histories(seed: int) -> None:
    result = evaluate_next_purchase(grocery_like(seed), NextPurchaseSplit(), ks=(10,))
    for metric in ("recall", "ndcg"):
        email = result.metric("email", metric, 10)
        assert email > result.metric("personal-frequency", metric, 10)
        assert email > result.metric("popularity", metric, 10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_a_time_split_email_keeps_up_with_repeat_purchases(seed: int) -> None:
    """Here every customer already has ten items and staples never change, so the personal
    baseline is near the best possible; email may trail it by noise, never by more."""
    split = NextPurchaseSplit(date(2024, 3, 15))
    result = evaluate_next_purchase(grocery_like(seed), split, ks=(10,))
    for metric in ("recall", "ndcg"):
        email = result.metric("email", metric, 10)
        assert email > result.metric("popularity", metric, 10) + 0.1
        assert email > result.metric("personal-frequency", metric, 10) - 0.005
