"""Retry timing of webhooks out: exponential, about three days, then given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tactful.domain.webhooks_out import RETRY_DELAYS, Outcome, next_attempt, total_retry_span

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_retries_back_off_for_about_three_days_then_stop() -> None:
    assert timedelta(days=2, hours=20) <= total_retry_span() <= timedelta(days=3, hours=2)
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert next_attempt(1, NOW) == NOW + timedelta(seconds=5)
    assert next_attempt(len(RETRY_DELAYS), NOW) == NOW + RETRY_DELAYS[-1]
    assert next_attempt(len(RETRY_DELAYS) + 1, NOW) is None


def test_only_a_2xx_is_delivered() -> None:
    assert Outcome(204).delivered
    assert not Outcome(301).delivered
    assert not Outcome(500).delivered
    assert not Outcome(None, "ConnectError").delivered
