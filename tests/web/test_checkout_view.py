"""What the checkout template is told: test mode only with the test gateway or a test key."""

from __future__ import annotations

from tactful.web.pages.checkout_view import is_test_mode


def test_test_banner_only_in_test_mode() -> None:
    assert is_test_mode(None)  # the built-in test gateway
    assert is_test_mode({"publishable_key": "pk_test_abc"})
    assert not is_test_mode({"publishable_key": "pk_live_abc"})
