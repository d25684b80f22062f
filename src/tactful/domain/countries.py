"""Countries as ISO 3166-1 alpha-2 codes, whatever spelling a shop or a file gave.

Files and platforms name a country (`United Kingdom`, Shopify's `country`) or give its code
(`GB`, WooCommerce); stored as given, one country split into two segments. Every country is
kept as its alpha-2 code, looked up in the ISO 3166 data `pycountry` maintains (names,
official names, common names, alpha-2 and alpha-3 codes, any case), plus the spellings below
that it does not know. A place with no ISO code (Online Retail's `Channel Islands` and
`European Community`) stays as given, so it remains a segment of its own.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

MAX_LENGTH = 64
"""The longest country a customer keeps (the column's width)."""
_ALIASES = {
    "UK": "GB",  # reserved by ISO for the United Kingdom
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "EIRE": "IE",  # Online Retail's name for Ireland
    "RSA": "ZA",  # Online Retail's name for South Africa
    "USA": "US",
    "UNITED STATES OF AMERICA": "US",
    "RUSSIA": "RU",
    "SOUTH KOREA": "KR",
    "TURKEY": "TR",
    "VIETNAM": "VN",
}


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """`GB` for `United Kingdom`, `gb`, `GBR`, `UK` or `Great Britain`; the trimmed text
    when no country has that name; None when there is no text."""
    given = (text or "").strip()[:MAX_LENGTH].rstrip()
    if not given:
        return None
    alias = _ALIASES.get(given.upper())
    if alias is not None:
        return alias
    try:
        found = pycountry.countries.lookup(given)
    except LookupError:
        return given
    return str(found.alpha_2)


_SHORT_NAMES = {"RU": "Russia"}
"""Names people use where ISO's is formal and it has no common name."""


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """`United Kingdom` for `GB`, `South Korea` for `KR`: the name a person reads for a
    stored code; anything that is not an alpha-2 code (`Channel Islands`) as it is."""
    if code in _SHORT_NAMES:
        return _SHORT_NAMES[code]
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if found is None:
        return code
    return str(getattr(found, "common_name", None) or found.name)
