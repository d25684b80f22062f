"""Countries are kept as ISO 3166-1 alpha-2 codes, whatever spelling came in."""

from __future__ import annotations

from typing import Any

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.countries import MAX_LENGTH, country_code, country_name

ONLINE_RETAIL = {
    "United Kingdom": "GB", "Germany": "DE", "France": "FR", "EIRE": "IE", "Spain": "ES",
    "Netherlands": "NL", "Belgium": "BE", "Switzerland": "CH", "Portugal": "PT",
    "Australia": "AU", "Norway": "NO", "Italy": "IT", "Finland": "FI", "Cyprus": "CY",
    "Sweden": "SE", "Austria": "AT", "Denmark": "DK", "Japan": "JP", "Poland": "PL",
    "Israel": "IL", "USA": "US", "Hong Kong": "HK", "Singapore": "SG", "Iceland": "IS",
    "Canada": "CA", "Greece": "GR", "Malta": "MT", "United Arab Emirates": "AE",
    "RSA": "ZA", "Lebanon": "LB", "Lithuania": "LT", "Brazil": "BR", "Czech Republic": "CZ",
    "Bahrain": "BH", "Saudi Arabia": "SA",
}  # fmt: skip
"""Every country of the Online Retail file that has a code, as the file spells it."""


@pytest.mark.parametrize(("given", "code"), sorted(ONLINE_RETAIL.items()))
def test_online_retail_countries_become_codes(given: str, code: str) -> None:
    assert country_code(given) == code


def test_codes_names_and_other_spellings_agree() -> None:
    spellings = ["GB", "gb", " GB ", "GBR", "United Kingdom", "united kingdom", "UK"]
    assert {country_code(s) for s in spellings} == {"GB"}
    assert country_code("Deutschland") == "Deutschland"  # not an ISO name: kept as given
    assert country_code("Channel Islands") == "Channel Islands"  # no code of its own
    assert country_code("European Community") == "European Community"
    assert country_code("") is None
    assert country_code("   ") is None
    assert country_code(None) is None
    assert country_code("x" * 100) == "x" * MAX_LENGTH


@given(st.sampled_from(list(pycountry.countries)))
def test_every_country_name_and_code_finds_its_alpha_2(country: Any) -> None:
    code = str(country.alpha_2)
    assert country_code(str(country.name)) == code
    assert country_code(code.lower()) == code
    assert country_code(str(country.alpha_3)) == code


@given(st.one_of(st.text(max_size=80), st.sampled_from(sorted(ONLINE_RETAIL))))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = country_code(text)
    assert country_code(once) == once


def test_codes_read_as_the_names_people_use() -> None:
    names = {"GB": "United Kingdom", "KR": "South Korea", "RU": "Russia", "FR": "France"}
    assert {code: country_name(code) for code in names} == names
    assert country_name("Channel Islands") == "Channel Islands"  # no code: kept as stored
    assert country_name("none") == "none"


@given(st.sampled_from(list(pycountry.countries)))
def test_every_name_shown_finds_its_code_again(country: Any) -> None:
    code = str(country.alpha_2)
    assert country_code(country_name(code)) == code
