"""The post-purchase funnel: one offer at a time, downsell only after a decline, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.checkout import (
    Refusal,
    Response,
    Slot,
    SlotKind,
    current_slot,
    parse_page,
    parse_slot,
    refusal,
)

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
