"""Rendered mails in Chromium at 390 px and 1280 px, light and dark: one column, no sideways
scroll on a phone, buttons at least 44 px tall; screenshots saved for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tactful.adapters.email import JinjaMailTemplates
from tactful.services.email_compose import Draft, EmailConfig, compose
from tactful.services.sequences import parse_text
from tests.e2e.conftest import VIEWPORTS
from tests.email.support import SEQUENCE_YAML, T0
from tests.email.test_offer_links import OFFER

pytestmark = pytest.mark.e2e
CONFIG = EmailConfig(base_url="https://shop.example", secret=b"s3cret-s3cret-s3cret")


def _mails() -> dict[str, str]:
    [sequence] = parse_text(SEQUENCE_YAML, "seq.yaml")
    rendered = {}
    for step, name in ((1, "value"), (3, "offer"), (5, "check_in")):
        offers = (OFFER, OFFER) if name == "offer" else ()
        draft = Draft(9, sequence, step, "cust-1", "a@example.com", ("Course",), offers, T0)
        rendered[name] = compose(CONFIG, JinjaMailTemplates(), draft).html
    return rendered


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_mails_fit_the_screen(
    browser: Any, shots: Path, tmp_path: Path, viewport: str, scheme: str
) -> None:
    for name, html in _mails().items():
        page_file = tmp_path / f"{name}.html"
        page_file.write_text(html, encoding="utf-8")
        context = browser.new_context(
            **VIEWPORTS[viewport], color_scheme=scheme, java_script_enabled=True
        )
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.screenshot(path=str(shots / f"email-{name}-{viewport}-{scheme}.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{name} scrolls sideways at {viewport}"
        card = page.evaluate("document.querySelector('.card').getBoundingClientRect().width")
        assert card <= 600
        heights = page.evaluate(
            "[...document.querySelectorAll('a.button, a.rating')]"
            ".map(a => a.getBoundingClientRect().height)"
        )
        assert all(h >= 44 for h in heights), (name, heights)
        if name != "value":
            assert heights, f"{name} has no button"
        context.close()
    print(f"email screenshots: {shots}")
