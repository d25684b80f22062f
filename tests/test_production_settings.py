"""Production mode refuses settings that would be a breach: guessable keys, plain-HTTP links."""

from __future__ import annotations

from typing import Any

import pytest

from tactful.settings import Settings

REAL = {
    "environment": "production",
    "secret_key": "sk_live_9f8e7d6c5b4a39281706",
    "publishable_key": "pk_live_0a1b2c3d4e5f60718293",
    "public_url": "https://offers.example.com",
}


def _production(**changes: Any) -> Settings:
    return Settings.from_env({}, **{**REAL, **changes})


def test_real_production_settings_are_accepted() -> None:
    assert _production().environment == "production"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("secret_key", "changeme"),
        ("secret_key", "short"),
        ("publishable_key", "pk_CHANGE-ME"),
        ("signing_secret", "CHANGE-ME-please-0123456789"),
        ("signing_secret", "secret"),
    ],
)
def test_placeholder_keys_are_refused_naming_the_variable(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"TACTFUL_{field.upper()} must be a real key"):
        _production(**{field: value})


def test_plain_http_public_url_is_refused_unless_allowed() -> None:
    with pytest.raises(ValueError, match="TACTFUL_PUBLIC_URL must be https://"):
        _production(public_url="http://offers.example.com")
    allowed = _production(public_url="http://offers.internal", allow_insecure_public_url=True)
    assert allowed.base_url == "http://offers.internal"


def test_development_accepts_anything() -> None:
    settings = Settings.from_env({}, environment="development", secret_key="dev")
    assert settings.secret_key == "dev"
