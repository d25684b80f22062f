"""Page definitions: validated with errors that name the field; they round-trip."""

from __future__ import annotations

from typing import Any

import pytest

from tactful.domain.checkout import PageError, parse_page

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
