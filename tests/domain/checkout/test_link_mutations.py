"""10,000 random mutations of signed links, plus expired and replayed ones: none is accepted.

A mutation is accepted only if the link still verifies AND sets different terms than the
merchant signed; an unsigned quantity on a link that signs none is allowed by design (the page
bounds it), so it is not counted as a change of the signed terms.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tactful.domain.checkout import InvalidLink, LinkTerms, sign_link, verify_link

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
SECRET = b"s3cret-for-link-mutations"
TTL = timedelta(days=7)
MUTATIONS = 10_000
ALPHABET = string.ascii_letters + string.digits + "-_=+/%&.~ é€\x00"
Query = dict[str, str]


def _flip_char(rng: random.Random, value: str) -> str:
    if not value:
        return rng.choice(ALPHABET)
    at = rng.randrange(len(value))
    return value[:at] + rng.choice(ALPHABET.replace(value[at], "")) + value[at + 1 :]


def _mutate(rng: random.Random, query: Query) -> Query:
    """One random attacker's edit: change, drop, add or swap a parameter."""
    mutated = dict(query)
    field = rng.choice([*sorted(query), "price", "sku", "customer", "exp", "sig", "kid"])
    edits: list[Callable[[], None]] = [
        lambda: mutated.__setitem__(field, _flip_char(rng, mutated.get(field, ""))),
        lambda: mutated.pop(field, None),
        lambda: mutated.__setitem__(field, mutated.get(field, "") + rng.choice(ALPHABET)),
        lambda: mutated.__setitem__(field, str(rng.randrange(-(10**9), 10**12))),
    ]
    rng.choice(edits)()
    return mutated


def _signed_terms(rng: random.Random) -> LinkTerms:
    return LinkTerms(
        price=rng.choice([None, rng.randrange(0, 10**7)]),
        sku=rng.choice([None, "PRO-" + str(rng.randrange(1000))]),
        quantity=rng.choice([None, rng.randrange(1, 100)]),
        customer=rng.choice([None, "c" + str(rng.randrange(10**6))]),
    )


def _same_terms(got: LinkTerms, signed: LinkTerms) -> bool:
    return (got.price, got.sku, got.quantity, got.customer) == (
        signed.price,
        signed.sku,
        signed.quantity,
        signed.customer,
    )


def test_ten_thousand_random_mutations_never_change_the_signed_terms() -> None:
    rng = random.Random(20261206)
    accepted_changes: list[Query] = []
    refused = 0
    for _ in range(MUTATIONS):
        terms = _signed_terms(rng)
        query = sign_link(SECRET, "page", terms, now=NOW, ttl=TTL)
        mutated = _mutate(rng, query)
        try:
            got = verify_link(SECRET, "page", mutated, now=NOW + timedelta(hours=1))
        except InvalidLink:
            refused += 1
            continue
        if not _same_terms(got, terms):
            accepted_changes.append(mutated)
    assert accepted_changes == []
    # Edits of the key-id hint or an added unsigned quantity are harmless and still verify.
    assert refused > MUTATIONS * 0.7


def test_expired_links_are_refused_at_and_after_their_expiry() -> None:
    rng = random.Random(7)
    for _ in range(200):
        terms = _signed_terms(rng)
        query = sign_link(SECRET, "page", terms, now=NOW, ttl=TTL)
        late = NOW + TTL + timedelta(seconds=rng.randrange(0, 10**7))
        with pytest.raises(InvalidLink):
            verify_link(SECRET, "page", query, now=late)


def test_a_link_replayed_on_another_page_or_under_another_key_is_refused() -> None:
    rng = random.Random(11)
    for _ in range(200):
        terms = _signed_terms(rng)
        query = sign_link(SECRET, "page", terms, now=NOW, ttl=TTL)
        with pytest.raises(InvalidLink):
            verify_link(SECRET, "other-page", query, now=NOW)
        with pytest.raises(InvalidLink):
            verify_link(b"rotated-secret", "page", query, now=NOW)
