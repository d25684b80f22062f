"""Signed links: only the merchant's signature sets price, product or quantity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.domain.checkout import (
    InvalidLink,
    LinkProblem,
    LinkTerms,
    prefill,
    sign_link,
    verify_link,
)

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
SECRET = b"s3cret-for-tests"
terms_st = st.builds(
    LinkTerms,
    price=st.none() | st.integers(0, 10**9),
    sku=st.none() | st.text("ABCXYZ019_-", min_size=1, max_size=12),
    quantity=st.none() | st.integers(1, 100),
)


@given(terms_st)
def test_signed_terms_round_trip(terms: LinkTerms) -> None:
    query = sign_link(SECRET, "page", terms, now=NOW, ttl=timedelta(days=7))
    got = verify_link(SECRET, "page", query, now=NOW + timedelta(days=6))
    assert (got.price, got.sku, got.quantity) == (terms.price, terms.sku, terms.quantity)


@given(terms_st, st.sampled_from(["price", "sku", "quantity", "exp"]))
def test_any_change_is_refused(terms: LinkTerms, field: str) -> None:
    query = sign_link(SECRET, "page", terms, now=NOW, ttl=timedelta(days=7))
    added_quantity = field == "quantity" and terms.quantity is None
    query[field] = query.get(field, "1") + "1"
    if added_quantity:  # an unsigned quantity sets nothing; the page bounds it (see prefill)
        assert verify_link(SECRET, "page", query, now=NOW).quantity is None
        return
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", query, now=NOW)
    assert error.value.problem is LinkProblem.BAD_SIGNATURE


@given(terms_st.filter(lambda t: t.quantity is None), st.integers(1, 10**6))
def test_a_signed_link_keeps_its_terms_with_an_unsigned_quantity(
    terms: LinkTerms, quantity: int
) -> None:
    query = sign_link(SECRET, "page", terms, now=NOW, ttl=timedelta(days=7))
    got = verify_link(SECRET, "page", {**query, "quantity": str(quantity)}, now=NOW)
    assert (got.price, got.sku, got.quantity) == (terms.price, terms.sku, None)
    fill = prefill({**query, "quantity": str(quantity)}, max_quantity=5)
    assert fill.quantity == (quantity if quantity <= 5 else None)


def test_a_signed_quantity_cannot_be_removed_or_replaced() -> None:
    query = sign_link(SECRET, "page", LinkTerms(quantity=2), now=NOW, ttl=timedelta(days=1))
    for changed in (
        {**query, "quantity": "3"},
        {k: v for k, v in query.items() if k != "quantity"},
    ):
        with pytest.raises(InvalidLink) as error:
            verify_link(SECRET, "page", changed, now=NOW)
        assert error.value.problem is LinkProblem.BAD_SIGNATURE


def test_a_link_signed_with_another_key_says_so() -> None:
    query = sign_link(b"the old key", "page", LinkTerms(price=100), now=NOW, ttl=timedelta(days=1))
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", query, now=NOW)
    assert error.value.problem is LinkProblem.OTHER_KEY
    assert "different key" in error.value.detail
    tampered = sign_link(SECRET, "page", LinkTerms(price=100), now=NOW, ttl=timedelta(days=1))
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", {**tampered, "price": "1"}, now=NOW)
    assert error.value.detail == "the link was changed after it was signed"
    without_key_id = {k: v for k, v in query.items() if k != "kid"}
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", without_key_id, now=NOW)
    assert "changed after it was signed, or signed with a different key" in error.value.detail


def test_an_expired_link_says_it_expired_whatever_key_signed_it() -> None:
    query = sign_link(b"the old key", "page", LinkTerms(price=100), now=NOW, ttl=timedelta(hours=1))
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", query, now=NOW + timedelta(hours=2))
    assert error.value.problem is LinkProblem.EXPIRED


def test_other_page_or_secret_is_refused() -> None:
    query = sign_link(SECRET, "page", LinkTerms(price=100), now=NOW, ttl=timedelta(days=1))
    for secret, slug in ((SECRET, "other"), (b"another", "page")):
        with pytest.raises(InvalidLink):
            verify_link(secret, slug, query, now=NOW)


def test_unsigned_price_or_sku_is_refused_but_quantity_is_harmless() -> None:
    for query in ({"price": "1"}, {"sku": "X"}, {"exp": "99999999999"}):
        with pytest.raises(InvalidLink) as error:
            verify_link(SECRET, "page", query, now=NOW)
        assert error.value.problem is LinkProblem.UNSIGNED
    assert verify_link(SECRET, "page", {"quantity": "2"}, now=NOW) == LinkTerms()


def test_expired_link_is_refused() -> None:
    query = sign_link(SECRET, "page", LinkTerms(price=100), now=NOW, ttl=timedelta(hours=1))
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", query, now=NOW + timedelta(hours=1))
    assert error.value.problem is LinkProblem.EXPIRED


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="signing secret"):
        sign_link(b"", "page", LinkTerms(), now=NOW, ttl=timedelta(days=1))


def test_prefill_keeps_harmless_fields_and_bounds_quantity() -> None:
    query = {"email": "a@b.c", "name": "Ann", "utm_source": "mail", "quantity": "3", "x": "y"}
    fill = prefill(query, max_quantity=3)
    assert (fill.email, fill.name, fill.quantity) == ("a@b.c", "Ann", 3)
    assert fill.utm == (("utm_source", "mail"),)
    assert prefill({"quantity": "4"}, max_quantity=3).quantity is None


@pytest.mark.parametrize(
    ("raw", "max_quantity", "words"),
    [("50", 5, "at most 5"), ("0", 5, "from 1 to 5"), ("two", 5, "from 1 to 5"), ("2", 1, "fixed")],
)
def test_a_refused_quantity_says_why(raw: str, max_quantity: int, words: str) -> None:
    fill = prefill({"quantity": raw}, max_quantity=max_quantity)
    assert fill.quantity is None
    assert words in fill.quantity_problem
    assert prefill({"quantity": "2"}, max_quantity=5).quantity_problem == ""
    assert prefill({"quantity": "50"}, max_quantity=5, quantity_signed=True).quantity_problem == ""


def test_non_ascii_signature_or_key_id_is_refused_not_an_error() -> None:
    query = sign_link(SECRET, "page", LinkTerms(price=100), now=NOW, ttl=timedelta(days=1))
    for changed in ({**query, "sig": "é"}, {**query, "sig": "é", "kid": "ü"}):
        with pytest.raises(InvalidLink):
            verify_link(SECRET, "page", changed, now=NOW)


@pytest.mark.parametrize(
    "exp", ["", "soon", "-5", "1.5", "١٢٣", "253402300800", "9" * 5000, str(2**70)]
)
def test_an_exp_that_names_no_moment_is_malformed(exp: str) -> None:
    query = {**sign_link(SECRET, "page", LinkTerms(price=100), now=NOW, ttl=timedelta(days=1))}
    with pytest.raises(InvalidLink) as error:
        verify_link(SECRET, "page", {**query, "exp": exp}, now=NOW)
    assert error.value.problem is LinkProblem.MALFORMED
