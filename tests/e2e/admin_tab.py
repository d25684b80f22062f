"""The dashboard served for the admin browser tests, and a signed-in tab on it that records
page errors, console errors and warnings, and requests leaving the site (aborted), for the test
to assert on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tactful.adapters.db.engine import build_engine
from tactful.adapters.db.schema import upgrade
from tactful.settings import Settings
from tactful.web.app import create_app
from tests.conftest import LiveServer
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.seed import SECRET

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def admin_settings(tmp_path: Path, **fields: Any) -> Settings:
    """Test settings for a store in `tmp_path` (SQLite file, data dir) signed in with SECRET;
    `fields` add to them."""
    url = f"sqlite:///{(tmp_path / 'tactful.db').as_posix()}"
    return Settings.from_env(
        {}, environment="test", data_dir=tmp_path, database_url=url, secret_key=SECRET, **fields
    )


@contextmanager
def served_admin(
    tmp_path: Path, seed: Callable[[Engine], None] | None = None, **fields: Any
) -> Iterator[str]:
    """The app over real HTTP on a fresh, migrated store in `tmp_path`, seeded by `seed` before
    it serves; yields the site's URL. `fields` add to `admin_settings`."""
    settings = admin_settings(tmp_path, **fields)
    engine = build_engine(settings.database_url)
    try:
        upgrade(engine)
        if seed is not None:
            seed(engine)
        with LiveServer(create_app(settings, engine=engine)) as server:
            yield server.url
    finally:
        engine.dispose()


class AdminTab:
    """A page signed in to `site`'s dashboard with the secret key, landed on `landing`."""

    def __init__(self, browser: Any, site: str, viewport: str, landing: str = "/admin") -> None:
        self.context = browser.new_context(**VIEWPORTS[viewport])
        self.outside: list[str] = []
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(site)
                else (self.outside.append(route.request.url), route.abort())
            ),
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.goto(f"{site}/admin/login" + ("" if landing == "/admin" else f"?next={landing}"))
        self.page.fill("#password", SECRET)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(f"{site}{landing}")

    def serious_axe_findings(self) -> list[Any]:
        """axe-core's serious and critical findings on the page as it is."""
        self.page.evaluate(AXE)
        found = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
        )
        return [v for v in found if v["impact"] in {"serious", "critical"}]

    def close(self, expected: str | None = None) -> None:
        """Check the console had nothing to say but `expected` (a refused form's status) and
        nothing left the site."""
        problems = [p for p in self.problems if expected is None or expected not in p]
        assert problems == [], problems
        assert self.outside == [], self.outside
        self.context.close()
