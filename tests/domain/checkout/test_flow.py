"""The post-purchase funnel: one offer at a time, downsell only after a decline, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Product, ProductKind, Sku
from tactful.domain.checkout import (
    Refusal,
    Response,
    Slot,
    SlotKind,
    current_slot,
    dropped_slots,
    parse_page,
    parse_slot,
    refusal,
)
from tactful.domain.money import Money

PAGE = parse_page(
    {
        "slug": "p",
        "currency": "GBP",
        "items": [{"sku": "A"}],
        "upsells": [{"sku": "U1", "downsell": {"sku": "D1"}}, {"sku": "U2"}],
    }
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_walk_through_the_funnel() -> None:
    answers: dict[str, Response] = {}
    assert current_slot(PAGE, answers) == Slot(1, SlotKind.UPSELL)
    answers["u1"] = Response.DECLINED
    assert current_slot(PAGE, answers) == Slot(1, SlotKind.DOWNSELL)
    answers["d1"] = Response.ACCEPTED
    assert current_slot(PAGE, answers) == Slot(2, SlotKind.UPSELL)
    answers["u2"] = Response.DECLINED
    assert current_slot(PAGE, answers) is None


def test_accepting_the_upsell_skips_its_downsell() -> None:
    assert current_slot(PAGE, {"u1": Response.ACCEPTED}) == Slot(2, SlotKind.UPSELL)


@given(st.lists(st.sampled_from(list(Response)), max_size=6))
def test_never_shows_an_answered_offer_and_ends(choices: list[Response]) -> None:
    answers: dict[str, Response] = {}
    for choice in choices:
        slot = current_slot(PAGE, answers)
        if slot is None:
            break
        assert slot.code not in answers
        if slot.kind is SlotKind.DOWNSELL:
            assert answers[f"u{slot.step}"] is Response.DECLINED
        answers[slot.code] = choice
    assert len(answers) <= 3


def test_refusals() -> None:
    now = T0 + timedelta(minutes=5)
    first = Slot(1, SlotKind.UPSELL)
    assert refusal(PAGE, {}, first, purchased_at=T0, now=now) is None
    late = T0 + timedelta(minutes=15)
    assert refusal(PAGE, {}, first, purchased_at=T0, now=late) is Refusal.EXPIRED
    downsell = Slot(1, SlotKind.DOWNSELL)
    assert refusal(PAGE, {}, downsell, purchased_at=T0, now=now) is Refusal.NOT_CURRENT
    assert refusal(PAGE, {}, Slot(2, SlotKind.DOWNSELL), purchased_at=T0, now=now) is (
        Refusal.UNKNOWN
    )


def test_parse_slot_only_names_slots_of_this_order() -> None:
    assert parse_slot(PAGE, "co_1", "co_1-d1") == Slot(1, SlotKind.DOWNSELL)
    for other in ("co_2-u1", "co_1-u9", "co_1-x1", "co_1-u", "co_1-d2"):
        assert parse_slot(PAGE, "co_1", other) is None


def test_dropped_slots_are_passed_over_and_a_dropped_upsell_takes_its_downsell() -> None:
    assert current_slot(PAGE, {}, {"u1"}) == Slot(2, SlotKind.UPSELL)
    assert current_slot(PAGE, {"u1": Response.DECLINED}, {"d1"}) == Slot(2, SlotKind.UPSELL)
    assert current_slot(PAGE, {}, {"u1", "u2"}) is None
    answers = {"u1": Response.DECLINED}
    assert refusal(PAGE, answers, Slot(1, SlotKind.DOWNSELL), purchased_at=T0, now=T0) is None
    assert (
        refusal(PAGE, answers, Slot(1, SlotKind.DOWNSELL), purchased_at=T0, now=T0, dropped={"d1"})
        is Refusal.NOT_CURRENT
    )


def test_dropped_slots_are_off_sale_foreign_or_already_bought() -> None:
    def product(sku: str, **kw: Any) -> Product:
        return Product(Sku(sku), sku, Money(100, kw.pop("currency", "GBP")), **kw)

    products = {
        "U1": product("U1", kind=ProductKind.PHYSICAL),
        "D1": product("D1", active=False),
        "U2": product("U2", kind=ProductKind.DIGITAL),
    }
    assert dropped_slots(PAGE, products, in_order=set(), owned=set()) == {"d1"}
    assert dropped_slots(PAGE, products, in_order={"U1"}, owned=set()) == {"u1", "d1"}
    assert dropped_slots(PAGE, products, in_order=set(), owned={"U1", "U2"}) == {"d1", "u2"}
    foreign = {**products, "U2": product("U2", currency="EUR")}
    assert dropped_slots(PAGE, foreign, in_order=set(), owned=set()) == {"d1", "u2"}
    assert dropped_slots(PAGE, {}, in_order=set(), owned=set()) == {"u1", "d1", "u2"}


@given(st.sets(st.sampled_from(["u1", "d1", "u2"])), st.sampled_from(list(Response)))
def test_a_dropped_slot_is_never_current(dropped: set[str], first: Response) -> None:
    for answers in ({}, {"u1": first}):
        slot = current_slot(PAGE, answers, dropped)
        assert slot is None or slot.code not in dropped
