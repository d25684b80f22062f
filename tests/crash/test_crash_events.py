"""kill -9 the server while events pour in: every event answered 202 is stored exactly once.

The full run (100,000 events, five kills) is `scripts/crash_events.py`; this is its scaled-down
twin, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.crash_events import run_events_crash
from tests.support.killable import KillableServer


@pytest.mark.slow
def test_events_survive_kill_9(database_url: str, tmp_path: Path) -> None:
    with KillableServer(database_url, tmp_path / "var") as server:
        report = run_events_crash(server, database_url, events=3000, kills=2, batch_size=25)
    assert report.kills == 2
    assert report.retried > 0, "no batch was caught by a kill: " + report.line()
    assert report.errors == [], report.line()
    assert report.acknowledged == report.events_sent, report.line()
    assert (report.lost, report.duplicated, report.unexpected) == (0, 0, 0), report.line()
