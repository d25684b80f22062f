"""The /admin experiments page over real HTTP shows, per variant, the lift with its interval,
the always-valid status, and a flag in words for each guardrail the variant harms."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import Engine

from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.services.guardrail_seed import plant
from tests.web.admin.test_admin_site import sign_in


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_page_flags_the_harmed_guardrails_with_their_reasons(
    engine: Engine, settings: Settings
) -> None:
    plant(engine)
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        page = client.get("/admin/experiments")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "pushy harms decline rate and unsubscribe rate , whatever its revenue" in words
    assert re.search(r"harms decline rate: decline rate \+\d+\.\d pp against the control", words)
    assert re.search(r"harms unsubscribe rate: unsubscribe rate \+\d+\.\d pp", words)
    assert 'role="alert"' in page.text
    assert words.count("harms refund rate") == 0
    assert words.count("harms satisfaction") == 0
    assert "always-valid test (mSPRT)" in words
    assert "pushy ⚠ harms 2 guardrails" in words
    assert re.search(r"(conclusive|keep running) p (< 0\.001|= \d\.\d{3});", words)
    rows = re.findall(r'<tr class="harm-row">(.*?)</tr>', page.text, re.S)
    assert [text_of(r).split(" (worse")[0].strip() for r in rows] == [
        "decline rate",
        "unsubscribe rate",
    ]


def test_a_harmless_variant_shows_no_flag(engine: Engine, settings: Settings) -> None:
    plant(engine, harmful=False)
    with (
        LiveServer(create_app(settings, engine=engine)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        sign_in(client)
        words = text_of(client.get("/admin/experiments").text)
    assert "none harmed" in words
    assert "harms 2 guardrails" not in words
    assert "harms" not in words.replace("flagged when", "")
