"""The Rich table of evaluation results that `tactful evaluate` and next-purchase print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from tactful.cli._app import console


def print_results(title: str, results: Sequence[dict[str, Any]], digits: int) -> None:
    """One row per ranking, one right-aligned column per metric (n_test left out); None is -."""
    columns = [c for c in results[0] if c not in {"ranking", "n_test"}]
    table = Table(title=title)
    table.add_column("ranking")
    for column in columns:
        table.add_column(column, justify="right")
    for row in results:
        cells = ["-" if row[c] is None else f"{row[c]:.{digits}f}" for c in columns]
        table.add_row(row["ranking"], *cells)
    console.print(table)
