"""`BacktestArchive` on a folder: the JSON files `tactful backtest` saves there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MOST = 20


class BacktestFolder:
    """`tactful.services.ports.dashboard.BacktestArchive` reading `folder/*.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def results(self) -> list[tuple[str, dict[str, Any]]]:
        if not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        found = []
        for path in paths[:MOST]:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and isinstance(data.get("policies"), list):
                found.append((path.stem, data))
        return found

    def save(self, name: str, report: dict[str, Any]) -> Path:
        """Keep a copy of a report for the dashboard."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.json"
        path.write_text(json.dumps(report, indent=1), encoding="utf-8")
        return path
