"""Page definitions: every problem named by its field; SKUs checked against the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.catalog import Product, Sku
from tactful.domain.checkout import PageError, catalogue_problems, parse_page, read_page
from tactful.domain.money import Money

BASE: dict[str, Any] = {"slug": "p", "currency": "gbp", "items": [{"sku": "A"}]}


def test_defaults_and_round_trip() -> None:
    page = parse_page(
        {
            **BASE,
            "bumps": [{"sku": "B"}, {"from_engine": True}],
            "upsells": [{"sku": "U", "downsell": {"sku": "D"}}],
        }
    )
    assert page.currency == "GBP"
    assert page.offer_expiry_minutes == 15
    assert page.explicit_bump_skus == ("B",)
    assert page.bumps[1].from_engine
    assert parse_page(page.to_dict()) == page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"currency": "pounds"}, "currency"),
        ({"items": []}, "items"),
        ({"items": [{"sku": "A", "quantity": 0}]}, "items[0].quantity"),
        ({"bumps": [{"sku": "1"}, {"sku": "2"}, {"sku": "3"}]}, "bumps"),
        ({"bumps": [{"headline": "no sku"}]}, "bumps[0].sku"),
        ({"upsells": [{"sku": "U", "downsell": {}}]}, "upsells[0].downsell.sku"),
        ({"branding": {"primary_color": "red"}}, "branding.primary_color"),
        ({"tax": {"mode": "sometimes"}}, "tax.mode"),
        ({"offer_expiry_minutes": 0}, "offer_expiry_minutes"),
        ({"steps": "many"}, "steps"),
    ],
)
def test_errors_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PageError) as error:
        parse_page({**BASE, **change})
    assert error.value.field == field


def test_every_problem_is_reported_not_just_the_first() -> None:
    with pytest.raises(PageError) as error:
        parse_page(
            {
                "slug": "Bad Slug",
                "currency": "GBP",
                "items": [{"sku": "A", "quantity": 0}],
                "bumps": [{"sku": "B", "preselected": True}, {"headline": "no sku"}],
                "upsells": [{"sku": "U", "preselectd": True, "downsell": {"sku": ""}}],
                "tax": {"mode": "sometimes"},
            }
        )
    assert [p.field for p in error.value.problems] == [
        "slug",
        "items[0].quantity",
        "bumps[0].preselected",
        "bumps[1].sku",
        "upsells[0].preselectd",
        "upsells[0].downsell.sku",
        "tax.mode",
    ]
    assert error.value.field == "slug"


@pytest.mark.parametrize("where", ["bumps", "upsells"])
def test_preselected_true_is_refused_and_false_is_accepted(where: str) -> None:
    with pytest.raises(PageError) as error:
        parse_page({**BASE, where: [{"sku": "B", "preselected": True}]})
    assert error.value.field == f"{where}[0].preselected"
    page = parse_page({**BASE, where: [{"sku": "B", "preselected": False}]})
    assert parse_page(page.to_dict()) == page


def test_catalogue_problems_name_missing_and_foreign_currency_skus() -> None:
    draft = read_page(
        {**BASE, "bumps": [{"sku": "EUR_ONLY"}], "upsells": [{"sku": "A"}, {"sku": "GONE"}]}
    )
    products = {
        "A": Product(Sku("A"), "A", Money(100, "GBP")),
        "EUR_ONLY": Product(Sku("EUR_ONLY"), "E", Money(100, "EUR")),
    }
    problems = catalogue_problems(draft.skus, products, draft.currency)
    assert [(p.field, p.message) for p in problems] == [
        ("bumps[0].sku", "'EUR_ONLY' is priced in EUR, the page in GBP"),
        ("upsells[1].sku", "no product 'GONE' in the catalogue"),
    ]


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        max_size=6,
    )
)
def test_any_mapping_is_read_or_refused_with_named_problems(data: dict[str, Any]) -> None:
    draft = read_page(data)
    assert (draft.page is None) == bool(draft.problems)
    assert all(p.field and p.message for p in draft.problems)
